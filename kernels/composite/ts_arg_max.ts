/**
 * Composite kernel for ts_ArgMax, bars since the window maximum (0 = now), ties going to the most recent bar
 * (a flat window reads 0); the position is carried through the same binary lifting as ts_Max, see
 * `windowExtreme`.
 */
import type { CompositeKernel } from '../../src/ops/types.ts';
import { nanLike, operands, stored, windowArg } from './finite.ts';
import { noWindow, windowExtreme, windowValid } from './window.ts';

export const ts_arg_max: CompositeKernel = (xs, window) => {
  const [x] = operands('ts_ArgMax', xs, 1);
  const n = windowArg('ts_ArgMax', window, 1);
  if (noWindow(x, n)) return nanLike(x);
  return stored(windowExtreme(x, n, 1, true).pos!, windowValid([x], n));
};
