/** WebGL kernel for `neg`: one fragment per cell; a missing input gives NaN. */
import type { WebGlKernel } from '../../src/ops/types.ts';
import { elementwise } from './program.ts';

export const neg: WebGlKernel = (args) => elementwise('neg', args, 1, 'v = -a;');
