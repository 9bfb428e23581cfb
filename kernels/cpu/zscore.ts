/**
 * Host kernel for the cross-sectional z-score. The mean and the squared deviations are taken in two passes
 * (not from sums of squares) so that a cross-section far from zero, such as prices or volumes, keeps its
 * digits; "all values equal" is detected by comparing min and max, because a two-pass variance of equal
 * values need not come out exactly 0 once the mean has been rounded.
 */
import type { HostKernel } from '../../src/ops/types.ts';
import { f32, present } from './finite.ts';
import { checkPanels } from './panel.ts';

export const zscore: HostKernel = (args) => {
  checkPanels(args, 1);
  const X = args.xs[0], out = args.out, T = args.T, N = args.N;
  for (let t = 0; t < T; t++) {
    const row = t * N;
    let m = 0, sum = 0, lo = Infinity, hi = -Infinity;
    for (let j = 0; j < N; j++) {
      const v = X[row + j];
      if (!present(v)) continue;
      m++;
      sum += v;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    if (m < 2 || lo === hi) {
      out.fill(NaN, row, row + N);
      continue;
    }
    const mean = sum / m;
    let ss = 0;
    for (let j = 0; j < N; j++) {
      const v = X[row + j];
      if (present(v)) {
        const d = v - mean;
        ss += d * d;
      }
    }
    const sd = Math.sqrt(ss / (m - 1));
    for (let j = 0; j < N; j++) {
      const v = X[row + j];
      out[row + j] = present(v) ? f32((v - mean) / sd) : NaN;
    }
  }
};
