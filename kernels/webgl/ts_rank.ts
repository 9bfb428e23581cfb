/**
 * WebGL kernel for ts_Rank, the rank of x[t] within its own window. With lt window values below x[t] and gt
 * above, the average 1-based rank of its tie group is (lt - gt + n + 1) / 2, divided by n; counting is exact
 * for ties, where a float comparison of ranks would not be.
 */
import type { WebGlKernel } from '../../src/ops/types.ts';
import { requireWindow, runCells } from './program.ts';

export const ts_rank: WebGlKernel = (args) =>
  runCells('ts_rank', args, `
  ${requireWindow(['getX0'])}
  float x = getX0(t, j);
  int d = 0;
  for (int k = 1; k < afWindow; k++) {
    float v = getX0(t - k, j);
    if (v < x) d++;
    else if (v > x) d--;
  }
  setOutput(float(d + afWindow + 1) / float(2 * afWindow));`);
