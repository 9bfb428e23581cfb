/**
 * Host kernel for decay_linear, the average with weights n (current bar) down to 1 (oldest). It keeps both
 * the plain window sum S and the weighted sum W, since W_t = W_{t-1} + n d_t - S_{t-1} makes each step O(1)
 * and the same update holds while the window is still filling. Values are taken about a per-stock shift, and
 * both sums are rebuilt from the window at the shared period: errors in S feed W at every step, so without
 * rebuilds W's drift would grow with the square of the run length.
 */
import type { HostKernel } from '../../src/ops/types.ts';
import { f32, present } from './finite.ts';
import { checkPanels, windowArg } from './panel.ts';
import { refreshPeriod } from './rolling.ts';

export const decay_linear: HostKernel = (args) => {
  checkPanels(args, 1);
  const n = windowArg(args, 1);
  const X = args.xs[0], out = args.out, T = args.T, N = args.N;
  const den = (n * (n + 1)) / 2;
  const run = new Int32Array(N);
  const age = new Int32Array(N);
  const shift = new Float64Array(N);
  const plain = new Float64Array(N);
  const weighted = new Float64Array(N);
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
      let c: number, s: number, ws: number, a: number;
      if (k === 0) {
        c = x;
        s = 0;
        ws = 0;
        a = 0;
      } else {
        c = shift[j];
        const d = x - c;
        s = plain[j];
        ws = weighted[j] + n * d - s;
        s += d;
        if (k >= n) s -= X[i - span] - c;
        a = age[j] + 1;
      }
      run[j] = ++k;
      if (a >= period) {
        c = x;
        s = 0;
        ws = 0;
        const m = k < n ? k : n;
        for (let q = 1, p = i - N; q < m; q++, p -= N) {
          const d = X[p] - c;
          s += d;
          ws += (n - q) * d;
        }
        a = 0;
      }
      shift[j] = c;
      plain[j] = s;
      weighted[j] = ws;
      age[j] = a;
      out[i] = k >= n ? f32(c + ws / den) : NaN;
    }
  }
};
