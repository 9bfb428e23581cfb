/**
 * Rolling co-moments of two series, behind covariance, correlation, REGbeta_ts and REGresid_ts. A window
 * needs both series present at every bar, so one run length covers the pair. As for single-series moments
 * the sums are taken about per-stock shifts (moved to the current values at each rebuild), so that price-
 * or volume-sized inputs keep their small window variances. Constancy of either series, where the
 * statistics below are undefined or exactly 0, is read exactly off the budgets that guard the sums (see the
 * comment in the loop).
 */
import { f32, present } from './finite.ts';
import { CANCEL_TOL, refreshPeriod } from './rolling.ts';

export const COVARIANCE = 0;
export const CORRELATION = 1;
export const REG_BETA = 2;
export const REG_RESID = 3;

/** Writes the statistic `mode` of x against y over each window; see the mode constants above. */
export function rollingPair(
  X: Float32Array, Y: Float32Array, T: number, N: number, n: number, out: Float32Array, mode: number,
): void {
  const run = new Int32Array(N);
  const cx = new Float64Array(N);
  const cy = new Float64Array(N);
  const sx = new Float64Array(N);
  const sy = new Float64Array(N);
  const sxx = new Float64Array(N);
  const syy = new Float64Array(N);
  const sxy = new Float64Array(N);
  const bx = new Float64Array(N); // squared shifted x terms added or removed since the last rebuild
  const by = new Float64Array(N);
  const st = { cx, cy, sx, sy, sxx, syy, sxy, bx, by };
  const period = refreshPeriod(n);
  const tol = n * CANCEL_TOL;
  const span = n * N;
  for (let t = 0; t < T; t++) {
    const row = t * N;
    const refresh = t % period === period - 1;
    for (let j = 0; j < N; j++) {
      const i = row + j;
      const x = X[i], y = Y[i];
      if (!(present(x) && present(y))) {
        run[j] = 0;
        out[i] = NaN;
        continue;
      }
      const r0 = run[j];
      // The sums live in locals for the whole cell: typed arrays may alias, so values re-read after a
      // store would be real loads.
      let c = x, e = y, ax = 0, ay = 0, axx = 0, ayy = 0, axy = 0, ux = 0, uy = 0;
      if (r0 === 0) {
        cx[j] = x;
        cy[j] = y;
      } else {
        c = cx[j];
        e = cy[j];
        const dx = x - c, dy = y - e;
        const xx = dx * dx, yy = dy * dy;
        ax = sx[j] + dx;
        ay = sy[j] + dy;
        axx = sxx[j] + xx;
        ayy = syy[j] + yy;
        axy = sxy[j] + dx * dy;
        ux = bx[j] + xx;
        uy = by[j] + yy;
        if (r0 >= n) {
          const ox = X[i - span] - c, oy = Y[i - span] - e;
          const oxx = ox * ox, oyy = oy * oy;
          ax -= ox;
          ay -= oy;
          axx -= oxx;
          ayy -= oyy;
          axy -= ox * oy;
          ux += oxx;
          uy += oyy;
        }
      }
      sx[j] = ax;
      sy[j] = ay;
      sxx[j] = axx;
      syy[j] = ayy;
      sxy[j] = axy;
      bx[j] = ux;
      by[j] = uy;
      const r = r0 + 1;
      run[j] = r;
      if (r < n) {
        if (refresh) rebuild(X, Y, i, N, r, j, st);
        out[i] = NaN;
        continue;
      }
      // n times the centred sums, in this form so that exact (e.g. integer) data stays exact.
      let qxx = n * axx - ax * ax, qyy = n * ayy - ay * ay;
      if (refresh || (ux !== 0 && !(qxx > ux * tol)) || (uy !== 0 && !(qyy > uy * tol))) {
        rebuild(X, Y, i, N, n, j, st);
        c = x;
        e = y;
        ax = sx[j];
        ay = sy[j];
        axx = sxx[j];
        ayy = syy[j];
        axy = sxy[j];
        ux = bx[j];
        uy = by[j];
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
        v = qxy / (n * (n - 1));
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
      out[i] = f32(v);
    }
  }
}

interface PairSums {
  cx: Float64Array;
  cy: Float64Array;
  sx: Float64Array;
  sy: Float64Array;
  sxx: Float64Array;
  syy: Float64Array;
  sxy: Float64Array;
  bx: Float64Array;
  by: Float64Array;
}

/**
 * Recomputes one stock's sums from its last `m` bars (all present), about the current values; as for single
 * series, centring on data values keeps the differences exact.
 */
function rebuild(X: Float32Array, Y: Float32Array, i: number, N: number, m: number, j: number, st: PairSums): void {
  const c = X[i], e = Y[i];
  let ax = 0, ay = 0, axx = 0, ayy = 0, axy = 0;
  for (let k = 1, p = i - N; k < m; k++, p -= N) {
    const dx = X[p] - c, dy = Y[p] - e;
    ax += dx;
    ay += dy;
    axx += dx * dx;
    ayy += dy * dy;
    axy += dx * dy;
  }
  st.cx[j] = c;
  st.cy[j] = e;
  st.sx[j] = ax;
  st.sy[j] = ay;
  st.sxx[j] = axx;
  st.syy[j] = ayy;
  st.sxy[j] = axy;
  st.bx[j] = axx;
  st.by[j] = ayy;
}
