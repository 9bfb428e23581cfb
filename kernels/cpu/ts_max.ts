/**
 * Host kernel for ts_Max, the largest value over the window, from the shared block scheme.
 */
import type { HostKernel } from '../../src/ops/types.ts';
import { checkPanels, windowArg } from './panel.ts';
import { rollingExtreme } from './window_extreme.ts';

export const ts_max: HostKernel = (args) => {
  checkPanels(args, 1);
  rollingExtreme(args.xs[0], args.T, args.N, windowArg(args, 1), args.out, 1, false);
};
