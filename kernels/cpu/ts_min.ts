/**
 * Host kernel for ts_Min, the smallest value over the window: the shared block scheme run on complemented keys.
 */
import type { HostKernel } from '../../src/ops/types.ts';
import { checkPanels, windowArg } from './panel.ts';
import { rollingExtreme } from './window_extreme.ts';

export const ts_min: HostKernel = (args) => {
  checkPanels(args, 1);
  rollingExtreme(args.xs[0], args.T, args.N, windowArg(args, 1), args.out, -1, false);
};
