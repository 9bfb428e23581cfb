/**
 * Composite kernel for the logistic sigmoid. tf.sigmoid saturates to 0 or 1 for large |x| as the host
 * kernel does; an infinite input would saturate too, so presence is checked explicitly.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { CompositeKernel } from '../../src/ops/types.ts';
import { operands, present, stored } from './finite.ts';

export const sig: CompositeKernel = (xs) => {
  const [x] = operands('sig', xs, 1);
  return stored(tf.sigmoid(x), present(x));
};
