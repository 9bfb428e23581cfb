/**
 * WebGL kernel for `delay`, x[t-n]: only that one bar is read, so a gap between it and bar t does not matter;
 * the first n bars have no history and are NaN, and a missing (infinite) value comes out as NaN.
 */
import type { WebGlKernel } from '../../src/ops/types.ts';
import { runCells } from './program.ts';

export const delay: WebGlKernel = (args) =>
  runCells('delay', args, `
  if (afWindow < 0 || t < afWindow) { setOutput(NAN); return; }
  float v = getX0(t - afWindow, j);
  if (afMissing(v)) { setOutput(NAN); return; }
  setOutput(v);`);
