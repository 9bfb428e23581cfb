/**
 * WebGL kernel for stddev, the sample (n - 1) standard deviation over the window; NaN for n < 2 (a single bar
 * has no sample deviation). A constant window, found by comparing values, gives exactly 0, which float32
 * arithmetic would only approximate. Otherwise the mean and the squared deviations are taken in two passes over
 * scaled deviations from the current value (see `scanWindow`), and the scale is undone at the end.
 */
import type { WebGlKernel } from '../../src/ops/types.ts';
import { deviation, requireWindow, runCells, scanWindow } from './program.ts';

export const stddev: WebGlKernel = (args) =>
  runCells('stddev', args, `
  ${requireWindow(['getX0'], 2)}
  ${scanWindow('getX0', 'x')}
  if (!xVaries) { setOutput(0.0); return; }
  float n = float(afWindow);
  float s = 0.0;
  for (int k = 0; k < afWindow; k++) s += ${deviation('getX0', 'x')};
  float mean = s / n;
  float ss = 0.0;
  for (int k = 0; k < afWindow; k++) {
    float d = ${deviation('getX0', 'x')} - mean;
    ss += d * d;
  }
  afEmit(sqrt(ss / (n - 1.0)) / xP);`);
