/**
 * WebGL kernel for the Pearson correlation over the window, both series present at every bar. NaN for n < 2
 * and when either series is constant over the window (found by comparing values, not by a float32 variance
 * coming out 0). The correlation does not depend on scale, so the scaled co-moments are used as they are;
 * rounding can step just outside [-1, 1], hence the clamp.
 */
import type { WebGlKernel } from '../../src/ops/types.ts';
import { PAIR_SUMS, requireWindow, runCells, scanWindow } from './program.ts';

export const correlation: WebGlKernel = (args) =>
  runCells('correlation', args, `
  ${requireWindow(['getX0', 'getX1'], 2)}
  ${scanWindow('getX0', 'x')}
  ${scanWindow('getX1', 'y')}
  if (!xVaries || !yVaries) { setOutput(NAN); return; }
  ${PAIR_SUMS}
  afEmit(clamp(sxy / (sqrt(sxx) * sqrt(syy)), -1.0, 1.0));`);
