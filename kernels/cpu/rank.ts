/**
 * Host kernel for the cross-sectional percentile rank. Each bar's present values are sorted once and every
 * stock then finds its tie range by binary search, O(N log N) per bar, instead of comparing all pairs; ties
 * share the average of their 1-based ranks so the result does not depend on stock order.
 */
import type { HostKernel } from '../../src/ops/types.ts';
import { present } from './finite.ts';
import { checkPanels } from './panel.ts';

export const rank: HostKernel = (args) => {
  checkPanels(args, 1);
  const X = args.xs[0], out = args.out, T = args.T, N = args.N;
  const buf = new Float64Array(N);
  for (let t = 0; t < T; t++) {
    const row = t * N;
    let m = 0;
    for (let j = 0; j < N; j++) {
      const v = X[row + j];
      if (present(v)) buf[m++] = v;
    }
    if (m === 0) {
      out.fill(NaN, row, row + N);
      continue;
    }
    const s = buf.subarray(0, m).sort();
    for (let j = 0; j < N; j++) {
      const v = X[row + j];
      if (!present(v)) {
        out[row + j] = NaN;
        continue;
      }
      // lo = number of values < v, hi = number of values <= v.
      let a = 0, b = m;
      while (a < b) {
        const mid = (a + b) >>> 1;
        if (s[mid] < v) a = mid + 1;
        else b = mid;
      }
      const lo = a;
      b = m;
      while (a < b) {
        const mid = (a + b) >>> 1;
        if (s[mid] <= v) a = mid + 1;
        else b = mid;
      }
      out[row + j] = (lo + 1 + a) / 2 / m;
    }
  }
};
