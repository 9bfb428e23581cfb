/**
 * Composite kernel for the elementwise `min`, NaN if either side is missing; a comparison and a select for
 * the same reason as `max`.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { CompositeKernel } from '../../src/ops/types.ts';
import { allPresent, operands, select, stored } from './finite.ts';

export const min: CompositeKernel = (xs) => {
  const [x, y] = operands('min', xs, 2);
  return stored(select(tf.lessEqual(x, y), x, y), allPresent([x, y]));
};
