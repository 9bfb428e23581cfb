/**
 * Composite kernel for ts_Skew, the adjusted Fisher-Pearson skewness (pandas' rolling skew),
 * sqrt(n(n-1))/(n-2) * m3 / m2^1.5 from the centred, scaled deviations of moments.ts (the skewness is
 * scale-free, so the scale cancels). NaN for a constant window and for n < 3.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { CompositeKernel } from '../../src/ops/types.ts';
import { nanLike, operands, stored, windowArg } from './finite.ts';
import { centre } from './moments.ts';
import { lagged, noWindow, sumsOver, untail, windowValid } from './window.ts';

export const ts_skew: CompositeKernel = (xs, window) => {
  const [x] = operands('ts_Skew', xs, 1);
  const n = windowArg('ts_Skew', window, 1);
  if (n < 3 || noWindow(x, n)) return nanLike(x);
  const c = centre(x, n);
  const [s2, s3] = sumsOver(0, n, (k) => {
    const e = c.dev(k);
    const e2 = tf.square(e);
    return [e2, tf.mul(e2, e)];
  });
  // With u = n (x - mean): m3 / m2^1.5 = sqrt(n) * sum(u^3) / sum(u^2)^1.5, and the scale cancels.
  const skew = tf.mul(tf.div(s3, tf.mul(s2, tf.sqrt(s2))), (Math.sqrt(n) * Math.sqrt(n * (n - 1))) / (n - 2));
  return untail(stored(skew, tf.logicalAnd(lagged(windowValid([x], n), n, 0), tf.logicalNot(c.constant))), n);
};
