/** Host kernel for ts_Sum: the shared rolling sum, so ts_Mean and ts_Sum agree to the last bit up to the division. */
import type { HostKernel } from '../../src/ops/types.ts';
import { checkPanels, windowArg } from './panel.ts';
import { rollingSum } from './window_sum.ts';

export const ts_sum: HostKernel = (args) => {
  checkPanels(args, 1);
  rollingSum(args.xs[0], args.T, args.N, windowArg(args, 1), args.out, false);
};
