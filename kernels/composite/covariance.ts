/**
 * Composite kernel for covariance, the sample (n - 1) covariance of x and y over the window, from the
 * co-moments of moments.ts with both scales divided back out (one at a time, so that the product of two
 * small scales cannot underflow before it is applied). A constant x or y has exactly zero
 * covariance, as on the host; n = 1 is NaN everywhere.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { CompositeKernel } from '../../src/ops/types.ts';
import { nanLike, operands, select, stored, windowArg } from './finite.ts';
import { coMoments } from './moments.ts';
import { noWindow, untail } from './window.ts';

export const covariance: CompositeKernel = (xs, window) => {
  const [x, y] = operands('covariance', xs, 2);
  const n = windowArg('covariance', window, 1);
  if (n < 2 || noWindow(x, n)) return nanLike(x);
  const m = coMoments(x, y, n);
  const cov = tf.div(tf.div(tf.div(m.sxy, n * n * (n - 1)), m.x.scale), m.y.scale);
  return untail(stored(select(tf.logicalOr(m.x.constant, m.y.constant), 0, cov), m.valid), n);
};
