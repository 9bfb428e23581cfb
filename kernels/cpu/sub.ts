/**
 * Host kernel for `sub`. As with `add`, IEEE arithmetic propagates missing operands on its own and the
 * storage rule catches infinite operands and overflow.
 */
import type { HostKernel } from '../../src/ops/types.ts';
import { f32 } from './finite.ts';
import { checkPanels } from './panel.ts';

export const sub: HostKernel = (args) => {
  const size = checkPanels(args, 2);
  const x = args.xs[0], y = args.xs[1], out = args.out;
  for (let i = 0; i < size; i++) out[i] = f32(x[i] - y[i]);
};
