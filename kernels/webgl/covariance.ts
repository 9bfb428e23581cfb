/**
 * WebGL kernel for covariance, the sample (n - 1) covariance of x and y over the window, both present at every
 * bar; NaN for n < 2. A series that is constant over the window (found by comparing values) has covariance
 * exactly 0 with anything. Otherwise the co-moments are taken of scaled deviations (see `PAIR_SUMS`) and the two
 * scales undone together: their product is a power of two that over- or underflows only where the result
 * does, whereas undoing one at a time can overflow in between.
 */
import type { WebGlKernel } from '../../src/ops/types.ts';
import { PAIR_SUMS, requireWindow, runCells, scanWindow } from './program.ts';

export const covariance: WebGlKernel = (args) =>
  runCells('covariance', args, `
  ${requireWindow(['getX0', 'getX1'], 2)}
  ${scanWindow('getX0', 'x')}
  ${scanWindow('getX1', 'y')}
  if (!xVaries || !yVaries) { setOutput(0.0); return; }
  ${PAIR_SUMS}
  afEmit(sxy / (n - 1.0) / (xP * yP));`);
