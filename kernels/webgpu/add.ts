/**
 * WebGPU kernel for `add`: one thread per cell. Missing operands are caught from their bits rather than left
 * to IEEE propagation, which a shader compiler may assume away; an overflowing sum is stored as NaN.
 */
import type { WebGpuKernel } from '../../src/ops/types.ts';
import { elementwiseBody, runCells } from './program.ts';

export const add: WebGpuKernel = (args) => runCells(args, 'add', 2, false, elementwiseBody(2, 'a + b'));
