/**
 * WebGPU kernel for `pctchange_ts`, x[t] / x[t-n] - 1: one thread per cell reading only the two end bars; NaN
 * for the first n bars, a missing end or a zero base. It is computed as (a - b) / b, which for the usual
 * a close to b keeps the small result to one rounding (a / b - 1 would lose the quotient's rounding to the
 * cancellation); only where a - b overflows does it fall back to a / b - 1.
 */
import type { WebGpuKernel } from '../../src/ops/types.ts';
import { runCells } from './program.ts';

export const pctchange_ts: WebGpuKernel = (args) =>
  runCells(args, 'pctchange_ts', 1, true, `
    let n = uniforms.window;
    if (t < n) { return uniforms.NAN; }
    let a = X[i];
    let b = X[i - n * N];
    if (af_missing(a) || af_missing(b) || b == 0.0) { return uniforms.NAN; }
    let d = a - b;
    if (af_missing(d)) { return a / b - 1.0; }
    return d / b;`);
