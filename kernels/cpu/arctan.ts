/**
 * Host kernel for `arctan`. atan maps ±Infinity to ±pi/2, which would resurrect a missing (infinite) input
 * as a value, so x - x (0, or NaN when missing) is added to the result.
 */
import type { HostKernel } from '../../src/ops/types.ts';
import { checkPanels } from './panel.ts';

export const arctan: HostKernel = (args) => {
  const size = checkPanels(args, 1);
  const x = args.xs[0], out = args.out;
  for (let i = 0; i < size; i++) {
    const a = x[i];
    out[i] = Math.atan(a) + (a - a);
  }
};
