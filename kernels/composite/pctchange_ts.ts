/**
 * Composite kernel for `pctchange_ts`, x[t] / x[t-n] - 1, reading only the two end bars. A zero base has no
 * percentage change and is NaN (not an infinity, which the storage rule would also catch, but a 0/0 would
 * not), and a missing base is NaN rather than the -1 that a finite value over an infinite one would give.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { CompositeKernel } from '../../src/ops/types.ts';
import { clean, operands, stored, windowArg } from './finite.ts';
import { shiftDown } from './window.ts';

export const pctchange_ts: CompositeKernel = (xs, window) => {
  const [x] = operands('pctchange_ts', xs, 1);
  const v = clean(x);
  const base = shiftDown(v, windowArg('pctchange_ts', window, 0), NaN);
  return stored(tf.sub(tf.div(v, base), 1), tf.notEqual(base, 0));
};
