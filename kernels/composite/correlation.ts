/**
 * Composite kernel for the Pearson correlation over the window, from the scaled co-moments of
 * moments.ts (the correlation is scale-free), clamped to [-1, 1] because rounding can step just outside it;
 * NaN when x or y is constant over the window, and so for n = 1.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { CompositeKernel } from '../../src/ops/types.ts';
import { nanLike, operands, stored, windowArg } from './finite.ts';
import { coMoments } from './moments.ts';
import { noWindow, untail } from './window.ts';

export const correlation: CompositeKernel = (xs, window) => {
  const [x, y] = operands('correlation', xs, 2);
  const n = windowArg('correlation', window, 1);
  if (n < 2 || noWindow(x, n)) return nanLike(x);
  const m = coMoments(x, y, n);
  const r = tf.clipByValue(tf.div(m.sxy, tf.sqrt(tf.mul(m.sxx, m.syy))), -1, 1);
  const defined = tf.logicalNot(tf.logicalOr(m.x.constant, m.y.constant));
  return untail(stored(r, tf.logicalAnd(m.valid, defined)), n);
};
