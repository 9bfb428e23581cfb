/**
 * Composite kernel for `delta`, x[t] - x[t-n]: a subtraction of the row-shifted panel, reading only the two
 * end bars. A missing end, and an overflowing difference, come out non-finite and are stored as NaN.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { CompositeKernel } from '../../src/ops/types.ts';
import { clean, operands, stored, windowArg } from './finite.ts';
import { shiftDown } from './window.ts';

export const delta: CompositeKernel = (xs, window) => {
  const [x] = operands('delta', xs, 1);
  const v = clean(x);
  return stored(tf.sub(v, shiftDown(v, windowArg('delta', window, 0), NaN)));
};
