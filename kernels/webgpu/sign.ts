/**
 * WebGPU kernel for `sign`: -1, 0 or 1, one thread per cell; a missing input gives NaN. Built from selects on
 * comparisons, which also maps -0 to +0 as the host kernel does.
 */
import type { WebGpuKernel } from '../../src/ops/types.ts';
import { elementwiseBody, runCells } from './program.ts';

export const sign: WebGpuKernel = (args) => runCells(args, 'sign', 1, false, elementwiseBody(1, 'select(select(0.0, -1.0, a < 0.0), 1.0, a > 0.0)'));
