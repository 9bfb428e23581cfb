/**
 * WebGPU kernel for `delta`, x[t] - x[t-n]: one thread per cell reading only the two end bars (not the bars
 * between), NaN for the first n bars, for a missing end, or for an overflowing difference.
 */
import type { WebGpuKernel } from '../../src/ops/types.ts';
import { runCells } from './program.ts';

export const delta: WebGpuKernel = (args) =>
  runCells(args, 'delta', 1, true, `
    let n = uniforms.window;
    if (t < n) { return uniforms.NAN; }
    let a = X[i];
    let b = X[i - n * N];
    if (af_missing(a) || af_missing(b)) { return uniforms.NAN; }
    return a - b;`);
