/**
 * WebGL kernel for ts_Sum, the sum over the last n bars (all present, else NaN). Each fragment sums its own
 * window, so there is no running sum to drift; the terms are summed as scaled deviations from the current
 * value and the window's mean deviation is added back to it before multiplying by n, which keeps the digits of
 * windows far from zero. The mean is formed at half scale, since the value plus its mean deviation can be finite
 * while the deviation itself (up to twice the largest float32) is not, or n times the value overflows.
 */
import type { WebGlKernel } from '../../src/ops/types.ts';
import { deviation, requireWindow, runCells, scanWindow } from './program.ts';

export const ts_sum: WebGlKernel = (args) =>
  runCells('ts_sum', args, `
  ${requireWindow(['getX0'])}
  ${scanWindow('getX0', 'x')}
  float s = 0.0;
  for (int k = 0; k < afWindow; k++) s += ${deviation('getX0', 'x')};
  float mid = 0.5 * xC + s / float(afWindow) * (0.5 / xP);
  afEmit(float(afWindow) * (2.0 * mid));`);
