/**
 * Composite kernel for the cross-sectional percentile rank: the average 1-based rank of each stock's tie group
 * among the stocks present at its bar, divided by their number m. The ranks come from sorting each bar
 * (sort_rank.ts); they are exact small integers in float32, so the result is the exact ratio rounded once, as
 * on the host.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { CompositeKernel } from '../../src/ops/types.ts';
import { clean, nanLike, operands, present, stored } from './finite.ts';
import { sortedRanks } from './sort_rank.ts';

export const rank: CompositeKernel = (xs) => {
  const [x] = operands('rank', xs, 1);
  const [T, N] = x.shape;
  if (T === 0 || N === 0) return nanLike(x);
  const v = clean(x);
  const p = present(v);
  const m = tf.sum(tf.cast(p, 'float32'), 1, true);
  return stored(tf.div(sortedRanks(v, p).twice, tf.mul(m, 2)), p);
};
