/** WebGL kernel for `abs`: one fragment per cell; a missing input gives NaN. */
import type { WebGlKernel } from '../../src/ops/types.ts';
import { elementwise } from './program.ts';

export const abs: WebGlKernel = (args) => elementwise('abs', args, 1, 'v = abs(a);');
