/**
 * WebGPU kernel for `mul`: one thread per cell. Missing operands are tested from their bits (0 * NaN might be
 * folded to 0 by a compiler that assumes no NaN); a product beyond float32 range is stored as NaN.
 */
import type { WebGpuKernel } from '../../src/ops/types.ts';
import { elementwiseBody, runCells } from './program.ts';

export const mul: WebGpuKernel = (args) => runCells(args, 'mul', 2, false, elementwiseBody(2, 'a * b'));
