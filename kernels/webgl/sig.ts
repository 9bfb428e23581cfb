/**
 * WebGL kernel for the logistic sigmoid 1 / (1 + exp(-x)). The exponent is clamped to ±88 so that exp stays
 * finite in float32 (exp(88) is about 1.7e38): GPUs need not handle 1 / (1 + Infinity) as IEEE does, and past
 * that point the float32 result is already 0 or 1 up to a subnormal.
 */
import type { WebGlKernel } from '../../src/ops/types.ts';
import { elementwise } from './program.ts';

export const sig: WebGlKernel = (args) => elementwise('sig', args, 1, 'v = 1.0 / (1.0 + exp(clamp(-a, -88.0, 88.0)));');
