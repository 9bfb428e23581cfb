/**
 * WebGL kernel for `sign`: -1, 0 or 1, NaN for a missing input. Built from comparisons rather than GLSL's
 * `sign` so that -0 comes out as +0, like the host kernel.
 */
import type { WebGlKernel } from '../../src/ops/types.ts';
import { elementwise } from './program.ts';

export const sign: WebGlKernel = (args) => elementwise('sign', args, 1, 'v = a > 0.0 ? 1.0 : (a < 0.0 ? -1.0 : 0.0);');
