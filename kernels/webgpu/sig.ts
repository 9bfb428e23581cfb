/**
 * WebGPU kernel for the logistic sigmoid 1 / (1 + exp(-x)), one thread per cell; missing inputs give NaN. For
 * negative x it is evaluated as e / (1 + e) with e = exp(x), so exp never overflows: a compiler that assumes no
 * infinities need not get 1 / (1 + Inf) right.
 */
import type { WebGpuKernel } from '../../src/ops/types.ts';
import { runCells } from './program.ts';

export const sig: WebGpuKernel = (args) =>
  runCells(args, 'sig', 1, false, `
    let a = X[i];
    if (af_missing(a)) { return uniforms.NAN; }
    if (a >= 0.0) { return 1.0 / (1.0 + exp(-a)); }
    let e = exp(a);
    return e / (1.0 + e);`);
