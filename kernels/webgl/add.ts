/**
 * WebGL kernel for `add`: one fragment per cell. A missing operand (NaN or ±Infinity) gives NaN, and an
 * overflowing sum is caught by the storage rule in `afEmit`, as in the host kernel.
 */
import type { WebGlKernel } from '../../src/ops/types.ts';
import { elementwise } from './program.ts';

export const add: WebGlKernel = (args) => elementwise('add', args, 2, 'v = a + b;');
