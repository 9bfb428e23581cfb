/**
 * WebGPU kernel for `sub`: one thread per cell. As for `add`, missing operands are tested explicitly because
 * the compiler may assume no NaN, and an overflowing difference is stored as NaN.
 */
import type { WebGpuKernel } from '../../src/ops/types.ts';
import { elementwiseBody, runCells } from './program.ts';

export const sub: WebGpuKernel = (args) => runCells(args, 'sub', 2, false, elementwiseBody(2, 'a - b'));
