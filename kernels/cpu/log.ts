/**
 * Host kernel for gplearn's protected logarithm: log(|x|), or 0 when |x| <= 0.001. The 0 branch would also
 * catch a missing input (the comparison is false for NaN), so it returns |x| - |x|, which is 0 for a value
 * and NaN for a missing one; an infinite input reaches log and is caught by the storage rule.
 */
import type { HostKernel } from '../../src/ops/types.ts';
import { f32 } from './finite.ts';
import { checkPanels } from './panel.ts';

export const log: HostKernel = (args) => {
  const size = checkPanels(args, 1);
  const x = args.xs[0], out = args.out;
  for (let i = 0; i < size; i++) {
    const a = Math.abs(x[i]);
    out[i] = a > 0.001 ? f32(Math.log(a)) : a - a;
  }
};
