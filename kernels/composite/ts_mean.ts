/**
 * Composite kernel for ts_Mean: the same window sum as ts_Sum, divided by n.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { CompositeKernel } from '../../src/ops/types.ts';
import { fillMissing, nanLike, operands, stored, windowArg } from './finite.ts';
import { noWindow, windowSum, windowValid } from './window.ts';

export const ts_mean: CompositeKernel = (xs, window) => {
  const [x] = operands('ts_Mean', xs, 1);
  const n = windowArg('ts_Mean', window, 1);
  if (noWindow(x, n)) return nanLike(x);
  return stored(tf.div(windowSum(fillMissing(x, 0), n), n), windowValid([x], n));
};
