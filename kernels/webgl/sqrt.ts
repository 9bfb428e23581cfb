/** WebGL kernel for gplearn's protected square root, sqrt(|x|): defined for every present input. */
import type { WebGlKernel } from '../../src/ops/types.ts';
import { elementwise } from './program.ts';

export const sqrt: WebGlKernel = (args) => elementwise('sqrt', args, 1, 'v = sqrt(abs(a));');
