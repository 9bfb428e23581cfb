/**
 * WebGPU kernel for ts_Mean: the window sum of `windowSumBody` (program.ts), taken about the current value,
 * divided by n; one thread per cell.
 */
import type { WebGpuKernel } from '../../src/ops/types.ts';
import { windowSumBody, runCells } from './program.ts';

export const ts_mean: WebGpuKernel = (args) => runCells(args, 'ts_mean', 1, true, windowSumBody('1.0', 'c + s / f32(n)'));
