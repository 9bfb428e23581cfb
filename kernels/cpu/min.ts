/**
 * Host kernel for the elementwise `min`, missing if either side is; branch-free for the same reason as `max`
 * (which operand wins is unpredictable on factor data).
 */
import type { HostKernel } from '../../src/ops/types.ts';
import { checkPanels } from './panel.ts';

export const min: HostKernel = (args) => {
  const size = checkPanels(args, 2);
  const x = args.xs[0], y = args.xs[1], out = args.out;
  for (let i = 0; i < size; i++) {
    const a = x[i], b = y[i];
    const c = +(a <= b);
    out[i] = c * a + (1 - c) * b + (a - a) + (b - b);
  }
};
