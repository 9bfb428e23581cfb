/**
 * WebGL kernel for ts_Skew, the adjusted Fisher-Pearson sample skewness (pandas' rolling skew):
 * sqrt(n(n-1)) / (n-2) * m3 / m2^1.5 with central moments m2, m3. NaN for n < 3 (the correction needs three
 * bars) and for a constant window, found by comparing values. The skewness does not depend on scale, so the
 * moments are taken, in two passes, of scaled deviations from the current value (see `scanWindow`), whose cubes
 * stay finite even for volume-sized data.
 */
import type { WebGlKernel } from '../../src/ops/types.ts';
import { deviation, requireWindow, runCells, scanWindow } from './program.ts';

export const ts_skew: WebGlKernel = (args) =>
  runCells('ts_skew', args, `
  ${requireWindow(['getX0'], 3)}
  ${scanWindow('getX0', 'x')}
  if (!xVaries) { setOutput(NAN); return; }
  float n = float(afWindow);
  float s = 0.0;
  for (int k = 0; k < afWindow; k++) s += ${deviation('getX0', 'x')};
  float mean = s / n;
  float s2 = 0.0;
  float s3 = 0.0;
  for (int k = 0; k < afWindow; k++) {
    float d = ${deviation('getX0', 'x')} - mean;
    float dd = d * d;
    s2 += dd;
    s3 += dd * d;
  }
  float m2 = s2 / n;
  float m3 = s3 / n;
  afEmit(sqrt(n * (n - 1.0)) / (n - 2.0) * m3 / (m2 * sqrt(m2)));`);
