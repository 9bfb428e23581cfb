/**
 * Composite kernel for decay_linear, the average with weights n (current bar) down to 1 (oldest). It lifts
 * the pair (S, W) of plain and weighted sums over a run (weights L down to 1 for a run of L bars): joining a
 * recent run A of L bars to the older run B before it gives S = S_A + S_B and W = W_A + |B| S_A + W_B, since
 * every weight of A grows by the length of B; all coefficients are positive, so nothing cancels.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { CompositeKernel } from '../../src/ops/types.ts';
import { fillMissing, nanLike, operands, stored, windowArg } from './finite.ts';
import { liftWindow, noWindow, windowValid } from './window.ts';

export const decay_linear: CompositeKernel = (xs, window) => {
  const [x] = operands('decay_linear', xs, 1);
  const n = windowArg('decay_linear', window, 1);
  if (noWindow(x, n)) return nanLike(x);
  const v = fillMissing(x, 0);
  const [, w] = liftWindow([v, v], n, [0, 0], (a, b, _recentLen, olderLen) => [
    tf.add(a[0], b[0]),
    tf.add(tf.add(a[1], tf.mul(a[0], olderLen)), b[1]),
  ]);
  return stored(tf.div(w, (n * (n + 1)) / 2), windowValid([x], n));
};
