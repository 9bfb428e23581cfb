/**
 * Composite kernel for `delay`, x[t-n]: a row shift of the time-major panel with NaN for the first n bars.
 * Only x[t-n] is read, so a gap between the two bars does not matter.
 */
import type { CompositeKernel } from '../../src/ops/types.ts';
import { clean, operands, windowArg } from './finite.ts';
import { shiftDown } from './window.ts';

export const delay: CompositeKernel = (xs, window) => {
  const [x] = operands('delay', xs, 1);
  return shiftDown(clean(x), windowArg('delay', window, 0), NaN);
};
