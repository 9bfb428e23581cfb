/**
 * Host kernel for `sign`: -1, 0 or 1, missing for a missing (NaN or infinite) input. Built from two 0/1
 * comparisons instead of branches, since the sign of returns-like data is unpredictable; this also maps -0
 * to +0 (a panel should not carry a signed zero the user cannot see).
 */
import type { HostKernel } from '../../src/ops/types.ts';
import { checkPanels } from './panel.ts';

export const sign: HostKernel = (args) => {
  const size = checkPanels(args, 1);
  const x = args.xs[0], out = args.out;
  for (let i = 0; i < size; i++) {
    const a = x[i];
    out[i] = +(a > 0) - +(a < 0) + (a - a);
  }
};
