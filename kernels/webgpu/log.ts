/**
 * WebGPU kernel for gplearn's protected logarithm: log(|x|), or 0 when |x| <= 0.001 (tested on the bits, see
 * div.ts for why 0x3a83126f). One thread per cell. WGSL only promises log() to an absolute 2^-21 on [0.5, 2],
 * which is a large relative error for the tiny logarithms of values near 1 (log-ratios of prices), so there
 * the series 2 atanh(u / (2 + u)) of u = |x| - 1 (exact in float32 there) is used instead.
 */
import type { WebGpuKernel } from '../../src/ops/types.ts';
import { runCells } from './program.ts';

export const log: WebGpuKernel = (args) =>
  runCells(args, 'log', 1, false, `
    let a = X[i];
    if (af_missing(a)) { return uniforms.NAN; }
    let m = abs(a);
    if (bitcast<u32>(m) < 0x3a83126fu) { return 0.0; }
    let u = m - 1.0;
    if (abs(u) < 0.0625) {
      // |z| < 1/32, so the first omitted term, z^9 / 9, is far below float32 resolution.
      let z = u / (2.0 + u);
      let z2 = z * z;
      return 2.0 * z * (1.0 + z2 * (1.0 / 3.0 + z2 * (0.2 + z2 * (1.0 / 7.0))));
    }
    return log(m);`);
