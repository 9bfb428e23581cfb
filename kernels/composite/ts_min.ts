/**
 * Composite kernel for ts_Min, the window minimum, by binary lifting over shifted copies (see window.ts);
 * selected, not computed, so the stored value is one of the window's own values.
 */
import type { CompositeKernel } from '../../src/ops/types.ts';
import { nanLike, operands, stored, windowArg } from './finite.ts';
import { noWindow, windowExtreme, windowValid } from './window.ts';

export const ts_min: CompositeKernel = (xs, window) => {
  const [x] = operands('ts_Min', xs, 1);
  const n = windowArg('ts_Min', window, 1);
  if (noWindow(x, n)) return nanLike(x);
  return stored(windowExtreme(x, n, -1, false).value, windowValid([x], n));
};
