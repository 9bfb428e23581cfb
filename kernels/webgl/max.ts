/**
 * WebGL kernel for the elementwise `max`, NaN if either side is missing; the explicit missing test keeps
 * GLSL's `max`, whose NaN behaviour is undefined, from ever seeing a missing value.
 */
import type { WebGlKernel } from '../../src/ops/types.ts';
import { elementwise } from './program.ts';

export const max: WebGlKernel = (args) => elementwise('max', args, 2, 'v = a >= b ? a : b;');
