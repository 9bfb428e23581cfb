/**
 * WebGPU kernel for ts_Sum: one thread per cell summing its own window (see `sumBody` in program.ts), so that
 * no rounding is carried from one bar to the next as a running sum would.
 */
import type { WebGpuKernel } from '../../src/ops/types.ts';
import { sumBody, runCells } from './program.ts';

export const ts_sum: WebGpuKernel = (args) => runCells(args, 'ts_sum', 1, true, sumBody(false));
