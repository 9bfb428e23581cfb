/**
 * Composite kernel for stddev, the sample (n - 1) standard deviation over the window, from the centred,
 * scaled deviations of moments.ts with the scale divided back out; exactly 0 for a constant window, and NaN
 * everywhere for n = 1, which has no sample deviation.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { CompositeKernel } from '../../src/ops/types.ts';
import { nanLike, operands, select, stored, windowArg } from './finite.ts';
import { centre } from './moments.ts';
import { lagged, noWindow, sumOver, untail, windowValid } from './window.ts';

export const stddev: CompositeKernel = (xs, window) => {
  const [x] = operands('stddev', xs, 1);
  const n = windowArg('stddev', window, 1);
  if (n < 2 || noWindow(x, n)) return nanLike(x);
  const c = centre(x, n);
  const ss = sumOver(0, n, (k) => tf.square(c.dev(k))); // n^2 (n - 1) var * scale^2
  const sd = tf.div(tf.sqrt(tf.div(ss, n * n * (n - 1))), c.scale);
  return untail(stored(select(c.constant, 0, sd), lagged(windowValid([x], n), n, 0)), n);
};
