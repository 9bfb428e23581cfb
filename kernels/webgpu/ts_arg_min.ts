/**
 * WebGPU kernel for ts_ArgMin, bars since the window minimum (0 = now): one thread per cell scanning its
 * window from the current bar back, so ties go to the most recent bar and a flat window reads 0.
 */
import type { WebGpuKernel } from '../../src/ops/types.ts';
import { extremeBody, runCells } from './program.ts';

export const ts_arg_min: WebGpuKernel = (args) => runCells(args, 'ts_arg_min', 1, true, extremeBody(false, true));
