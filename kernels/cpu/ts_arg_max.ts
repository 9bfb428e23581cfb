/**
 * Host kernel for ts_ArgMax, bars since the window maximum (0 = now). Ties go to the most recent bar, so a
 * flat window reads 0.
 */
import type { HostKernel } from '../../src/ops/types.ts';
import { checkPanels, windowArg } from './panel.ts';
import { rollingExtreme } from './window_extreme.ts';

export const ts_arg_max: HostKernel = (args) => {
  checkPanels(args, 1);
  rollingExtreme(args.xs[0], args.T, args.N, windowArg(args, 1), args.out, 1, true);
};
