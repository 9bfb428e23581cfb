/**
 * Rolling co-moments of two series, behind covariance, correlation, REGbeta_ts and REGresid_ts. A window
 * needs both series present at every bar, so one run length covers the pair. As for single-series moments
 * the sums are taken about per-stock shifts (moved to the current values at each rebuild), so that price-
 * or volume-sized inputs keep their small window variances. Constancy of either series, where the
 * statistics below are undefined or exactly 0, is read exactly off the budgets that guard the sums (see the
 * comment in the loop). The panel is walked in blocks of bars, one stock at a time within a block (see
 * `BLOCK` in `rolling.ts`), so that the sums live in registers.
 */
import { F32_OVERFLOW } from './finite.ts';
import { BLOCK, CANCEL_TOL, refreshPeriod } from './rolling.ts';

export const COVARIANCE = 0;
export const CORRELATION = 1;
export const REG_BETA = 2;
export const REG_RESID = 3;

/** Per-stock state carried from one block of bars to the next, one interleaved record per stock. */
const RUN = 0, AGE = 1, CX = 2, CY = 3, SX = 4, SY = 5, SXX = 6, SYY = 7, SXY = 8, BX = 9, BY = 10, STRIDE = 11;

/** Writes the statistic `mode` of x against y over each window; see the mode constants above. */
export function rollingPair(
  X: Float32Array, Y: Float32Array, T: number, N: number, n: number, out: Float32Array, mode: number,
): void {
  const period = refreshPeriod(n);
  const tol = n * CANCEL_TOL;
  const span = n * N;
  const nn1 = n * (n - 1);
  const st = new Float64Array(STRIDE * N);
  for (let t0 = 0; t0 < T; t0 += BLOCK) {
    const end = (t0 + BLOCK < T ? t0 + BLOCK : T) * N;
    for (let j = 0, s = 0; j < N; j++, s += STRIDE) {
      // r: run of bars with both series present; age: bars since the sums were last rebuilt; c, e: the
      // shifts; ax..axy: sums of shifted terms and products; ux, uy: squared shifted terms added or removed
      // since the last rebuild (the budgets).
      let r = st[s + RUN], age = st[s + AGE], c = st[s + CX], e = st[s + CY];
      let ax = st[s + SX], ay = st[s + SY], axx = st[s + SXX], ayy = st[s + SYY], axy = st[s + SXY];
      let ux = st[s + BX], uy = st[s + BY];
      for (let i = t0 * N + j; i < end; i += N) {
        const x = X[i], y = Y[i];
        if (!(x - x === 0 && y - y === 0)) {
          r = 0; // NaN or ±Infinity in either series: missing
          out[i] = NaN;
          continue;
        }
        if (r === 0) {
          c = x;
          e = y;
          ax = ay = axx = ayy = axy = ux = uy = age = 0;
        } else {
          const dx = x - c, dy = y - e;
          const xx = dx * dx, yy = dy * dy;
          if (r >= n) {
            const ox = X[i - span] - c, oy = Y[i - span] - e;
            const oxx = ox * ox, oyy = oy * oy;
            ax += dx - ox;
            ay += dy - oy;
            axx += xx - oxx;
            ayy += yy - oyy;
            axy += dx * dy - ox * oy;
            ux += xx + oxx;
            uy += yy + oyy;
          } else {
            ax += dx;
            ay += dy;
            axx += xx;
            ayy += yy;
            axy += dx * dy;
            ux += xx;
            uy += yy;
          }
        }
        r++;
        if (r < n) {
          out[i] = NaN;
          continue;
        }
        age++;
        // n times the centred sums, in this form so that exact (e.g. integer) data stays exact.
        let qxx = n * axx - ax * ax, qyy = n * ayy - ay * ay;
        if (age > period || (ux !== 0 && !(qxx > ux * tol)) || (uy !== 0 && !(qyy > uy * tol))) {
          // Rebuild from the window itself, about the current values: on schedule, or because the
          // cancellation in a centred sum has eaten most of its digits. Centring on data values rather than
          // the rounded means keeps every difference exact.
          c = x;
          e = y;
          ax = ay = axx = ayy = axy = 0;
          for (let k = 1, p = i - N; k < n; k++, p -= N) {
            const dx = X[p] - c, dy = Y[p] - e;
            ax += dx;
            ay += dy;
            axx += dx * dx;
            ayy += dy * dy;
            axy += dx * dy;
          }
          ux = axx;
          uy = ayy;
          age = 0;
          qxx = n * axx - ax * ax;
          qyy = n * ayy - ay * ay;
        }
        // A zero budget means every difference from the shift since the last rebuild was exactly 0 (and the
        // rebuilt window itself was flat), so the series is constant over the window: detected exactly, where
        // the centred sums would only come close to 0. A flat window that still carries a budget has failed
        // the cancellation test above and been rebuilt, which leaves a zero budget.
        if (ux === 0 || uy === 0) {
          // A constant x has zero covariance with anything, a zero slope on y and a zero residual; the
          // correlation, and any regression on a constant y, are undefined.
          out[i] = uy === 0 ? (mode === COVARIANCE ? 0 : NaN) : mode === CORRELATION ? NaN : 0;
          continue;
        }
        const qxy = n * axy - ax * ay;
        let v = 0;
        if (mode === COVARIANCE) {
          v = qxy / nn1;
        } else if (mode === CORRELATION) {
          v = qxy / Math.sqrt(qxx * qyy);
          v = v > 1 ? 1 : v < -1 ? -1 : v;
        } else if (mode === REG_BETA) {
          v = qxy / qyy;
        } else if (n === 2) {
          v = 0; // a line through two points with distinct y fits both exactly
        } else {
          const beta = qxy / qyy;
          v = x - c - ax / n - beta * (y - e - ay / n);
        }
        // The storage rule of `finite.ts` as a predictable test (real results are never near the limit).
        out[i] = Math.abs(v) < F32_OVERFLOW ? v : NaN;
      }
      st[s + RUN] = r;
      st[s + AGE] = age;
      st[s + CX] = c;
      st[s + CY] = e;
      st[s + SX] = ax;
      st[s + SY] = ay;
      st[s + SXX] = axx;
      st[s + SYY] = ayy;
      st[s + SXY] = axy;
      st[s + BX] = ux;
      st[s + BY] = uy;
    }
  }
}
