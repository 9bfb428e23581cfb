/**
 * Composite kernel for EMA over a finite window: weight r^k on the bar k back (r = 1 - a, a = 2 / (n + 1)),
 * normalised by the sum of the n weights. The geometric weights make the weighted sum liftable: the sum over
 * a recent run of L bars plus r^L times the sum over the run before it (see window.ts), so it costs O(log n)
 * ops. r^L >= r^n, about e^-2, never underflows.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { CompositeKernel } from '../../src/ops/types.ts';
import { fillMissing, nanLike, operands, stored, windowArg } from './finite.ts';
import { liftWindow, noWindow, windowValid } from './window.ts';

export const ema: CompositeKernel = (xs, window) => {
  const [x] = operands('EMA', xs, 1);
  const n = windowArg('EMA', window, 1);
  if (noWindow(x, n)) return nanLike(x);
  const r = (n - 1) / (n + 1);
  let den = 0;
  for (let k = 0, p = 1; k < n; k++, p *= r) den += p;
  const [s] = liftWindow([fillMissing(x, 0)], n, [0], (a, b, recentLen) => [tf.add(a[0], tf.mul(b[0], Math.pow(r, recentLen)))]);
  return stored(tf.div(s, den), windowValid([x], n));
};
