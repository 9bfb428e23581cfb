/**
 * Host kernel for the elementwise `min`. Presence is checked explicitly because a finite value would win over
 * +Infinity, and infinite inputs count as missing.
 */
import type { HostKernel } from '../../src/ops/types.ts';
import { present } from './finite.ts';
import { checkPanels } from './panel.ts';

export const min: HostKernel = (args) => {
  const size = checkPanels(args, 2);
  const x = args.xs[0], y = args.xs[1], out = args.out;
  for (let i = 0; i < size; i++) {
    const a = x[i], b = y[i];
    out[i] = present(a) && present(b) ? (a <= b ? a : b) : NaN;
  }
};
