/**
 * Host kernel for ts_Rank, the rank of x[t] within its own window. Counting the window values below and equal
 * to x[t] is O(n) per cell, which is cheap for the usual short windows and exact for ties (an order-statistic
 * tree would only pay off for long windows). The counts are accumulated one lagged row at a time, across all
 * stocks, so the inner loop reads contiguous memory instead of striding down each stock's column.
 */
import type { HostKernel } from '../../src/ops/types.ts';
import { present } from './finite.ts';
import { checkPanels, windowArg } from './panel.ts';

export const ts_rank: HostKernel = (args) => {
  checkPanels(args, 1);
  const n = windowArg(args, 1);
  const X = args.xs[0], out = args.out, T = args.T, N = args.N;
  const run = new Int32Array(N);
  const below = new Float64Array(N);
  const equal = new Float64Array(N); // other bars of the window equal to x[t]
  const cur = new Float64Array(N);
  for (let t = 0; t < T; t++) {
    const row = t * N;
    let valid = 0;
    for (let j = 0; j < N; j++) {
      const x = X[row + j];
      if (present(x)) {
        const r = run[j] + 1;
        run[j] = r;
        if (r >= n) valid++;
      } else run[j] = 0;
      cur[j] = x;
      below[j] = 0;
      equal[j] = 0;
    }
    if (valid > 0) {
      for (let k = 1; k < n; k++) {
        const lagged = row - k * N;
        for (let j = 0; j < N; j++) {
          const v = X[lagged + j], x = cur[j];
          below[j] += v < x ? 1 : 0;
          equal[j] += v === x ? 1 : 0;
        }
      }
    }
    for (let j = 0; j < N; j++) {
      out[row + j] = run[j] >= n ? (below[j] + (equal[j] + 2) / 2) / n : NaN;
    }
  }
};
