/**
 * WebGPU kernel for gplearn's protected square root sqrt(|x|): one thread per cell, defined for every present
 * input so GP trees never lose cells to negative arguments.
 */
import type { WebGpuKernel } from '../../src/ops/types.ts';
import { elementwiseBody, runCells } from './program.ts';

export const sqrt: WebGpuKernel = (args) => runCells(args, 'sqrt', 1, false, elementwiseBody(1, 'sqrt(abs(a))'));
