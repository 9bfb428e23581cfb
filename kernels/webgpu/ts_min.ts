/**
 * WebGPU kernel for ts_Min, the smallest value over the last n bars: one thread per cell scanning its window
 * (see `extremeBody` in program.ts).
 */
import type { WebGpuKernel } from '../../src/ops/types.ts';
import { extremeBody, runCells } from './program.ts';

export const ts_min: WebGpuKernel = (args) => runCells(args, 'ts_min', 1, true, extremeBody(false, false));
