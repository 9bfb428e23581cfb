/**
 * Host kernel for `add`. IEEE addition already turns a NaN operand into NaN, and an infinite operand or an
 * overflowing sum into an infinity that the storage rule maps to NaN, so no explicit missing check is needed.
 */
import type { HostKernel } from '../../src/ops/types.ts';
import { f32 } from './finite.ts';
import { checkPanels } from './panel.ts';

export const add: HostKernel = (args) => {
  const size = checkPanels(args, 2);
  const x = args.xs[0], y = args.xs[1], out = args.out;
  for (let i = 0; i < size; i++) out[i] = f32(x[i] + y[i]);
};
