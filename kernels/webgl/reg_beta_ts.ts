/**
 * WebGL kernel for REGbeta_ts, the least-squares slope of x on y over the window, cov(x, y) / var(y). NaN for
 * n < 2 and when y is constant over the window; a constant x (y varying) has slope exactly 0. Constancy is found
 * by comparing values. The slope is taken from scaled co-moments (see `PAIR_SUMS`) and rescaled by yP / xP.
 */
import type { WebGlKernel } from '../../src/ops/types.ts';
import { PAIR_SUMS, requireWindow, runCells, scanWindow } from './program.ts';

export const reg_beta_ts: WebGlKernel = (args) =>
  runCells('reg_beta_ts', args, `
  ${requireWindow(['getX0', 'getX1'], 2)}
  ${scanWindow('getX0', 'x')}
  ${scanWindow('getX1', 'y')}
  if (!yVaries) { setOutput(NAN); return; }
  if (!xVaries) { setOutput(0.0); return; }
  ${PAIR_SUMS}
  afEmit(sxy / syy * (yP / xP));`);
