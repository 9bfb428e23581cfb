/**
 * WebGPU kernel for ts_Rank, the rank of x[t] within its own window divided by n: one thread per cell
 * counting the window values below and above x[t], which is exact for ties (the average 1-based rank of x[t]'s
 * tie group is (below - above + n + 1) / 2) and needs no sort. The counts are integers, so the result is the
 * host kernel's to the last bit but for the final division.
 */
import type { WebGpuKernel } from '../../src/ops/types.ts';
import { runCells } from './program.ts';

export const ts_rank: WebGpuKernel = (args) =>
  runCells(args, 'ts_rank', 1, true, `
    let n = uniforms.window;
    if (t < n - 1) { return uniforms.NAN; }
    let x = X[i];
    if (af_missing(x)) { return uniforms.NAN; }
    var d = 0;
    for (var k = 1; k < n; k++) {
      let v = X[i - k * N];
      if (af_missing(v)) { return uniforms.NAN; }
      d += select(0, 1, v < x) - select(0, 1, v > x);
    }
    return f32(d + n + 1) / f32(2 * n);`);
