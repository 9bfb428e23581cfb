/**
 * WebGL kernel for `delta`, x[t] - x[t-n]: reads only the two end bars; NaN for the first n bars, when either
 * end is missing, or when the difference overflows.
 */
import type { WebGlKernel } from '../../src/ops/types.ts';
import { runCells } from './program.ts';

export const delta: WebGlKernel = (args) =>
  runCells('delta', args, `
  if (afWindow < 0 || t < afWindow) { setOutput(NAN); return; }
  float a = getX0(t, j);
  float b = getX0(t - afWindow, j);
  if (afMissing(a) || afMissing(b)) { setOutput(NAN); return; }
  afEmit(a - b);`);
