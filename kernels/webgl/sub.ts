/**
 * WebGL kernel for `sub`: one fragment per cell. A missing operand gives NaN, and an overflowing difference is
 * caught by the storage rule in `afEmit`, as in the host kernel.
 */
import type { WebGlKernel } from '../../src/ops/types.ts';
import { elementwise } from './program.ts';

export const sub: WebGlKernel = (args) => elementwise('sub', args, 2, 'v = a - b;');
