/**
 * Rolling co-moments of two series, behind covariance, correlation, REGbeta_ts and REGresid_ts. A window
 * needs both series present at every bar, so one run length covers the pair. As for single-series moments
 * the sums are taken about per-stock shifts (rebuilt on the window means) so price- or volume-sized inputs
 * keep their small window variances, and constancy of each series is tracked exactly with counts of
 * consecutive equal values, because the statistics below are undefined or exactly 0 there and rolling sums
 * would only come close.
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
  const sameX = new Int32Array(N);
  const sameY = new Int32Array(N);
  const age = new Int32Array(N);
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
  const span = n * N;
  for (let t = 0; t < T; t++) {
    const row = t * N;
    for (let j = 0; j < N; j++) {
      const i = row + j;
      const x = X[i], y = Y[i];
      if (!(present(x) && present(y))) {
        run[j] = 0;
        out[i] = NaN;
        continue;
      }
      let r = run[j];
      let a: number;
      if (r === 0) {
        cx[j] = x;
        cy[j] = y;
        sx[j] = 0;
        sy[j] = 0;
        sxx[j] = 0;
        syy[j] = 0;
        sxy[j] = 0;
        bx[j] = 0;
        by[j] = 0;
        sameX[j] = 1;
        sameY[j] = 1;
        a = 0;
      } else {
        sameX[j] = x === X[i - N] ? sameX[j] + 1 : 1;
        sameY[j] = y === Y[i - N] ? sameY[j] + 1 : 1;
        const c = cx[j], e = cy[j];
        const dx = x - c, dy = y - e;
        const xx = dx * dx, yy = dy * dy;
        let ax = sx[j] + dx, ay = sy[j] + dy, axx = sxx[j] + xx, ayy = syy[j] + yy, axy = sxy[j] + dx * dy;
        let ux = bx[j] + xx, uy = by[j] + yy;
        if (r >= n) {
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
        sx[j] = ax;
        sy[j] = ay;
        sxx[j] = axx;
        syy[j] = ayy;
        sxy[j] = axy;
        bx[j] = ux;
        by[j] = uy;
        a = age[j] + 1;
      }
      run[j] = ++r;
      let fresh = false;
      if (a >= period) {
        rebuild(X, Y, i, N, r < n ? r : n, j, st);
        a = 0;
        fresh = true;
      }
      if (r < n) {
        age[j] = a;
        out[i] = NaN;
        continue;
      }
      const constX = sameX[j] >= n, constY = sameY[j] >= n;
      if (constX || constY) {
        age[j] = a;
        // A constant x has zero covariance with anything, a zero slope on y and a zero residual; the
        // correlation, and any regression on a constant y, are undefined.
        out[i] = constY ? (mode === COVARIANCE ? 0 : NaN) : mode === CORRELATION ? NaN : 0;
        continue;
      }
      let mx = sx[j] / n, my = sy[j] / n;
      let vxx = sxx[j] - mx * sx[j], vyy = syy[j] - my * sy[j];
      if (!fresh && !(vxx > bx[j] * CANCEL_TOL && vyy > by[j] * CANCEL_TOL)) {
        rebuild(X, Y, i, N, n, j, st);
        a = 0;
        mx = sx[j] / n;
        my = sy[j] / n;
        vxx = sxx[j] - mx * sx[j];
        vyy = syy[j] - my * sy[j];
      }
      age[j] = a;
      const vxy = sxy[j] - mx * sy[j];
      let v: number;
      if (mode === COVARIANCE) {
        v = vxy / (n - 1);
      } else if (mode === CORRELATION) {
        v = vxy / Math.sqrt(vxx * vyy);
        v = v > 1 ? 1 : v < -1 ? -1 : v;
      } else {
        const beta = vxy / vyy;
        v = mode === REG_BETA ? beta : x - cx[j] - mx - beta * (y - cy[j] - my);
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

/** Recomputes one stock's sums from its last `m` bars (all present), centred on their means. */
function rebuild(X: Float32Array, Y: Float32Array, i: number, N: number, m: number, j: number, st: PairSums): void {
  let sumX = 0, sumY = 0;
  for (let k = 0, p = i; k < m; k++, p -= N) {
    sumX += X[p];
    sumY += Y[p];
  }
  const c = sumX / m, e = sumY / m;
  let ax = 0, ay = 0, axx = 0, ayy = 0, axy = 0;
  for (let k = 0, p = i; k < m; k++, p -= N) {
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
