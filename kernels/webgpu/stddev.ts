/**
 * WebGPU kernel for stddev, the sample (n - 1) standard deviation over the last n bars: one thread per cell,
 * two passes over its window (see `momentsBody` in program.ts); exactly 0 for a constant window, and NaN
 * everywhere for n = 1, which has no sample deviation.
 */
import type { WebGpuKernel } from '../../src/ops/types.ts';
import { momentsBody, runCells } from './program.ts';

export const stddev: WebGpuKernel = (args) => runCells(args, 'stddev', 1, true, momentsBody(false));
