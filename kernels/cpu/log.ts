/**
 * Host kernel for gplearn's protected logarithm: log(|x|), or 0 when |x| <= 0.001. The 0 branch would also
 * catch a missing input (the comparison is false for NaN), so presence is checked first.
 */
import type { HostKernel } from '../../src/ops/types.ts';
import { present } from './finite.ts';
import { checkPanels } from './panel.ts';

export const log: HostKernel = (args) => {
  const size = checkPanels(args, 1);
  const x = args.xs[0], out = args.out;
  for (let i = 0; i < size; i++) {
    const a = Math.abs(x[i]);
    out[i] = !present(a) ? NaN : a > 0.001 ? Math.log(a) : 0;
  }
};
