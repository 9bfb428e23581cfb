/**
 * Composite kernel for `add`: float32 addition. A missing operand (NaN, or an infinity read as missing) and
 * an overflowing sum both come out non-finite, which the storage rule turns into NaN.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { CompositeKernel } from '../../src/ops/types.ts';
import { operands, stored } from './finite.ts';

export const add: CompositeKernel = (xs) => {
  const [x, y] = operands('add', xs, 2);
  return stored(tf.add(x, y));
};
