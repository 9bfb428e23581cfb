/**
 * Composite kernel for `arctan`. atan maps ±Infinity to ±pi/2, which would turn a missing input into a value,
 * so presence is checked explicitly.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { CompositeKernel } from '../../src/ops/types.ts';
import { operands, present, stored } from './finite.ts';

export const arctan: CompositeKernel = (xs) => {
  const [x] = operands('arctan', xs, 1);
  return stored(tf.atan(x), present(x));
};
