/**
 * WebGPU kernel for decay_linear, the average with weights n (current bar) down to 1 (oldest): one thread per
 * cell weighting its own window. The weights and their sum n(n+1)/2 are exact in float32 for any allowed
 * window, and the terms are taken about the current value (added back at the end), which keeps price-like
 * series to their digits.
 */
import type { WebGpuKernel } from '../../src/ops/types.ts';
import { runCells } from './program.ts';

export const decay_linear: WebGpuKernel = (args) =>
  runCells(args, 'decay_linear', 1, true, `
    let n = uniforms.window;
    if (t < n - 1) { return uniforms.NAN; }
    let c = X[i];
    if (af_missing(c)) { return uniforms.NAN; }
    var s = 0.0;
    var part = 0.0;
    for (var k = 1; k < n; k++) {
      let v = X[i - k * N];
      if (af_missing(v)) { return uniforms.NAN; }
      part += f32(n - k) * (v - c);
      if ((k & 31) == 31) { s += part; part = 0.0; }
    }
    s += part;
    return c + s / (f32(n) * f32(n + 1) * 0.5);`);
