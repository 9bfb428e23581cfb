/**
 * WebGPU kernel for `delay`, x[t-n]: a row shift of the time-major panel, one thread per cell (neighbouring
 * threads copy neighbouring stocks). Only x[t-n] is read, so gaps in between do not matter; the first n bars
 * have no history and are NaN, as is an infinite (missing) input.
 */
import type { WebGpuKernel } from '../../src/ops/types.ts';
import { runCells } from './program.ts';

export const delay: WebGpuKernel = (args) =>
  runCells(args, 'delay', 1, true, `
    let n = uniforms.window;
    if (t < n) { return uniforms.NAN; }
    return X[i - n * N];`);
