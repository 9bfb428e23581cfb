/**
 * WebGPU kernel for the elementwise `max`: one thread per cell, missing if either side is (WGSL's max() of a
 * NaN is unspecified, so missing operands are tested first and the choice is a plain select).
 */
import type { WebGpuKernel } from '../../src/ops/types.ts';
import { elementwiseBody, runCells } from './program.ts';

export const max: WebGpuKernel = (args) => runCells(args, 'max', 2, false, elementwiseBody(2, 'select(b, a, a >= b)'));
