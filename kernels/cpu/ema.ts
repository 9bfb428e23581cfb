/**
 * Host kernel for EMA over a finite window: weight r^k on the bar k back (r = 1 - a, a = 2 / (n + 1)),
 * normalised by the sum of the n weights. The weighted sum follows S_t = x_t + r S_{t-1} - r^n x_{t-n}, O(1)
 * per cell. That recurrence damps its own rounding (old error is multiplied by r < 1 each bar) but only
 * slowly, so a huge value that has left the window can leave an error behind that swamps a small average;
 * a budget B_t of the magnitudes that went through S (decayed the same way) detects that case and the sum is
 * then rebuilt from the window, as it also is at the shared period. No shift is used: a weighted average
 * cannot cancel the way a variance does, so centring would buy nothing but another rounding.
 */
import type { HostKernel } from '../../src/ops/types.ts';
import { f32, present } from './finite.ts';
import { checkPanels, windowArg } from './panel.ts';
import { CANCEL_TOL, refreshPeriod } from './rolling.ts';

export const ema: HostKernel = (args) => {
  checkPanels(args, 1);
  const n = windowArg(args, 1);
  const X = args.xs[0], out = args.out, T = args.T, N = args.N;
  const r = (n - 1) / (n + 1);
  const w = new Float64Array(n);
  let den = 0;
  for (let k = 0, p = 1; k < n; k++, p *= r) {
    w[k] = p;
    den += p;
  }
  const rn = w[n - 1] * r;
  const run = new Int32Array(N);
  const acc = new Float64Array(N);
  const bud = new Float64Array(N);
  const period = refreshPeriod(n);
  const span = n * N;
  for (let t = 0; t < T; t++) {
    const row = t * N;
    const refresh = t % period === period - 1;
    for (let j = 0; j < N; j++) {
      const i = row + j;
      const x = X[i];
      if (!present(x)) {
        run[j] = 0;
        out[i] = NaN;
        continue;
      }
      let k = run[j];
      let s = 0, b = 0;
      if (k === 0) {
        s = x;
        b = Math.abs(x);
      } else {
        s = x + r * acc[j];
        b = Math.abs(x) + r * bud[j];
        if (k >= n) {
          const o = rn * X[i - span];
          s -= o;
          b += Math.abs(o);
        }
      }
      run[j] = ++k;
      const m = k < n ? k : n;
      if (refresh || (k >= n && Math.abs(s) < b * CANCEL_TOL)) {
        s = 0;
        b = 0;
        for (let q = 0, p = i; q < m; q++, p -= N) {
          const v = w[q] * X[p];
          s += v;
          b += Math.abs(v);
        }
      }
      acc[j] = s;
      bud[j] = b;
      out[i] = k >= n ? f32(s / den) : NaN;
    }
  }
};
