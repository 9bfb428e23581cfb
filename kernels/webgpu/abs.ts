/** WebGPU kernel for `abs`: one thread per cell; exact, so only missing inputs need care. */
import type { WebGpuKernel } from '../../src/ops/types.ts';
import { elementwiseBody, runCells } from './program.ts';

export const abs: WebGpuKernel = (args) => runCells(args, 'abs', 1, false, elementwiseBody(1, 'abs(a)'));
