/**
 * Composite kernel for ts_Rank, the rank of x[t] within its window: with lt window values below x[t] and gt
 * above, the average 1-based rank of its tie group is (lt - gt + n + 1) / 2, divided by n. The difference
 * lt - gt is counted bar by bar (0/1 comparisons, exact in float32); it has no associative structure over
 * sub-windows, since each window compares with its own current value, so it loops over the n - 1 past bars,
 * on the tail rows only (see `lagged` in window.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { CompositeKernel } from '../../src/ops/types.ts';
import { fillMissing, nanLike, operands, stored, windowArg } from './finite.ts';
import { lagged, noWindow, sumOver, untail, windowValid } from './window.ts';

export const ts_rank: CompositeKernel = (xs, window) => {
  const [x] = operands('ts_Rank', xs, 1);
  const n = windowArg('ts_Rank', window, 1);
  if (noWindow(x, n)) return nanLike(x);
  const v = fillMissing(x, 0);
  const now = lagged(v, n, 0);
  const d =
    n === 1
      ? tf.zerosLike(now)
      : sumOver(1, n, (k) => {
          const o = lagged(v, n, k);
          return tf.sub(tf.cast(tf.less(o, now), 'float32'), tf.cast(tf.greater(o, now), 'float32'));
        });
  return untail(stored(tf.div(tf.add(d, n + 1), 2 * n), lagged(windowValid([x], n), n, 0)), n);
};
