/**
 * Composite kernel for REGbeta_ts, the least-squares slope cov(x, y) / var(y) of x on y over the window, from
 * the scaled co-moments of moments.ts, with the scales divided back out. NaN when y is constant (and so for
 * n = 1); exactly 0 when x is constant and y is not, as on the host.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { CompositeKernel } from '../../src/ops/types.ts';
import { nanLike, operands, select, stored, windowArg } from './finite.ts';
import { coMoments } from './moments.ts';
import { noWindow, untail } from './window.ts';

export const reg_beta_ts: CompositeKernel = (xs, window) => {
  const [x, y] = operands('REGbeta_ts', xs, 2);
  const n = windowArg('REGbeta_ts', window, 1);
  if (n < 2 || noWindow(x, n)) return nanLike(x);
  const m = coMoments(x, y, n);
  const beta = tf.mul(tf.div(m.sxy, m.syy), tf.div(m.y.scale, m.x.scale));
  return untail(stored(select(m.x.constant, 0, beta), tf.logicalAnd(m.valid, tf.logicalNot(m.y.constant))), n);
};
