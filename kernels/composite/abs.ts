/**
 * Composite kernel for `abs`; exact, and an infinite (missing) input is stored as NaN.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { CompositeKernel } from '../../src/ops/types.ts';
import { operands, stored } from './finite.ts';

export const abs: CompositeKernel = (xs) => {
  const [x] = operands('abs', xs, 1);
  return stored(tf.abs(x));
};
