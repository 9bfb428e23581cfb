/**
 * Rolling central moments of one series, behind stddev and ts_Skew. Sums of powers are taken about a
 * per-stock shift (the first value of the current run of present bars, then the current value at each
 * rebuild), because raw sums of squares of prices or volumes would cancel away the small window variance.
 * A constant window, where stddev is exactly 0 and the skewness missing, is read exactly off the budget that
 * guards the sums (see the comment in the loop), since rolling sums almost never give an exact zero.
 */
import { f32, present } from './finite.ts';
import { CANCEL_TOL, refreshPeriod } from './rolling.ts';

export const STDDEV = 0;
export const SKEW = 1;

/**
 * The third moment cancels harder than the second (its terms grow with the cube of the distance between the
 * shift and the data), so skewness asks for more headroom before it trusts the running sums.
 */
const SKEW_TOL = 1e-5;

/** Writes the sample standard deviation (`STDDEV`) or pandas-style skewness (`SKEW`) of every cell. */
export function rollingMoments(
  X: Float32Array, T: number, N: number, n: number, out: Float32Array, mode: number,
): void {
  const skew = mode === SKEW;
  const run = new Int32Array(N);
  const shift = new Float64Array(N);
  const s1 = new Float64Array(N);
  const s2 = new Float64Array(N);
  const s3 = new Float64Array(N);
  const bud = new Float64Array(N); // sum of squared shifted terms added or removed since the last rebuild
  const period = refreshPeriod(n);
  const tol = n * (skew ? SKEW_TOL : CANCEL_TOL);
  const span = n * N;
  const skewK = Math.sqrt(n * (n - 1)) / (n - 2);
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
      // The sums live in locals for the whole cell: typed arrays may alias, so values re-read after a
      // store would be real loads.
      let a1 = 0, a2 = 0, a3 = 0, b = 0;
      if (r0 === 0) {
        shift[j] = x;
      } else {
        const c = shift[j];
        const d = x - c;
        const dd = d * d;
        a1 = s1[j] + d;
        a2 = s2[j] + dd;
        a3 = s3[j] + dd * d;
        b = bud[j] + dd;
        if (r0 >= n) {
          const o = X[i - span] - c;
          const oo = o * o;
          a1 -= o;
          a2 -= oo;
          a3 -= oo * o;
          b += oo;
        }
      }
      s1[j] = a1;
      s2[j] = a2;
      s3[j] = a3;
      bud[j] = b;
      const r = r0 + 1;
      run[j] = r;
      if (r < n) {
        if (refresh) rebuild(X, i, N, r, j, shift, s1, s2, s3, bud);
        out[i] = NaN;
        continue;
      }
      // n * (sum of squared deviations), in this form so that exact (e.g. integer) data stays exact.
      let q2 = n * a2 - a1 * a1;
      if (refresh || (b !== 0 && !(q2 > b * tol))) {
        rebuild(X, i, N, n, j, shift, s1, s2, s3, bud);
        a1 = s1[j];
        a2 = s2[j];
        a3 = s3[j];
        b = bud[j];
        q2 = n * a2 - a1 * a1;
      }
      // A zero budget means every difference from the shift since the last rebuild was exactly 0 (and the
      // rebuilt window itself was flat), so the window is constant: detected exactly, where the centred sums
      // would only come close to 0. A flat window that still carries a budget has failed the cancellation
      // test above and been rebuilt, which leaves a zero budget.
      if (b === 0) {
        out[i] = skew ? NaN : 0;
        continue;
      }
      if (skew) {
        const q3 = n * (n * a3 - 3 * a1 * a2) + 2 * a1 * a1 * a1; // n^2 * (sum of cubed deviations)
        const v = q2 / (n * n); // the second central moment m2
        out[i] = f32((skewK * (q3 / (n * n * n))) / (v * Math.sqrt(v)));
      } else {
        out[i] = f32(Math.sqrt(q2 / (n * (n - 1))));
      }
    }
  }
}

/**
 * Recomputes one stock's sums from its last `m` bars (all present), about the current value. Centring on a
 * data value rather than the rounded mean keeps every difference exact (two float32 values of similar size
 * differ by an exact float64), so discrete or tied data, such as a symmetric window of small integers, still
 * gives exact sums and an exact zero skewness.
 */
function rebuild(
  X: Float32Array, i: number, N: number, m: number, j: number,
  shift: Float64Array, s1: Float64Array, s2: Float64Array, s3: Float64Array, bud: Float64Array,
): void {
  const c = X[i];
  let a1 = 0, a2 = 0, a3 = 0;
  for (let k = 1, p = i - N; k < m; k++, p -= N) {
    const d = X[p] - c;
    const dd = d * d;
    a1 += d;
    a2 += dd;
    a3 += dd * d;
  }
  shift[j] = c;
  s1[j] = a1;
  s2[j] = a2;
  s3[j] = a3;
  bud[j] = a2;
}
