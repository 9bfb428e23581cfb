/**
 * Composite kernel for gplearn's protected division: x / y if |y| > 0.001, else 1, NaN if either operand is
 * missing. The test is made on float32 values against a float32 scalar, and 0.001 is not a float32: the host
 * kernel compares with the real 0.001, so the equivalent float32 test is |y| >= fround(0.001), the smallest
 * float32 above 0.001 (a plain `> 0.001` scalar would round to that same float32 and wrongly refuse to
 * divide by it). Presence is checked explicitly, since a missing y fails the test and would otherwise give 1.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { CompositeKernel } from '../../src/ops/types.ts';
import { allPresent, operands, select, stored } from './finite.ts';

/** The smallest float32 above 0.001. */
const THRESHOLD = Math.fround(0.001);

export const div: CompositeKernel = (xs) => {
  const [x, y] = operands('div', xs, 2);
  const divides = tf.greaterEqual(tf.abs(y), THRESHOLD);
  return stored(select(divides, tf.div(x, y), 1), allPresent([x, y]));
};
