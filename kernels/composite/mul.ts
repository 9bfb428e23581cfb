/**
 * Composite kernel for `mul`. The float32 product of two float32 values is the exact product rounded once,
 * as the host kernel's float64 product narrowed to float32; 0 * Infinity is NaN and any other missing or
 * overflowing product is infinite, so the storage rule alone gives the NaN rule.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { CompositeKernel } from '../../src/ops/types.ts';
import { operands, stored } from './finite.ts';

export const mul: CompositeKernel = (xs) => {
  const [x, y] = operands('mul', xs, 2);
  return stored(tf.mul(x, y));
};
