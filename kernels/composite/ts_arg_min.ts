/**
 * Composite kernel for ts_ArgMin, bars since the window minimum (0 = now), ties going to the most recent bar
 * (a flat window reads 0); the position is carried through the same binary lifting as ts_Min, see
 * `windowExtreme`.
 */
import type { CompositeKernel } from '../../src/ops/types.ts';
import { nanLike, operands, stored, windowArg } from './finite.ts';
import { noWindow, windowExtreme, windowValid } from './window.ts';

export const ts_arg_min: CompositeKernel = (xs, window) => {
  const [x] = operands('ts_ArgMin', xs, 1);
  const n = windowArg('ts_ArgMin', window, 1);
  if (noWindow(x, n)) return nanLike(x);
  return stored(windowExtreme(x, n, -1, true).pos!, windowValid([x], n));
};
