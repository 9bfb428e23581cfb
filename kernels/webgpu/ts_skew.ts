/**
 * WebGPU kernel for ts_Skew, pandas' adjusted Fisher-Pearson rolling skewness: one thread per cell, two passes
 * over its window (see `momentsBody` in program.ts); NaN for a constant window and, since the bias correction
 * needs three bars, NaN everywhere for n < 3.
 */
import type { WebGpuKernel } from '../../src/ops/types.ts';
import { momentsBody, runCells } from './program.ts';

export const ts_skew: WebGpuKernel = (args) => runCells(args, 'ts_skew', 1, true, momentsBody(true));
