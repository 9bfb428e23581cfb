/**
 * Composite kernel for the cross-sectional percentile rank: the average 1-based rank of each stock's tie group
 * among the stocks present at its bar, divided by their number m. Pairwise comparisons would cost O(N^2) per
 * bar (hours on a few thousand stocks), so each bar is sorted instead, with tf.topk, which every backend has
 * (wasm and tfjs-node's `tensorflow` included; searchSorted and segment ops are not everywhere). Missing cells
 * sort last as +Infinity. In sorted order a tie group spans positions start..end, found by a running maximum
 * of the group starts and a running minimum of the group ends along the row (binary lifting over shifted
 * columns, O(log N) ops), so its average rank is (start + end + 2) / 2. Those ranks are then moved back to the
 * stocks' own columns by a gather through the inverse permutation, itself read off a second topk that sorts
 * the permutation. Positions and counts are small integers, exact in float32, so the result is the exact
 * ratio rounded once, as on the host.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor2D } from '@tensorflow/tfjs-core';
import type { CompositeKernel } from '../../src/ops/types.ts';
import { clean, nanLike, operands, present, select, stored } from './finite.ts';

/** Columns of `x` moved right by k (`dir` = 1) or left (`dir` = -1), the vacated columns set to `fill`. */
function shiftCols(x: Tensor2D, k: number, dir: 1 | -1, fill: number): Tensor2D {
  const [T, N] = x.shape;
  if (k >= N) return tf.fill([T, N], fill) as Tensor2D;
  const pad = tf.fill([T, k], fill) as Tensor2D;
  return dir > 0
    ? tf.concat([pad, tf.slice(x, [0, 0], [T, N - k])], 1)
    : tf.concat([tf.slice(x, [0, k], [T, N - k]), pad], 1);
}

/** Running maximum (`dir` = 1, left to right) or minimum (`dir` = -1, right to left) along each row. */
function runningExtreme(x: Tensor2D, dir: 1 | -1): Tensor2D {
  const N = x.shape[1];
  let acc = x;
  for (let k = 1; k < N; k *= 2) {
    acc = dir > 0 ? tf.maximum(acc, shiftCols(acc, k, 1, -1)) : tf.minimum(acc, shiftCols(acc, k, -1, N));
  }
  return acc;
}

export const rank: CompositeKernel = (xs) => {
  const [x] = operands('rank', xs, 1);
  const [T, N] = x.shape;
  if (T === 0 || N === 0) return nanLike(x);
  const v = clean(x);
  const p = present(v);
  const m = tf.sum(tf.cast(p, 'float32'), 1, true);
  // Ascending sort of each bar: topk sorts descending, so sort -x (missing as +Infinity, i.e. -Infinity here).
  const sorted = tf.topk(tf.neg(select(p, v, Infinity)), N, true);
  const s = tf.neg(sorted.values) as Tensor2D;
  const pos = tf.cast(tf.tile(tf.reshape(tf.range(0, N, 1, 'int32'), [1, N]), [T, 1]), 'float32') as Tensor2D;
  // NaN fill: the first (last) position always opens (closes) a group; -0 and 0 compare equal and tie.
  const opens = tf.notEqual(s, shiftCols(s, 1, 1, NaN));
  const closes = tf.notEqual(s, shiftCols(s, 1, -1, NaN));
  const start = runningExtreme(select(opens, pos, -1), 1);
  const end = runningExtreme(select(closes, pos, N), -1);
  const ranked = tf.add(tf.add(start, end), 2); // twice the average 1-based rank, in sorted order
  // Inverse permutation: sorting the permutation ascending lists, for each stock, its sorted position.
  const inv = tf.topk(tf.neg(tf.cast(sorted.indices, 'float32')), N, true).indices;
  const rowBase = tf.reshape(tf.mul(tf.range(0, T, 1, 'int32'), tf.scalar(N, 'int32')), [T, 1]);
  const flat = tf.reshape(tf.add(inv, rowBase), [T * N]);
  const back = tf.reshape(tf.gather(tf.reshape(ranked, [T * N]), flat), [T, N]);
  return stored(tf.div(back, tf.mul(m, 2)), p);
};
