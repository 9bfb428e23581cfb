/**
 * WebGPU kernel for the Pearson correlation of x and y over the last n bars: one thread per cell, two passes
 * over its window (see `pairBody` in program.ts), clamped to [-1, 1]; NaN when either series is constant over
 * the window, which every one-bar window is.
 */
import type { WebGpuKernel } from '../../src/ops/types.ts';
import { CORRELATION, pairBody, runCells } from './program.ts';

export const correlation: WebGpuKernel = (args) => runCells(args, 'correlation', 2, true, pairBody(CORRELATION));
