/**
 * Host kernel for `mul`. The float64 product of two float32 values cannot overflow float64, so the storage
 * rule alone decides when a product is too large for the float32 panel; 0 * Infinity is already NaN.
 */
import type { HostKernel } from '../../src/ops/types.ts';
import { f32 } from './finite.ts';
import { checkPanels } from './panel.ts';

export const mul: HostKernel = (args) => {
  const size = checkPanels(args, 2);
  const x = args.xs[0], y = args.xs[1], out = args.out;
  for (let i = 0; i < size; i++) out[i] = f32(x[i] * y[i]);
};
