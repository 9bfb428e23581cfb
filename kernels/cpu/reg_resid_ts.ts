/**
 * Host kernel for REGresid_ts, the residual at the current bar of the window's least-squares fit of x on y,
 * from the shared rolling co-moments. Like the slope it is undefined when y is constant over the window,
 * which every one-bar window is, so n = 1 gives missing everywhere.
 */
import type { HostKernel } from '../../src/ops/types.ts';
import { checkPanels, windowArg } from './panel.ts';
import { REG_RESID, rollingPair } from './window_pair.ts';

export const reg_resid_ts: HostKernel = (args) => {
  checkPanels(args, 2);
  const n = windowArg(args, 1);
  if (n < 2) {
    args.out.fill(NaN);
    return;
  }
  rollingPair(args.xs[0], args.xs[1], args.T, args.N, n, args.out, REG_RESID);
};
