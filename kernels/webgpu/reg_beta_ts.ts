/**
 * WebGPU kernel for REGbeta_ts, the least-squares slope of x on y over the last n bars, cov(x, y) / var(y):
 * one thread per cell, two passes over its window (see `pairBody` in program.ts); NaN when y is constant
 * (every one-bar window), 0 when x is.
 */
import type { WebGpuKernel } from '../../src/ops/types.ts';
import { REG_BETA, pairBody, runCells } from './program.ts';

export const reg_beta_ts: WebGpuKernel = (args) => runCells(args, 'reg_beta_ts', 2, true, pairBody(REG_BETA));
