/**
 * Host kernel for the cross-sectional `scale`, x / sum|x|. A bar whose present values are all zero has no
 * scale at all, so it is missing rather than 0/0 noise; a bar with no values is missing too.
 */
import type { HostKernel } from '../../src/ops/types.ts';
import { f32, present } from './finite.ts';
import { checkPanels } from './panel.ts';

export const scale: HostKernel = (args) => {
  checkPanels(args, 1);
  const X = args.xs[0], out = args.out, T = args.T, N = args.N;
  for (let t = 0; t < T; t++) {
    const row = t * N;
    let sum = 0;
    for (let j = 0; j < N; j++) {
      const v = X[row + j];
      if (present(v)) sum += Math.abs(v);
    }
    if (!(sum > 0)) {
      out.fill(NaN, row, row + N);
      continue;
    }
    for (let j = 0; j < N; j++) {
      const v = X[row + j];
      out[row + j] = present(v) ? f32(v / sum) : NaN;
    }
  }
};
