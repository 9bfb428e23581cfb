/**
 * Composite kernel for gplearn's protected square root, sqrt(|x|); an infinite (missing) input is stored as
 * NaN.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { CompositeKernel } from '../../src/ops/types.ts';
import { operands, stored } from './finite.ts';

export const sqrt: CompositeKernel = (xs) => {
  const [x] = operands('sqrt', xs, 1);
  return stored(tf.sqrt(tf.abs(x)));
};
