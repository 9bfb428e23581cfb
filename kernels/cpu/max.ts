/**
 * Host kernel for the elementwise `max`. Math.max already returns NaN when either side is NaN, but it would
 * pick a finite value over -Infinity; infinite inputs count as missing, so presence is checked explicitly.
 */
import type { HostKernel } from '../../src/ops/types.ts';
import { present } from './finite.ts';
import { checkPanels } from './panel.ts';

export const max: HostKernel = (args) => {
  const size = checkPanels(args, 2);
  const x = args.xs[0], y = args.xs[1], out = args.out;
  for (let i = 0; i < size; i++) {
    const a = x[i], b = y[i];
    out[i] = present(a) && present(b) ? (a >= b ? a : b) : NaN;
  }
};
