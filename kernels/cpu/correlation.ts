/**
 * Host kernel for the Pearson correlation over the window, from the shared rolling co-moments and clamped to
 * [-1, 1] because rounding can step just outside it. It is undefined when either series is constant over the
 * window, which every one-bar window is, so n = 1 gives missing everywhere.
 */
import type { HostKernel } from '../../src/ops/types.ts';
import { checkPanels, windowArg } from './panel.ts';
import { CORRELATION, rollingPair } from './window_pair.ts';

export const correlation: HostKernel = (args) => {
  checkPanels(args, 2);
  const n = windowArg(args, 1);
  if (n < 2) {
    args.out.fill(NaN);
    return;
  }
  rollingPair(args.xs[0], args.xs[1], args.T, args.N, n, args.out, CORRELATION);
};
