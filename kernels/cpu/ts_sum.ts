/**
 * Host kernel for ts_Sum. It shares its rolling sum with ts_Mean so that the two cannot diverge in their
 * missing-value rule or their drift control.
 */
import type { HostKernel } from '../../src/ops/types.ts';
import { checkPanels, windowArg } from './panel.ts';
import { rollingSum } from './window_sum.ts';

export const ts_sum: HostKernel = (args) => {
  checkPanels(args, 1);
  rollingSum(args.xs[0], args.T, args.N, windowArg(args, 1), args.out, false);
};
