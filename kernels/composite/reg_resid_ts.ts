/**
 * Composite kernel for REGresid_ts, the residual now of the window's least-squares fit of x on y,
 * x[t] - (a + b y[t]) with a = mean(x) - b mean(y), i.e. (x[t] - mean(x)) - b (y[t] - mean(y)). moments.ts
 * sums the differences from the current values, S_x = sum(x[t-k] - x[t]) = n (mean(x) - x[t]), so this is
 * (b S_y - S_x) / n, with no large terms left to cancel. NaN when y is constant (and so for n = 1); exactly 0 when x is constant and y is not, and for
 * n = 2, where the line through two points with distinct y fits both exactly, as on the host.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { CompositeKernel } from '../../src/ops/types.ts';
import { nanLike, operands, select, stored, windowArg } from './finite.ts';
import { coMoments } from './moments.ts';
import { noWindow, untail } from './window.ts';

export const reg_resid_ts: CompositeKernel = (xs, window) => {
  const [x, y] = operands('REGresid_ts', xs, 2);
  const n = windowArg('REGresid_ts', window, 1);
  if (n < 2 || noWindow(x, n)) return nanLike(x);
  const m = coMoments(x, y, n);
  const beta = tf.mul(tf.div(m.sxy, m.syy), tf.div(m.y.scale, m.x.scale));
  const resid = n === 2 ? tf.zerosLike(beta) : tf.div(tf.sub(tf.mul(beta, m.y.sum), m.x.sum), n);
  return untail(stored(select(m.x.constant, 0, resid), tf.logicalAnd(m.valid, tf.logicalNot(m.y.constant))), n);
};
