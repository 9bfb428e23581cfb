/**
 * WebGPU kernel for gplearn's protected division: x / y if |y| > 0.001, else 1; NaN if either operand is
 * missing. One thread per cell. The threshold is tested on the bits of |y|: 0x3a83126f is the smallest float32
 * above 0.001 (the float32 nearest 0.001 lies just above it), so comparing with the literal 0.001 in float32
 * would wrongly protect that one value, which the float64 host test divides by.
 */
import type { WebGpuKernel } from '../../src/ops/types.ts';
import { runCells } from './program.ts';

export const div: WebGpuKernel = (args) =>
  runCells(args, 'div', 2, false, `
    let a = X[i];
    let b = Y[i];
    if (af_missing(a) || af_missing(b)) { return uniforms.NAN; }
    if ((bitcast<u32>(b) & 0x7fffffffu) >= 0x3a83126fu) { return a / b; }
    return 1.0;`);
