/**
 * Host kernel for the cross-sectional percentile rank. Each bar's present values are sorted once (radix sort of
 * their float32 bits, see radix_sort.ts) and the sorted order is walked tie group by tie group, so every stock
 * gets the average 1-based rank of its group without comparing pairs.
 */
import type { HostKernel } from '../../src/ops/types.ts';
import { checkPanels } from './panel.ts';
import { bitsOf, FloatSorter } from './radix_sort.ts';

export const rank: HostKernel = (args) => {
  checkPanels(args, 1);
  const X = args.xs[0], out = args.out, T = args.T, N = args.N;
  const bits = bitsOf(X);
  const sorter = new FloatSorter(N);
  const stocks = new Int32Array(N);
  for (let t = 0; t < T; t++) {
    const row = t * N;
    let m = 0;
    for (let j = 0; j < N; j++) {
      if ((bits[row + j] & 0x7f800000) === 0x7f800000) out[row + j] = NaN; // NaN or ±Infinity: missing
      else stocks[m++] = j;
    }
    if (m === 0) continue;
    const ord = sorter.sort(bits, row, stocks, m);
    for (let g0 = 0; g0 < m; ) {
      const x = X[row + ord[g0]];
      let g1 = g0 + 1;
      while (g1 < m && X[row + ord[g1]] === x) g1++;
      const r = (g0 + 1 + g1) / 2 / m;
      for (let q = g0; q < g1; q++) out[row + ord[q]] = r;
      g0 = g1;
    }
  }
};
