/**
 * WebGL kernel for EMA over a finite window: weight r^k on the bar k back (r = (n-1)/(n+1)), normalised by the
 * sum of the n weights. Each fragment weighs its own window, so there is no recurrence to drift; the average is
 * taken of scaled deviations from the current value and added back to it, so a constant window gives its value
 * exactly and price-sized windows keep their digits (formed at half scale, as in ts_Mean, so that a finite
 * average is not lost to an overflowing deviation).
 */
import type { WebGlKernel } from '../../src/ops/types.ts';
import { deviation, requireWindow, runCells, scanWindow } from './program.ts';

export const ema: WebGlKernel = (args) =>
  runCells('ema', args, `
  ${requireWindow(['getX0'])}
  ${scanWindow('getX0', 'x')}
  float r = float(afWindow - 1) / float(afWindow + 1);
  float w = 1.0;
  float num = 0.0;
  float den = 0.0;
  for (int k = 0; k < afWindow; k++) {
    num += w * ${deviation('getX0', 'x')};
    den += w;
    w *= r;
  }
  afEmit(2.0 * (0.5 * xC + num / den * (0.5 / xP)));`);
