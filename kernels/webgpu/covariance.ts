/**
 * WebGPU kernel for covariance, the sample (n - 1) covariance of x and y over the last n bars (both present at
 * every bar): one thread per cell, two passes over its window (see `pairBody` in program.ts); 0 when either
 * series is constant, NaN everywhere for n = 1.
 */
import type { WebGpuKernel } from '../../src/ops/types.ts';
import { COVARIANCE, pairBody, runCells } from './program.ts';

export const covariance: WebGpuKernel = (args) => runCells(args, 'covariance', 2, true, pairBody(COVARIANCE));
