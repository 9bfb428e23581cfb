/**
 * Host kernel for `delta`, x[t] - x[t-n]. It reads only the two end bars (not the bars between), so it is a
 * row-shifted subtraction; IEEE arithmetic propagates a missing end and the storage rule catches infinities.
 */
import type { HostKernel } from '../../src/ops/types.ts';
import { f32 } from './finite.ts';
import { checkPanels, windowArg } from './panel.ts';

export const delta: HostKernel = (args) => {
  const size = checkPanels(args, 1);
  const n = windowArg(args, 0);
  const X = args.xs[0], out = args.out;
  const lag = Math.min(n * args.N, size);
  out.fill(NaN, 0, lag);
  for (let i = lag; i < size; i++) out[i] = f32(X[i] - X[i - lag]);
};
