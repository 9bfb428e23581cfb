/**
 * Composite kernel for gplearn's protected logarithm: log(|x|) if |x| > 0.001, else 0, NaN for a missing
 * input. As in `div`, the float32 form of "|x| > 0.001" is |x| >= fround(0.001).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { CompositeKernel } from '../../src/ops/types.ts';
import { operands, present, select, stored } from './finite.ts';

/** The smallest float32 above 0.001. */
const THRESHOLD = Math.fround(0.001);

export const log: CompositeKernel = (xs) => {
  const [x] = operands('log', xs, 1);
  const a = tf.abs(x);
  return stored(select(tf.greaterEqual(a, THRESHOLD), tf.log(a), 0), present(x));
};
