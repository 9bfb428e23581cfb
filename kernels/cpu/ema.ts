/**
 * Host kernel for EMA over a finite window: weight r^k on the bar k back (r = 1 - a, a = 2 / (n + 1)),
 * normalised by the sum of the n weights. The weighted sum follows S_t = d_t + r S_{t-1} - r^n d_{t-n}, O(1)
 * per cell; the recurrence damps its own rounding (each step multiplies old error by r < 1), and the values
 * are taken about a per-stock shift so that a long run of large prices does not dominate that rounding. The
 * sum is rebuilt from the window at the shared period, which also moves the shift to the current value.
 */
import type { HostKernel } from '../../src/ops/types.ts';
import { f32, present } from './finite.ts';
import { checkPanels, windowArg } from './panel.ts';
import { refreshPeriod } from './rolling.ts';

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
  const age = new Int32Array(N);
  const shift = new Float64Array(N);
  const acc = new Float64Array(N);
  const period = refreshPeriod(n);
  const span = n * N;
  for (let t = 0; t < T; t++) {
    const row = t * N;
    for (let j = 0; j < N; j++) {
      const i = row + j;
      const x = X[i];
      if (!present(x)) {
        run[j] = 0;
        out[i] = NaN;
        continue;
      }
      let k = run[j];
      let c: number, s: number, a: number;
      if (k === 0) {
        c = x;
        s = 0;
        a = 0;
      } else {
        c = shift[j];
        s = x - c + r * acc[j];
        if (k >= n) s -= rn * (X[i - span] - c);
        a = age[j] + 1;
      }
      run[j] = ++k;
      if (a >= period) {
        c = x;
        s = 0;
        const m = k < n ? k : n;
        for (let q = 1, p = i - N; q < m; q++, p -= N) s += w[q] * (X[p] - c);
        a = 0;
      }
      shift[j] = c;
      acc[j] = s;
      age[j] = a;
      out[i] = k >= n ? f32(c + s / den) : NaN;
    }
  }
};
