/**
 * WebGPU kernel for REGresid_ts, the residual at the current bar of the window's least-squares fit of x on y,
 * x[t] - (a + b y[t]): one thread per cell, three passes over its window. NaN when y is constant over the
 * window (every one-bar window), 0 when x is, and 0 for two-bar windows, which any line through two points
 * with distinct y fits exactly.
 *
 * The textbook form (x[t] - mean x) - b (y[t] - mean y) is a small difference of large terms whenever the
 * window holds a high-leverage bar (an outlying y that the line follows): both terms then carry that bar's
 * size and float32 keeps only ~7 of their digits. So the fit is split at that pivot bar p (the bar whose y is
 * farthest from the window mean): the other n - 1 bars A, a well-conditioned cluster, are fitted in float32
 * (means, then centred sums Syy, Sxy over A), and bar p is added back in closed form. In deviations u from
 * A's means, with m = n - 1 and Q = Syy (1 + 1/m) + uy_p^2, the full fit's residual at t != p is
 *   [(1 + 1/m)(Syy ux_t - Sxy uy_t) + uy_p (ux_t uy_p - uy_t ux_p) + (Sxy uy_p - Syy ux_p) / m] / Q
 * (the rank-one update of A's fit by bar p, with the factor Syy cancelled so that a flat A needs no special
 * case), and for t = p it is (1 - h_t) times A's prediction error at y[t]:
 *   f (Syy ux_t - Sxy uy_t) / (Syy + f uy_t^2),  f = m / n.
 * Terms in the pivot's size now appear only in ratios and cross products, so the error scales with the
 * cluster, not the outlier. Deviations are taken from the current values (so ux_t = -mean of A's dx) and
 * divided by powers of two as in `momentsBody` (program.ts), undone at the end.
 */
import type { WebGpuKernel } from '../../src/ops/types.ts';
import { runCells } from './program.ts';

export const reg_resid_ts: WebGpuKernel = (args) =>
  runCells(args, 'reg_resid_ts', 2, true, `
    let n = uniforms.window;
    if (n < 2 || t < n - 1) { return uniforms.NAN; }
    let cx = X[i];
    let cy = Y[i];
    if (af_missing(cx) || af_missing(cy)) { return uniforms.NAN; }
    // Pass 1: presence, constancy, the largest deviations (for the scales) and the extremes of y (the pivot).
    var sy = 0.0;
    var py = 0.0;
    var bx = 0.0;
    var by = 0.0;
    var ylo = 0.0;
    var yhi = 0.0;
    var klo = 0;
    var khi = 0;
    for (var k = 1; k < n; k++) {
      let p = i - k * N;
      let vx = X[p];
      let vy = Y[p];
      if (af_missing(vx) || af_missing(vy)) { return uniforms.NAN; }
      let dx = vx - cx;
      let dy = vy - cy;
      py += dy;
      bx = max(bx, abs(dx));
      by = max(by, abs(dy));
      if (dy < ylo) { ylo = dy; klo = k; }
      if (dy > yhi) { yhi = dy; khi = k; }
      if ((k & 31) == 31) { sy += py; py = 0.0; }
    }
    sy += py;
    if (by == 0.0) { return uniforms.NAN; }
    if (bx == 0.0 || n == 2) { return 0.0; }
    let nf = f32(n);
    let mf = nf - 1.0;
    let ymean = sy / nf;
    let piv = select(khi, klo, ymean - ylo > yhi - ymean);
    let ex = af_scale_exp(bx);
    let scx = af_pow2(-ex);
    let scy = af_pow2(-af_scale_exp(by));
    // Pass 2: means of the scaled deviations over A (the window without the pivot).
    var ax = 0.0;
    var ay = 0.0;
    var qx = 0.0;
    var qy = 0.0;
    for (var k = 0; k < n; k++) {
      if (k != piv) {
        let p = i - k * N;
        qx += (X[p] - cx) * scx;
        qy += (Y[p] - cy) * scy;
      }
      if ((k & 31) == 31) { ax += qx; ay += qy; qx = 0.0; qy = 0.0; }
    }
    ax += qx;
    ay += qy;
    let mx = ax / mf;
    let my = ay / mf;
    // Pass 3: centred sums over A.
    var syy = 0.0;
    var sxy = 0.0;
    var pyy = 0.0;
    var pxy = 0.0;
    for (var k = 0; k < n; k++) {
      if (k != piv) {
        let p = i - k * N;
        let ux = (X[p] - cx) * scx - mx;
        let uy = (Y[p] - cy) * scy - my;
        pyy += uy * uy;
        pxy += ux * uy;
      }
      if ((k & 31) == 31) { syy += pyy; sxy += pxy; pyy = 0.0; pxy = 0.0; }
    }
    syy += pyy;
    sxy += pxy;
    let uxt = -mx;
    let uyt = -my;
    var r = 0.0;
    if (piv == 0) {
      let f = mf / nf;
      r = f * (syy * uxt - sxy * uyt) / (syy + f * uyt * uyt);
    } else {
      let p = i - piv * N;
      let uxp = (X[p] - cx) * scx - mx;
      let uyp = (Y[p] - cy) * scy - my;
      let g = 1.0 + 1.0 / mf;
      r = (g * (syy * uxt - sxy * uyt) + uyp * (uxt * uyp - uyt * uxp) + (sxy * uyp - syy * uxp) / mf)
        / (syy * g + uyp * uyp);
    }
    return r * af_pow2(ex);`);
