/**
 * WebGPU kernel for ts_Max, the largest value over the last n bars: one thread per cell scanning its window
 * (see `extremeBody` in program.ts). A shared-memory or block (van Herk) scheme would save reads only for long
 * windows, and the scan is exact and branch-light for the usual short ones.
 */
import type { WebGpuKernel } from '../../src/ops/types.ts';
import { extremeBody, runCells } from './program.ts';

export const ts_max: WebGpuKernel = (args) => runCells(args, 'ts_max', 1, true, extremeBody(true, false));
