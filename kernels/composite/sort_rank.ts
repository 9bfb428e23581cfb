/**
 * Sorting and average ranks along the rows of a panel from standard tfjs ops, shared by the composite `rank`
 * operator and the composite metrics. Pairwise comparisons would cost O(N^2) per row (hours on a few thousand
 * stocks), so each row is sorted instead, with tf.topk, which every backend has (wasm and tfjs-node's
 * `tensorflow` included; searchSorted and segment ops are not everywhere). Cells left out sort last as
 * +Infinity. In sorted order a tie group spans positions start..end, found by a running maximum of the group
 * starts and a running minimum of the group ends along the row (binary lifting over shifted columns, O(log N)
 * ops), so twice its average 1-based rank is start + end + 2. Those ranks are moved back to the stocks' own
 * columns by a gather through the inverse permutation, itself read off a second topk that sorts the
 * permutation. Positions and counts are small integers, exact in float32.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor2D } from '@tensorflow/tfjs-core';
import { select } from './finite.ts';

/**
 * Cells of `[rows, N]` per block of the composite metrics: their panel-sized intermediates are 16 MB each,
 * whatever the population's size.
 */
export const BLOCK_CELLS = 2 ** 22;

/** Columns of `x` moved right by k (`dir` = 1) or left (`dir` = -1), the vacated columns set to `fill`. */
export function shiftCols(x: Tensor2D, k: number, dir: 1 | -1, fill: number): Tensor2D {
  const [T, N] = x.shape;
  if (k >= N) return tf.fill([T, N], fill) as Tensor2D;
  const pad = tf.fill([T, k], fill) as Tensor2D;
  return dir > 0
    ? tf.concat([pad, tf.slice(x, [0, 0], [T, N - k])], 1)
    : tf.concat([tf.slice(x, [0, k], [T, N - k]), pad], 1);
}

/**
 * Running maximum (`dir` = 1, left to right) or minimum (`dir` = -1, right to left) along each row. The fill of
 * the vacated columns (-1 and N) is neutral for the positions and day indices it is used on.
 */
export function runningExtreme(x: Tensor2D, dir: 1 | -1): Tensor2D {
  const N = x.shape[1];
  let acc = x;
  // Each step's shifted copy and the previous running value are freed at once, not at the caller's tidy: on a
  // 5,000-stock panel the 13 steps would otherwise hold 50 panel-sized tensors.
  for (let k = 1; k < N; k *= 2) {
    const prev = acc;
    acc = tf.tidy(() => (dir > 0 ? tf.maximum(prev, shiftCols(prev, k, 1, -1)) : tf.minimum(prev, shiftCols(prev, k, -1, N))));
    if (prev !== x) prev.dispose();
  }
  return acc;
}

/** Column positions 0..N-1 as float32, one row per row of `x`. */
export function positions(T: number, N: number): Tensor2D {
  return tf.cast(tf.tile(tf.reshape(tf.range(0, N, 1, 'int32'), [1, N]), [T, 1]), 'float32') as Tensor2D;
}

/** `v` read at each row's own flat indices `cols` (int32 `[T, K]`, 0..N-1): `out[t][k] = v[t][cols[t][k]]`. */
export function gatherRows(v: Tensor2D, cols: Tensor2D): Tensor2D {
  const [T, N] = v.shape;
  const K = cols.shape[1];
  const rowBase = tf.reshape(tf.mul(tf.range(0, T, 1, 'int32'), tf.scalar(N, 'int32')), [T, 1]);
  const flat = tf.reshape(tf.add(tf.cast(cols, 'int32'), rowBase), [T * K]);
  return tf.reshape(tf.gather(tf.reshape(v, [T * N]), flat), [T, K]);
}

export interface SortedRanks {
  /** Each row's values where `p` holds, ascending, then +Infinity for the rest. */
  readonly sorted: Tensor2D;
  /** Twice the average 1-based rank of each cell among its row's cells where `p` holds; meaningless elsewhere. */
  readonly twice: Tensor2D;
}

/** Sorted rows and tie-averaged ranks of `v` (finite where `p` holds) among the cells where `p` holds. */
export function sortedRanks(v: Tensor2D, p: Tensor2D): SortedRanks {
  const [sorted, twice] = tf.tidy(() => {
    const r = sortedRanksIn(v, p);
    return [r.sorted, r.twice];
  }) as [Tensor2D, Tensor2D];
  return { sorted, twice };
}

function sortedRanksIn(v: Tensor2D, p: Tensor2D): SortedRanks {
  const [T, N] = v.shape;
  // Ascending sort of each row: topk sorts descending, so sort -v (left-out cells as -Infinity there).
  const top = tf.topk(tf.neg(select(p, v, Infinity)), N, true);
  const sorted = tf.neg(top.values) as Tensor2D;
  const pos = positions(T, N);
  // NaN fill: the first (last) position always opens (closes) a group; -0 and 0 compare equal and tie.
  const opens = tf.notEqual(sorted, shiftCols(sorted, 1, 1, NaN));
  const closes = tf.notEqual(sorted, shiftCols(sorted, 1, -1, NaN));
  const start = runningExtreme(select(opens, pos, -1), 1);
  const end = runningExtreme(select(closes, pos, N), -1);
  const ranked = tf.add(tf.add(start, end), 2) as Tensor2D;
  // Inverse permutation: sorting the permutation ascending lists, for each stock, its sorted position.
  const inv = tf.topk(tf.neg(tf.cast(top.indices, 'float32')), N, true).indices as Tensor2D;
  return { sorted, twice: gatherRows(ranked, inv) };
}
