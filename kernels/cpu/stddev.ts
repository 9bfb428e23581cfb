/**
 * Host kernel for stddev, the sample (n - 1) standard deviation over the window. A window of one bar has no
 * sample deviation, so n = 1 gives missing everywhere rather than 0/0.
 */
import type { HostKernel } from '../../src/ops/types.ts';
import { checkPanels, windowArg } from './panel.ts';
import { rollingMoments, STDDEV } from './window_moments.ts';

export const stddev: HostKernel = (args) => {
  checkPanels(args, 1);
  const n = windowArg(args, 1);
  if (n < 2) {
    args.out.fill(NaN);
    return;
  }
  rollingMoments(args.xs[0], args.T, args.N, n, args.out, STDDEV);
};
