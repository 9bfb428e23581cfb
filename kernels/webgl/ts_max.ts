/** WebGL kernel for ts_Max, the maximum over the last n bars (all present, else NaN); the value is copied exactly. */
import type { WebGlKernel } from '../../src/ops/types.ts';
import { requireWindow, runCells } from './program.ts';

export const ts_max: WebGlKernel = (args) =>
  runCells('ts_max', args, `
  ${requireWindow(['getX0'])}
  float best = getX0(t, j);
  for (int k = 1; k < afWindow; k++) best = max(best, getX0(t - k, j));
  setOutput(best);`);
