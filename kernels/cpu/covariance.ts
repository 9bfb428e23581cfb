/**
 * Host kernel for covariance, the sample (n - 1) covariance of x and y over the window, from the shared
 * rolling co-moments. A single bar has no sample covariance, so n = 1 gives missing everywhere rather than
 * 0/0.
 */
import type { HostKernel } from '../../src/ops/types.ts';
import { checkPanels, windowArg } from './panel.ts';
import { COVARIANCE, rollingPair } from './window_pair.ts';

export const covariance: HostKernel = (args) => {
  checkPanels(args, 2);
  const n = windowArg(args, 1);
  if (n < 2) {
    args.out.fill(NaN);
    return;
  }
  rollingPair(args.xs[0], args.xs[1], args.T, args.N, n, args.out, COVARIANCE);
};
