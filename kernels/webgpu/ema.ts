/**
 * WebGPU kernel for EMA over a finite window: weight r^k on the bar k back (r = 1 - 2/(n+1)), normalised by
 * the sum of the n weights; one thread per cell weighting its own window. Each weight is exp2(k log2 r) with
 * log2 r computed in float64 on the host and passed as a uniform: multiplying r into a running weight would
 * carry r's float32 rounding k times (a relative error near k * 6e-8 on old weights), while here a weight's
 * error stays a few ulps for every k (k log2 r is at most about 2.9 in size over the window). The terms are
 * taken about the current value and divided by the sum of the same float32 weights, so the result is an
 * exact weighted average of slightly perturbed weights.
 */
import type { WebGpuKernel } from '../../src/ops/types.ts';
import { float32Uniform, runCells } from './program.ts';

export const ema: WebGpuKernel = (args) => {
  const n = args.window;
  const log2r = n >= 1 ? Math.log2((n - 1) / (n + 1)) : 0;
  return runCells(args, 'ema', 1, true, `
    let n = uniforms.window;
    if (t < n - 1) { return uniforms.NAN; }
    let c = X[i];
    if (af_missing(c)) { return uniforms.NAN; }
    if (n == 1) { return c; }
    var s = 0.0;
    var part = 0.0;
    var den = 1.0;
    var dpart = 0.0;
    for (var k = 1; k < n; k++) {
      let v = X[i - k * N];
      if (af_missing(v)) { return uniforms.NAN; }
      let w = exp2(f32(k) * uniforms.log2r);
      part += w * (v - c);
      dpart += w;
      if ((k & 31) == 31) { s += part; part = 0.0; den += dpart; dpart = 0.0; }
    }
    s += part;
    den += dpart;
    return c + s / den;`, { uniforms: 'log2r : f32,', uniformValues: [float32Uniform(Number.isFinite(log2r) ? log2r : 0)] });
};
