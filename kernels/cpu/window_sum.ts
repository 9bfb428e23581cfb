/**
 * Rolling window sum behind ts_Sum and ts_Mean. Each stock keeps the raw sum of its current window and the
 * length of its run of consecutive present bars (the window is valid once that run reaches n, and a missing
 * bar simply restarts it). The sum is not shifted: unlike a variance, a plain sum gains nothing from
 * centring, but it still needs the rebuilds from `rolling.ts`, because after a large value leaves the window
 * its rounding error would otherwise stay behind in a sum of small values. The panel is walked in blocks of
 * bars, one stock at a time within a block (see `BLOCK` in `rolling.ts`), so that the sums live in registers.
 */
import { F32_OVERFLOW } from './finite.ts';
import { BLOCK, CANCEL_TOL, refreshPeriod } from './rolling.ts';

/** Per-stock state carried from one block of bars to the next, one interleaved record per stock. */
const RUN = 0, AGE = 1, SUM = 2, BUD = 3, STRIDE = 4;

/** Writes the window sum (or, with `mean`, the window mean) of every cell of the [T, N] panel `X`. */
export function rollingSum(X: Float32Array, T: number, N: number, n: number, out: Float32Array, mean: boolean): void {
  const period = refreshPeriod(n);
  const span = n * N;
  const div = mean ? n : 1;
  const st = new Float64Array(STRIDE * N);
  for (let t0 = 0; t0 < T; t0 += BLOCK) {
    const end = (t0 + BLOCK < T ? t0 + BLOCK : T) * N;
    for (let j = 0, q = 0; j < N; j++, q += STRIDE) {
      // r: run of present bars; age: bars since the last rebuild; s: the window sum; b: the sum of |terms|
      // added or removed since the last rebuild (the budget).
      let r = st[q + RUN], age = st[q + AGE], s = st[q + SUM], b = st[q + BUD];
      for (let i = t0 * N + j; i < end; i += N) {
        const x = X[i];
        if (!(x - x === 0)) {
          r = 0; // NaN or ±Infinity: missing
          out[i] = NaN;
          continue;
        }
        if (r === 0) {
          s = x;
          b = Math.abs(x);
          age = 0;
        } else if (r >= n) {
          const o = X[i - span];
          s += x - o;
          b += Math.abs(x) + Math.abs(o);
        } else {
          s += x;
          b += Math.abs(x);
        }
        r++;
        if (r < n) {
          out[i] = NaN;
          continue;
        }
        age++;
        if (age > period || Math.abs(s) < b * CANCEL_TOL) {
          s = 0;
          b = 0;
          for (let k = 0, p = i; k < n; k++, p -= N) {
            const v = X[p];
            s += v;
            b += Math.abs(v);
          }
          age = 0;
        }
        const v = s / div;
        // The storage rule of `finite.ts` as a predictable test (real results are never near the limit).
        out[i] = Math.abs(v) < F32_OVERFLOW ? v : NaN;
      }
      st[q + RUN] = r;
      st[q + AGE] = age;
      st[q + SUM] = s;
      st[q + BUD] = b;
    }
  }
}
