/**
 * WebGL kernel for REGresid_ts, the residual at the current bar of the window's least-squares fit of x on y:
 * x[t] - (a + b y[t]). NaN for n < 2 and when y is constant over the window; a constant x (y varying) fits
 * exactly, residual 0, and so does any two-bar window. Constancy is found by comparing values.
 *
 * The residual is often far smaller than the spread of x (a high-leverage bar that pulls the line, tied points
 * on quantised data that make the fit pass through the current bar), and then every float32 formula cancels
 * away the digits the host kernel keeps in float64. So it is computed from the fit on the other n - 1 bars, by
 * the deleted-residual identity r = (1 - h) d: d = x[t] - (a' + b' y[t]) with that fit's a', b', taken in
 * double-float arithmetic (see `GLSL_DOUBLE_FLOAT`), times the leverage term 1 - h = ((n-1)/n) S'yy / Syy with
 * Syy = S'yy + ((n-1)/n) (y[t] - mean'(y))^2, a ratio of sums of squares that float32 takes without
 * cancellation. Deviations are from the current values (exact in double-float; see `scanWindow` for the
 * scale), so the current bar's are 0 and d = b' mean'(y) - mean'(x). Where the other bars' y are all equal the
 * line passes through the current bar: residual 0.
 */
import type { WebGlKernel } from '../../src/ops/types.ts';
import { GLSL_DOUBLE_FLOAT, requireWindow, runCells, scanWindow } from './program.ts';

export const reg_resid_ts: WebGlKernel = (args) =>
  runCells('reg_resid_ts', args, `
  ${requireWindow(['getX0', 'getX1'], 2)}
  ${scanWindow('getX0', 'x')}
  ${scanWindow('getX1', 'y')}
  if (!yVaries) { setOutput(NAN); return; }
  if (!xVaries || afWindow == 2) { setOutput(0.0); return; }
  float y1 = getX1(t - 1, j);
  bool othersVary = false;
  for (int k = 2; k < afWindow; k++) {
    if (getX1(t - k, j) != y1) othersVary = true;
  }
  if (!othersVary) { setOutput(0.0); return; }
  float n = float(afWindow);
  vec2 m = vec2(n - 1.0, 0.0);
  vec2 ax = vec2(0.0);
  vec2 ay = vec2(0.0);
  for (int k = 1; k < afWindow; k++) {
    ax = dfAdd(ax, dev(getX0(t - k, j), xC, xP));
    ay = dfAdd(ay, dev(getX1(t - k, j), yC, yP));
  }
  vec2 mx = dfDiv(ax, m);
  vec2 my = dfDiv(ay, m);
  vec2 syy = vec2(0.0);
  vec2 sxy = vec2(0.0);
  for (int k = 1; k < afWindow; k++) {
    vec2 dx = dfSub(dev(getX0(t - k, j), xC, xP), mx);
    vec2 dy = dfSub(dev(getX1(t - k, j), yC, yP), my);
    syy = dfAdd(syy, dfMul(dy, dy));
    sxy = dfAdd(sxy, dfMul(dx, dy));
  }
  vec2 d = dfSub(dfMul(dfDiv(sxy, syy), my), mx);
  float f = m.x / n;
  float keep = f * (syy.x / (syy.x + f * my.x * my.x));
  afEmit(keep * d.x / xP);`, {
    // The exact scaled deviation of v from c: both products are exact scalings by a power of two, and their
    // difference is kept whole as a double-float.
    functions: `${GLSL_DOUBLE_FLOAT}
vec2 dev(float v, float c, float p) { return dfTwoSum(v * p, -(c * p)); }`,
  });
