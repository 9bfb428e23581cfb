/**
 * Composite kernel for the cross-sectional `scale`, x / sum(|x|) over the stocks present at each bar; NaN
 * where that sum is 0 (all present values zero) or no stock is present.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { CompositeKernel } from '../../src/ops/types.ts';
import { clean, nanLike, operands, present, select, stored } from './finite.ts';

export const scale: CompositeKernel = (xs) => {
  const [x] = operands('scale', xs, 1);
  const [T, N] = x.shape;
  if (T === 0 || N === 0) return nanLike(x);
  const v = clean(x);
  const p = present(v);
  const sum = tf.sum(select(p, tf.abs(v), 0), 1, true);
  return stored(tf.div(v, sum), tf.logicalAnd(p, tf.greater(sum, 0)));
};
