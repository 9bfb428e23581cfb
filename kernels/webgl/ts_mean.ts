/**
 * WebGL kernel for ts_Mean, the mean over the last n bars (all present, else NaN): the current value plus the
 * mean of the window's scaled deviations from it, so that a constant window gives its value exactly and
 * price-sized windows keep their digits. It is formed at half scale because the mean deviation alone can
 * overflow (up to twice the largest float32) where the mean does not.
 */
import type { WebGlKernel } from '../../src/ops/types.ts';
import { deviation, requireWindow, runCells, scanWindow } from './program.ts';

export const ts_mean: WebGlKernel = (args) =>
  runCells('ts_mean', args, `
  ${requireWindow(['getX0'])}
  ${scanWindow('getX0', 'x')}
  float s = 0.0;
  for (int k = 0; k < afWindow; k++) s += ${deviation('getX0', 'x')};
  float mid = 0.5 * xC + s / float(afWindow) * (0.5 / xP);
  afEmit(2.0 * mid);`);
