/**
 * Host kernel for gplearn's protected square root, sqrt(|x|): defined for every present input, so GP trees
 * never lose cells to negative arguments. NaN and infinite inputs come out NaN through the storage rule.
 */
import type { HostKernel } from '../../src/ops/types.ts';
import { f32 } from './finite.ts';
import { checkPanels } from './panel.ts';

export const sqrt: HostKernel = (args) => {
  const size = checkPanels(args, 1);
  const x = args.xs[0], out = args.out;
  for (let i = 0; i < size; i++) out[i] = f32(Math.sqrt(Math.abs(x[i])));
};
