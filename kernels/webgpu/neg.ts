/** WebGPU kernel for `neg`: one thread per cell; negation is exact, so only missing inputs need care. */
import type { WebGpuKernel } from '../../src/ops/types.ts';
import { elementwiseBody, runCells } from './program.ts';

export const neg: WebGpuKernel = (args) => runCells(args, 'neg', 1, false, elementwiseBody(1, '-a'));
