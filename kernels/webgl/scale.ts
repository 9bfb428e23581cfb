/**
 * WebGL kernel for `scale`, x / sum(|x|) across each bar's stocks, in two programs: the first writes each bar's
 * sum once (rather than once per stock), the second divides. A float32 sum of large values can overflow where
 * the host's float64 sum does not, so the first program then sums the values scaled by 2^-64 (exactly) and
 * also writes the factor it used; the division applies the same factor. A bar whose sum is 0, or that has no
 * values, is NaN throughout.
 */
import type { WebGlKernel } from '../../src/ops/types.ts';
import { runCells } from './program.ts';

export const scale: WebGlKernel = (args) => {
  const stats = runCells('scale stats', args, `
  float f = 1.0;
  float sum = 0.0;
  for (int k = 0; k < afN; k++) {
    float v = getX0(t, k);
    if (!afMissing(v)) sum += abs(v);
  }
  if (afMissing(sum)) {
    f = afPow2(-64);
    sum = 0.0;
    for (int k = 0; k < afN; k++) {
      float v = getX0(t, k);
      if (!afMissing(v)) sum += abs(v) * f;
    }
  }
  if (!(sum > 0.0)) { setOutput(NAN); return; }
  setOutput(j == 0 ? f : sum);`, { shape: [args.T, 2] });
  try {
    return runCells('scale apply', args, `
  float x = getX0(t, j);
  float sum = getStats(t, 1);
  if (afMissing(x) || afMissing(sum)) { setOutput(NAN); return; }
  afEmit(x * getStats(t, 0) / sum);`, { inputs: [args.inputs[0], stats], names: ['x0', 'stats'] });
  } finally {
    args.backend.disposeData(stats.dataId);
  }
};
