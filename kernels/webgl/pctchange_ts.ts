/**
 * WebGL kernel for `pctchange_ts`, x[t] / x[t-n] - 1, NaN for a zero or missing base. Computed as
 * (x[t] - x[t-n]) / x[t-n]: for nearby values the difference is exact, so the small change keeps its digits,
 * where float32 x[t] / x[t-n] - 1 would keep only an absolute 6e-8 of them. Should that difference overflow,
 * the quotient form (finite whenever the result is) is used instead.
 */
import type { WebGlKernel } from '../../src/ops/types.ts';
import { runCells } from './program.ts';

export const pctchange_ts: WebGlKernel = (args) =>
  runCells('pctchange_ts', args, `
  if (afWindow < 0 || t < afWindow) { setOutput(NAN); return; }
  float a = getX0(t, j);
  float b = getX0(t - afWindow, j);
  if (afMissing(a) || afMissing(b) || b == 0.0) { setOutput(NAN); return; }
  float d = a - b;
  afEmit(afMissing(d) ? a / b - 1.0 : d / b);`);
