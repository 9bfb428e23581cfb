/**
 * Host kernel for `delay`: a row shift of the time-major panel. Only x[t-n] is read, so a gap between the two
 * bars does not matter; the first n bars have no history and are missing.
 */
import type { HostKernel } from '../../src/ops/types.ts';
import { checkPanels, windowArg } from './panel.ts';

export const delay: HostKernel = (args) => {
  const size = checkPanels(args, 1);
  const n = windowArg(args, 0);
  const X = args.xs[0], out = args.out;
  const lag = Math.min(n * args.N, size);
  out.fill(NaN, 0, lag);
  for (let i = lag; i < size; i++) {
    const v = X[i - lag];
    out[i] = v + (v - v); // an infinite (missing) input becomes NaN
  }
};
