/**
 * Composite kernel for `sub`: float32 subtraction; missing operands and overflow come out non-finite and are
 * stored as NaN (Infinity - Infinity is already NaN).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { CompositeKernel } from '../../src/ops/types.ts';
import { operands, stored } from './finite.ts';

export const sub: CompositeKernel = (xs) => {
  const [x, y] = operands('sub', xs, 2);
  return stored(tf.sub(x, y));
};
