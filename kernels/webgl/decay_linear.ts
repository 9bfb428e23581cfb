/**
 * WebGL kernel for decay_linear, the average with weights n (current bar) down to 1 (oldest), normalised by
 * n(n+1)/2. As for EMA, the weighted average is of scaled deviations from the current value, added back to it,
 * so a constant window gives its value exactly and price-sized windows keep their digits (formed at half scale, as in ts_Mean, so that a finite
 * average is not lost to an overflowing deviation).
 */
import type { WebGlKernel } from '../../src/ops/types.ts';
import { deviation, requireWindow, runCells, scanWindow } from './program.ts';

export const decay_linear: WebGlKernel = (args) =>
  runCells('decay_linear', args, `
  ${requireWindow(['getX0'])}
  ${scanWindow('getX0', 'x')}
  float num = 0.0;
  for (int k = 0; k < afWindow; k++) num += float(afWindow - k) * ${deviation('getX0', 'x')};
  float den = float(afWindow) * float(afWindow + 1) * 0.5;
  afEmit(2.0 * (0.5 * xC + num / den * (0.5 / xP)));`);
