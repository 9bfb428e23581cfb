/**
 * Host kernel for gplearn's protected division: x / y if |y| > 0.001, else 1, and missing if either operand
 * is. Written without branches because on factor data the protection test is a coin flip the branch
 * predictor cannot learn (measured about 3x faster): c selects the branch as 0 or 1, the divisor is nudged
 * by 1 - c so the unused quotient stays finite, and x - x + y - y is 0 for present operands and NaN for
 * missing ones (a NaN divisor also fails the test, which alone would give 1).
 */
import type { HostKernel } from '../../src/ops/types.ts';
import { f32 } from './finite.ts';
import { checkPanels } from './panel.ts';

export const div: HostKernel = (args) => {
  const size = checkPanels(args, 2);
  const x = args.xs[0], y = args.xs[1], out = args.out;
  for (let i = 0; i < size; i++) {
    const a = x[i], b = y[i];
    const c = +(Math.abs(b) > 0.001);
    out[i] = f32(c * (a / (b + (1 - c))) + (1 - c) + (a - a) + (b - b));
  }
};
