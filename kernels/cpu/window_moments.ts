/**
 * Rolling central moments of one series, behind stddev and ts_Skew. Sums of powers are taken about a
 * per-stock shift (the first value of the current run of present bars, then the current value at each
 * rebuild), because raw sums of squares of prices or volumes would cancel away the small window variance.
 * A constant window, where stddev is exactly 0 and the skewness missing, is read exactly off the budget that
 * guards the sums (see the comment in the loop), since rolling sums almost never give an exact zero. The
 * panel is walked in blocks of bars, one stock at a time within a block (see `BLOCK` in `rolling.ts`), so
 * that the sums live in registers.
 */
import { F32_OVERFLOW } from './finite.ts';
import { BLOCK, CANCEL_TOL, refreshPeriod } from './rolling.ts';

export const STDDEV = 0;
export const SKEW = 1;

/**
 * The third moment cancels harder than the second (its terms grow with the cube of the distance between the
 * shift and the data), so skewness asks for more headroom before it trusts the running sums.
 */
const SKEW_TOL = 1e-5;

/** Per-stock state carried from one block of bars to the next, one interleaved record per stock. */
const RUN = 0, AGE = 1, SHIFT = 2, S1 = 3, S2 = 4, S3 = 5, BUD = 6, STRIDE = 7;

/** Writes the sample standard deviation (`STDDEV`) or pandas-style skewness (`SKEW`) of every cell. */
export function rollingMoments(
  X: Float32Array, T: number, N: number, n: number, out: Float32Array, mode: number,
): void {
  const skew = mode === SKEW;
  const period = refreshPeriod(n);
  const tol = n * (skew ? SKEW_TOL : CANCEL_TOL);
  const span = n * N;
  const nn1 = n * (n - 1);
  const skewK = Math.sqrt(n * (n - 1)) / (n - 2);
  const st = new Float64Array(STRIDE * N);
  for (let t0 = 0; t0 < T; t0 += BLOCK) {
    const end = (t0 + BLOCK < T ? t0 + BLOCK : T) * N;
    for (let j = 0, s = 0; j < N; j++, s += STRIDE) {
      // r: run of present bars; age: bars since the last rebuild; c: the shift; a1..a3: sums of powers of
      // shifted values; b: squared shifted terms added or removed since the last rebuild (the budget).
      let r = st[s + RUN], age = st[s + AGE], c = st[s + SHIFT], a1 = st[s + S1], a2 = st[s + S2];
      let a3 = st[s + S3], b = st[s + BUD];
      for (let i = t0 * N + j; i < end; i += N) {
        const x = X[i];
        if (!(x - x === 0)) {
          r = 0; // NaN or ±Infinity: missing
          out[i] = NaN;
          continue;
        }
        if (r === 0) {
          c = x;
          a1 = a2 = a3 = b = age = 0;
        } else {
          const d = x - c;
          const dd = d * d;
          if (r >= n) {
            const o = X[i - span] - c;
            const oo = o * o;
            a1 += d - o;
            a2 += dd - oo;
            if (skew) a3 += dd * d - oo * o;
            b += dd + oo;
          } else {
            a1 += d;
            a2 += dd;
            if (skew) a3 += dd * d;
            b += dd;
          }
        }
        r++;
        if (r < n) {
          out[i] = NaN;
          continue;
        }
        age++;
        // n * (sum of squared deviations), in this form so that exact (e.g. integer) data stays exact.
        let q2 = n * a2 - a1 * a1;
        if (age > period || (b !== 0 && !(q2 > b * tol))) {
          // Rebuild from the window itself, about the current value: on schedule, or because cancellation
          // has eaten most of the digits. Centring on a data value rather than the rounded mean keeps every
          // difference exact (two float32 values of similar size differ by an exact float64), so discrete or
          // tied data, such as a symmetric window of small integers, still gives exact sums and an exact
          // zero skewness.
          c = x;
          a1 = a2 = a3 = 0;
          for (let k = 1, p = i - N; k < n; k++, p -= N) {
            const d = X[p] - c;
            const dd = d * d;
            a1 += d;
            a2 += dd;
            a3 += dd * d;
          }
          b = a2;
          age = 0;
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
        let v = 0;
        if (skew) {
          const q3 = n * (n * a3 - 3 * a1 * a2) + 2 * a1 * a1 * a1; // n^2 * (sum of cubed deviations)
          const m2 = q2 / (n * n); // the second central moment
          v = (skewK * (q3 / (n * n * n))) / (m2 * Math.sqrt(m2));
        } else {
          v = Math.sqrt(q2 / nn1);
        }
        // The storage rule of `finite.ts` as a predictable test (real results are never near the limit).
        out[i] = Math.abs(v) < F32_OVERFLOW ? v : NaN;
      }
      st[s + RUN] = r;
      st[s + AGE] = age;
      st[s + SHIFT] = c;
      st[s + S1] = a1;
      st[s + S2] = a2;
      st[s + S3] = a3;
      st[s + BUD] = b;
    }
  }
}
