/**
 * Host kernel for `pctchange_ts`, x[t] / x[t-n] - 1. Like `delta` it reads only the two end bars. A zero base
 * has no percentage change, so it is missing rather than an infinity; presence is checked explicitly because
 * a finite value divided by an infinite (missing) base would otherwise come out as a plausible -1.
 */
import type { HostKernel } from '../../src/ops/types.ts';
import { f32, present } from './finite.ts';
import { checkPanels, windowArg } from './panel.ts';

export const pctchange_ts: HostKernel = (args) => {
  const size = checkPanels(args, 1);
  const n = windowArg(args, 0);
  const X = args.xs[0], out = args.out;
  const lag = Math.min(n * args.N, size);
  out.fill(NaN, 0, lag);
  for (let i = lag; i < size; i++) {
    const a = X[i], b = X[i - lag];
    out[i] = present(a) && present(b) && b !== 0 ? f32(a / b - 1) : NaN;
  }
};
