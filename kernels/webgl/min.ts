/**
 * WebGL kernel for the elementwise `min`, NaN if either side is missing; the explicit missing test keeps
 * GLSL's `min`, whose NaN behaviour is undefined, from ever seeing a missing value.
 */
import type { WebGlKernel } from '../../src/ops/types.ts';
import { elementwise } from './program.ts';

export const min: WebGlKernel = (args) => elementwise('min', args, 2, 'v = a <= b ? a : b;');
