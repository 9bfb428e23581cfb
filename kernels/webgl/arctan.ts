/**
 * WebGL kernel for `arctan`. An infinite input is missing and must not come back as ±pi/2, which the shared
 * missing test before `atan` ensures.
 */
import type { WebGlKernel } from '../../src/ops/types.ts';
import { elementwise } from './program.ts';

export const arctan: WebGlKernel = (args) => elementwise('arctan', args, 1, 'v = atan(a);');
