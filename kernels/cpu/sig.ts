/**
 * Host kernel for the logistic sigmoid. For very negative x, exp(-x) overflows to Infinity and the result
 * correctly underflows to 0, so only missing (NaN or infinite) inputs need handling.
 */
import type { HostKernel } from '../../src/ops/types.ts';
import { present } from './finite.ts';
import { checkPanels } from './panel.ts';

export const sig: HostKernel = (args) => {
  const size = checkPanels(args, 1);
  const x = args.xs[0], out = args.out;
  for (let i = 0; i < size; i++) {
    const a = x[i];
    out[i] = present(a) ? 1 / (1 + Math.exp(-a)) : NaN;
  }
};
