/**
 * Composite kernel for `sign`: -1, 0 or 1, NaN for a missing input. Built from two comparisons rather than
 * tf.sign, whose result for NaN and for -0 is up to each backend; this way -0 gives +0, as on the host.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { CompositeKernel } from '../../src/ops/types.ts';
import { operands, present, stored } from './finite.ts';

export const sign: CompositeKernel = (xs) => {
  const [x] = operands('sign', xs, 1);
  const s = tf.sub(tf.cast(tf.greater(x, 0), 'float32'), tf.cast(tf.less(x, 0), 'float32'));
  return stored(s, present(x));
};
