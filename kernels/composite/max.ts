/**
 * Composite kernel for the elementwise `max`, NaN if either side is missing. Chosen with a comparison and a
 * select rather than tf.maximum, whose handling of NaN differs between backends.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { CompositeKernel } from '../../src/ops/types.ts';
import { allPresent, operands, select, stored } from './finite.ts';

export const max: CompositeKernel = (xs) => {
  const [x, y] = operands('max', xs, 2);
  return stored(select(tf.greaterEqual(x, y), x, y), allPresent([x, y]));
};
