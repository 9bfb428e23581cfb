/** Host kernel for `neg`. Negation is exact; only infinite inputs need the storage rule. */
import type { HostKernel } from '../../src/ops/types.ts';
import { f32 } from './finite.ts';
import { checkPanels } from './panel.ts';

export const neg: HostKernel = (args) => {
  const size = checkPanels(args, 1);
  const x = args.xs[0], out = args.out;
  for (let i = 0; i < size; i++) out[i] = f32(-x[i]);
};
