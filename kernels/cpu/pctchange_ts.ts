/**
 * Host kernel for `pctchange_ts`, x[t] / x[t-n] - 1. Like `delta` it reads only the two end bars. A zero base
 * has no percentage change, so it is missing rather than an infinity. A missing x[t] propagates through the
 * division on its own, and b - b (0, or NaN for a missing base) stops a finite value divided by an infinite
 * base from coming out as a plausible -1.
 */
import type { HostKernel } from '../../src/ops/types.ts';
import { f32 } from './finite.ts';
import { checkPanels, windowArg } from './panel.ts';

export const pctchange_ts: HostKernel = (args) => {
  const size = checkPanels(args, 1);
  const n = windowArg(args, 0);
  const X = args.xs[0], out = args.out;
  const lag = Math.min(n * args.N, size);
  out.fill(NaN, 0, lag);
  for (let i = lag; i < size; i++) {
    const a = X[i], b = X[i - lag];
    out[i] = b !== 0 ? f32(a / b - 1 + (b - b)) : NaN;
  }
};
