/**
 * Host kernel for the logistic sigmoid. For very negative x, exp(-x) overflows to Infinity and the result
 * correctly underflows to 0; an infinite (missing) input would give 0 or 1, so x - x (0, or NaN when
 * missing) is added to the result.
 */
import type { HostKernel } from '../../src/ops/types.ts';
import { checkPanels } from './panel.ts';

export const sig: HostKernel = (args) => {
  const size = checkPanels(args, 1);
  const x = args.xs[0], out = args.out;
  for (let i = 0; i < size; i++) {
    const a = x[i];
    out[i] = 1 / (1 + Math.exp(-a)) + (a - a);
  }
};
