/**
 * WebGL kernel for the cross-sectional z-score, in two programs so that each bar's statistics are computed once
 * rather than once per stock: the first writes per bar a shift c (the first present value), a power-of-two
 * scale p, the mean of the scaled deviations e = (x - c) p and their sample standard deviation, or NaN where
 * fewer than two stocks have a value or all of them are equal; the second standardises each cell with them.
 * Deviations from a data value rather than from a rounded float32 mean keep the digits of cross-sections far
 * from zero (prices, volumes), the exact power-of-two scale keeps their squares finite, and the mean and squared
 * deviations are taken in two passes. "All equal" is found by comparing values, since a float32 variance of
 * equal values need not be exactly 0.
 */
import type { WebGlKernel } from '../../src/ops/types.ts';
import { runCells } from './program.ts';

/** Columns of the per-bar statistics: shift, scale, mean and standard deviation of the scaled deviations. */
const STATS = 4;

export const zscore: WebGlKernel = (args) => {
  const stats = runCells('zscore stats', args, `
  float c = 0.0;
  int m = 0;
  bool distinct = false;
  float spread = 0.0;
  for (int k = 0; k < afN; k++) {
    float v = getX0(t, k);
    if (afMissing(v)) continue;
    if (m == 0) c = v;
    else if (v != c) distinct = true;
    spread = max(spread, abs(v - c));
    m++;
  }
  if (m < 2 || !distinct) { setOutput(NAN); return; }
  float p = afInvScale(spread);
  if (j == 0) { setOutput(c); return; }
  if (j == 1) { setOutput(p); return; }
  float sum = 0.0;
  for (int k = 0; k < afN; k++) {
    float v = getX0(t, k);
    if (!afMissing(v)) sum += v * p - c * p;
  }
  float mean = sum / float(m);
  if (j == 2) { setOutput(mean); return; }
  float ss = 0.0;
  for (int k = 0; k < afN; k++) {
    float v = getX0(t, k);
    if (afMissing(v)) continue;
    float d = (v * p - c * p) - mean;
    ss += d * d;
  }
  afEmit(sqrt(ss / float(m - 1)));`, { shape: [args.T, STATS] });
  try {
    return runCells('zscore apply', args, `
  float x = getX0(t, j);
  float sd = getStats(t, 3);
  if (afMissing(x) || afMissing(sd)) { setOutput(NAN); return; }
  float c = getStats(t, 0);
  float p = getStats(t, 1);
  afEmit(((x * p - c * p) - getStats(t, 2)) / sd);`, { inputs: [args.inputs[0], stats], names: ['x0', 'stats'] });
  } finally {
    args.backend.disposeData(stats.dataId);
  }
};
