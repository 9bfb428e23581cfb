/**
 * WebGPU kernel for the elementwise `min`: one thread per cell, missing if either side is (WGSL's min() of a
 * NaN is unspecified, so missing operands are tested first and the choice is a plain select).
 */
import type { WebGpuKernel } from '../../src/ops/types.ts';
import { elementwiseBody, runCells } from './program.ts';

export const min: WebGpuKernel = (args) => runCells(args, 'min', 2, false, elementwiseBody(2, 'select(b, a, a <= b)'));
