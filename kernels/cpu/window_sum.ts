/**
 * Rolling window sum behind ts_Sum and ts_Mean. Each stock keeps the raw sum of its current window and the
 * length of its run of consecutive present bars (the window is valid once that run reaches n, and a missing
 * bar simply restarts it). The sum is not shifted: unlike a variance, a plain sum gains nothing from
 * centring, but it still needs the rebuilds from `rolling.ts`, because after a large value leaves the window
 * its rounding error would otherwise stay behind in a sum of small values.
 */
import { f32, present } from './finite.ts';
import { CANCEL_TOL, refreshPeriod } from './rolling.ts';

/** Writes the window sum (or, with `mean`, the window mean) of every cell of the [T, N] panel `X`. */
export function rollingSum(X: Float32Array, T: number, N: number, n: number, out: Float32Array, mean: boolean): void {
  const run = new Int32Array(N);
  const sum = new Float64Array(N);
  const bud = new Float64Array(N); // sum of |terms| added or removed since the last rebuild
  const period = refreshPeriod(n);
  const span = n * N;
  const scale = mean ? n : 1;
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
      const r0 = run[j];
      let s = x, b = Math.abs(x);
      if (r0 > 0) {
        s += sum[j];
        b += bud[j];
        if (r0 >= n) {
          const o = X[i - span];
          s -= o;
          b += Math.abs(o);
        }
      }
      const r = r0 + 1;
      run[j] = r;
      if (refresh || (r >= n && Math.abs(s) < b * CANCEL_TOL)) {
        const m = r < n ? r : n;
        s = 0;
        b = 0;
        for (let k = 0, p = i; k < m; k++, p -= N) {
          const v = X[p];
          s += v;
          b += Math.abs(v);
        }
      }
      sum[j] = s;
      bud[j] = b;
      out[i] = r >= n ? f32(s / scale) : NaN;
    }
  }
}
