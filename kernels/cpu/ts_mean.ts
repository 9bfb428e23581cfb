/** Host kernel for ts_Mean: the shared rolling sum divided by n, so it inherits the sum's drift control. */
import type { HostKernel } from '../../src/ops/types.ts';
import { checkPanels, windowArg } from './panel.ts';
import { rollingSum } from './window_sum.ts';

export const ts_mean: HostKernel = (args) => {
  checkPanels(args, 1);
  rollingSum(args.xs[0], args.T, args.N, windowArg(args, 1), args.out, true);
};
