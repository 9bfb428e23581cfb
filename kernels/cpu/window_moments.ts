/**
 * Rolling central moments of one series, behind stddev and ts_Skew. Sums of powers are taken about a
 * per-stock shift (the first value of the current run of present bars, later the window mean at each
 * rebuild), because raw sums of squares of prices or volumes would cancel away the small window variance.
 * A constant window is recognised exactly from a count of consecutive equal values, since rolling sums
 * almost never give an exact zero: stddev is then exactly 0 and the skewness missing.
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
export function rollingMoments(X: Float32Array, T: number, N: number, n: number, out: Float32Array, mode: number): void {
  const skew = mode === SKEW;
  const run = new Int32Array(N);
  const same = new Int32Array(N); // consecutive bars equal to the current one
  const age = new Int32Array(N);
  const shift = new Float64Array(N);
  const s1 = new Float64Array(N);
  const s2 = new Float64Array(N);
  const s3 = new Float64Array(N);
  const bud = new Float64Array(N); // sum of squared shifted terms added or removed since the last rebuild
  const period = refreshPeriod(n);
  const tol = skew ? SKEW_TOL : CANCEL_TOL;
  const span = n * N;
  const skewK = Math.sqrt(n * (n - 1)) / (n - 2);
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
      let a: number;
      if (r === 0) {
        shift[j] = x;
        s1[j] = 0;
        s2[j] = 0;
        s3[j] = 0;
        bud[j] = 0;
        same[j] = 1;
        a = 0;
      } else {
        same[j] = x === X[i - N] ? same[j] + 1 : 1;
        const c = shift[j];
        const d = x - c;
        const dd = d * d;
        let a1 = s1[j] + d, a2 = s2[j] + dd, a3 = s3[j] + dd * d, b = bud[j] + dd;
        if (r >= n) {
          const o = X[i - span] - c;
          const oo = o * o;
          a1 -= o;
          a2 -= oo;
          a3 -= oo * o;
          b += oo;
        }
        s1[j] = a1;
        s2[j] = a2;
        s3[j] = a3;
        bud[j] = b;
        a = age[j] + 1;
      }
      run[j] = ++r;
      let fresh = false;
      if (a >= period) {
        rebuild(X, i, N, r < n ? r : n, j, shift, s1, s2, s3, bud);
        a = 0;
        fresh = true;
      }
      if (r < n) {
        age[j] = a;
        out[i] = NaN;
        continue;
      }
      if (same[j] >= n) {
        age[j] = a;
        out[i] = skew ? NaN : 0;
        continue;
      }
      let mu = s1[j] / n;
      let m2 = s2[j] - mu * s1[j];
      if (!fresh && !(m2 > bud[j] * tol)) {
        rebuild(X, i, N, n, j, shift, s1, s2, s3, bud);
        a = 0;
        mu = s1[j] / n;
        m2 = s2[j] - mu * s1[j];
      }
      age[j] = a;
      if (skew) {
        const m3 = s3[j] - 3 * mu * s2[j] + 2 * n * mu * mu * mu;
        const v = m2 / n;
        out[i] = f32((skewK * (m3 / n)) / (v * Math.sqrt(v)));
      } else {
        out[i] = m2 > 0 ? f32(Math.sqrt(m2 / (n - 1))) : 0;
      }
    }
  }
}

/** Recomputes one stock's sums from its last `m` bars (all present), centred on their mean. */
function rebuild(
  X: Float32Array, i: number, N: number, m: number, j: number,
  shift: Float64Array, s1: Float64Array, s2: Float64Array, s3: Float64Array, bud: Float64Array,
): void {
  let sum = 0;
  for (let k = 0, p = i; k < m; k++, p -= N) sum += X[p];
  const c = sum / m;
  let a1 = 0, a2 = 0, a3 = 0;
  for (let k = 0, p = i; k < m; k++, p -= N) {
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
