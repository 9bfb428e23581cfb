/**
 * Composite kernel for `neg`; negation is exact, and an infinite (missing) input is stored as NaN.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { CompositeKernel } from '../../src/ops/types.ts';
import { operands, stored } from './finite.ts';

export const neg: CompositeKernel = (xs) => {
  const [x] = operands('neg', xs, 1);
  return stored(tf.neg(x));
};
