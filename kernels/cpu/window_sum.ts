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
  const age = new Int32Array(N);
  const sum = new Float64Array(N);
  const bud = new Float64Array(N); // sum of |terms| added or removed since the last rebuild
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
      let r = run[j];
      let s: number, b: number, a: number;
      if (r === 0) {
        s = x;
        b = Math.abs(x);
        a = 0;
      } else {
        s = sum[j] + x;
        b = bud[j] + Math.abs(x);
        a = age[j] + 1;
        if (r >= n) {
          const o = X[i - span];
          s -= o;
          b += Math.abs(o);
        }
      }
      run[j] = ++r;
      const m = r < n ? r : n;
      let fresh = false;
      if (a >= period) {
        s = 0;
        b = 0;
        for (let k = 0, p = i; k < m; k++, p -= N) {
          const v = X[p];
          s += v;
          b += Math.abs(v);
        }
        a = 0;
        fresh = true;
      }
      if (r >= n && !fresh && Math.abs(s) < b * CANCEL_TOL) {
        s = 0;
        b = 0;
        for (let k = 0, p = i; k < n; k++, p -= N) {
          const v = X[p];
          s += v;
          b += Math.abs(v);
        }
        a = 0;
      }
      sum[j] = s;
      bud[j] = b;
      age[j] = a;
      out[i] = r >= n ? f32(mean ? s / n : s) : NaN;
    }
  }
}
