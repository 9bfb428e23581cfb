/**
 * Host kernel for the elementwise `max`, missing if either side is. The choice is blended arithmetically
 * (c * x + (1 - c) * y is exact, one term being zero) rather than branched on, because which operand wins is
 * unpredictable on factor data (measured about 3x faster); x - x + y - y is 0 for present operands and NaN
 * for missing ones, including ±Infinity, which Math.max would let win or lose.
 */
import type { HostKernel } from '../../src/ops/types.ts';
import { checkPanels } from './panel.ts';

export const max: HostKernel = (args) => {
  const size = checkPanels(args, 2);
  const x = args.xs[0], y = args.xs[1], out = args.out;
  for (let i = 0; i < size; i++) {
    const a = x[i], b = y[i];
    const c = +(a >= b);
    out[i] = c * a + (1 - c) * b + (a - a) + (b - b);
  }
};
