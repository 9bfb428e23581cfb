/**
 * WebGPU kernel for ts_Sum: one thread per cell summing its own window about the current value
 * (`windowSumBody` in program.ts), so that no rounding is carried from one cell to the next.
 */
import type { WebGpuKernel } from '../../src/ops/types.ts';
import { windowSumBody, runCells } from './program.ts';

export const ts_sum: WebGpuKernel = (args) => runCells(args, 'ts_sum', 1, true, windowSumBody('1.0', 'f32(n) * c + s'));
