/**
 * Host kernel for decay_linear, the average with weights n (current bar) down to 1 (oldest). It keeps both
 * the plain window sum S and the weighted sum W, since W_t = W_{t-1} + n x_t - S_{t-1} makes each step O(1)
 * and the same update holds while the window is still filling. Errors in S feed W at every step, so both are
 * rebuilt from the window at the shared period, and also whenever W has become small next to the magnitudes
 * that went through S (a huge value that left the window would otherwise leave its rounding behind).
 */
import type { HostKernel } from '../../src/ops/types.ts';
import { f32, present } from './finite.ts';
import { checkPanels, windowArg } from './panel.ts';
import { CANCEL_TOL, refreshPeriod } from './rolling.ts';

export const decay_linear: HostKernel = (args) => {
  checkPanels(args, 1);
  const n = windowArg(args, 1);
  const X = args.xs[0], out = args.out, T = args.T, N = args.N;
  const den = (n * (n + 1)) / 2;
  const run = new Int32Array(N);
  const plain = new Float64Array(N);
  const weighted = new Float64Array(N);
  const bud = new Float64Array(N); // |x| added to or removed from S since the last rebuild
  const period = refreshPeriod(n);
  const tol = (n + 1) * CANCEL_TOL;
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
      let s = 0, ws = 0, b = 0;
      if (k === 0) {
        s = x;
        ws = n * x;
        b = Math.abs(x);
      } else {
        s = plain[j];
        ws = weighted[j] + n * x - s;
        s += x;
        b = bud[j] + Math.abs(x);
        if (k >= n) {
          const o = X[i - span];
          s -= o;
          b += Math.abs(o);
        }
      }
      run[j] = ++k;
      const m = k < n ? k : n;
      if (refresh || (k >= n && Math.abs(ws) < b * tol)) {
        s = 0;
        ws = 0;
        b = 0;
        for (let q = 0, p = i; q < m; q++, p -= N) {
          const v = X[p];
          s += v;
          ws += (n - q) * v;
          b += Math.abs(v);
        }
      }
      plain[j] = s;
      weighted[j] = ws;
      bud[j] = b;
      out[i] = k >= n ? f32(ws / den) : NaN;
    }
  }
};
