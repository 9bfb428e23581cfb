/**
 * Host kernel for gplearn's protected division. The protection returns 1 for a near-zero divisor, which
 * would also swallow a missing operand (|NaN| > 0.001 is false), so presence is checked before it applies.
 */
import type { HostKernel } from '../../src/ops/types.ts';
import { f32, present } from './finite.ts';
import { checkPanels } from './panel.ts';

export const div: HostKernel = (args) => {
  const size = checkPanels(args, 2);
  const x = args.xs[0], y = args.xs[1], out = args.out;
  for (let i = 0; i < size; i++) {
    const a = x[i], b = y[i];
    if (!(present(a) && present(b))) out[i] = NaN;
    else out[i] = b > 0.001 || b < -0.001 ? f32(a / b) : 1;
  }
};
