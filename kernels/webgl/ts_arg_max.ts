/**
 * WebGL kernel for ts_ArgMax, bars since the window maximum (0 = now). The window is walked from the current
 * bar backwards and only a strictly larger value moves the answer, so ties go to the most recent bar.
 */
import type { WebGlKernel } from '../../src/ops/types.ts';
import { requireWindow, runCells } from './program.ts';

export const ts_arg_max: WebGlKernel = (args) =>
  runCells('ts_arg_max', args, `
  ${requireWindow(['getX0'])}
  float best = getX0(t, j);
  int at = 0;
  for (int k = 1; k < afWindow; k++) {
    float v = getX0(t - k, j);
    if (v > best) { best = v; at = k; }
  }
  setOutput(float(at));`);
