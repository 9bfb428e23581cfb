/**
 * Composite kernel for ts_Sum: a pairwise sum of the window's own bars by binary lifting (see window.ts),
 * NaN unless every bar of the window is present; an overflowing sum is stored as NaN.
 */
import type { CompositeKernel } from '../../src/ops/types.ts';
import { fillMissing, nanLike, operands, stored, windowArg } from './finite.ts';
import { noWindow, windowSum, windowValid } from './window.ts';

export const ts_sum: CompositeKernel = (xs, window) => {
  const [x] = operands('ts_Sum', xs, 1);
  const n = windowArg('ts_Sum', window, 1);
  if (noWindow(x, n)) return nanLike(x);
  return stored(windowSum(fillMissing(x, 0), n), windowValid([x], n));
};
