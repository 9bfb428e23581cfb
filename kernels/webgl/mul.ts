/**
 * WebGL kernel for `mul`: one fragment per cell. A missing operand gives NaN, and an overflowing product is
 * caught by the storage rule in `afEmit`, as in the host kernel.
 */
import type { WebGlKernel } from '../../src/ops/types.ts';
import { elementwise } from './program.ts';

export const mul: WebGlKernel = (args) => elementwise('mul', args, 2, 'v = a * b;');
