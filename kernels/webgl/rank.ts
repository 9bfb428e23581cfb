/**
 * WebGL kernel for the cross-sectional percentile rank. Each fragment counts, across its bar's stocks, the
 * present values below its own and those equal to it: the average 1-based rank of its tie group is then
 * lt + (eq + 1) / 2, divided by the number of stocks with a value. O(N) per cell and no sort, which suits a GPU
 * (a fragment cannot share a sorted row with its neighbours) and is exact for ties.
 */
import type { WebGlKernel } from '../../src/ops/types.ts';
import { runCells } from './program.ts';

export const rank: WebGlKernel = (args) =>
  runCells('rank', args, `
  float x = getX0(t, j);
  if (afMissing(x)) { setOutput(NAN); return; }
  int m = 0;
  int lt = 0;
  int eq = 0;
  for (int k = 0; k < afN; k++) {
    float v = getX0(t, k);
    if (afMissing(v)) continue;
    m++;
    if (v < x) lt++;
    else if (v == x) eq++;
  }
  afEmit(float(2 * lt + eq + 1) / float(2 * m));`);
