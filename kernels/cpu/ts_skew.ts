/**
 * Host kernel for ts_Skew, the adjusted Fisher-Pearson skewness that pandas' rolling skew reports. Its bias
 * correction sqrt(n(n-1))/(n-2) needs at least three bars, so smaller windows give missing everywhere.
 */
import type { HostKernel } from '../../src/ops/types.ts';
import { checkPanels, windowArg } from './panel.ts';
import { rollingMoments, SKEW } from './window_moments.ts';

export const ts_skew: HostKernel = (args) => {
  checkPanels(args, 1);
  const n = windowArg(args, 1);
  if (n < 3) {
    args.out.fill(NaN);
    return;
  }
  rollingMoments(args.xs[0], args.T, args.N, n, args.out, SKEW);
};
