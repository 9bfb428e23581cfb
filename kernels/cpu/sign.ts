/**
 * Host kernel for `sign`. Written as comparisons rather than Math.sign so that -0 gives +0 (a panel should
 * not carry a signed zero the user cannot see) and an infinite, i.e. missing, input gives NaN, not ±1.
 */
import type { HostKernel } from '../../src/ops/types.ts';
import { present } from './finite.ts';
import { checkPanels } from './panel.ts';

export const sign: HostKernel = (args) => {
  const size = checkPanels(args, 1);
  const x = args.xs[0], out = args.out;
  for (let i = 0; i < size; i++) {
    const a = x[i];
    out[i] = !present(a) ? NaN : a > 0 ? 1 : a < 0 ? -1 : 0;
  }
};
