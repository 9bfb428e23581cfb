/**
 * WebGPU kernel for `arctan`: one thread per cell. atan would map an infinite input to ±pi/2, resurrecting a
 * missing cell as a value, so missing inputs are tested from their bits first.
 */
import type { WebGpuKernel } from '../../src/ops/types.ts';
import { elementwiseBody, runCells } from './program.ts';

export const arctan: WebGpuKernel = (args) => runCells(args, 'arctan', 1, false, elementwiseBody(1, 'atan(a)'));
