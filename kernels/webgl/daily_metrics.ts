/**
 * WebGL kernel for `af_daily_metrics`: population `[F, D, N]` and label `[D, N]` to one row per factor-day
 * (src/fitness/daily_layout.ts), with the CPU kernel's rules (kernels/cpu/daily_metrics.ts). Three fragment
 * programs from metric_programs.ts: the qcut edge values per factor-day, the rows (turnover columns holding group
 * sizes), then the turnover against the previous used day. The fallback for browsers without WebGPU: per-cell
 * loops over the cross-section, O(N²) for ranks.
 */
import type { KernelFunc } from '@tensorflow/tfjs-core';
import { COL } from '../../src/fitness/daily_layout.ts';
import { dailyMetricArgs } from '../../src/fitness/metric_args.ts';
import type { WebGlBackendLike } from './program.ts';
import { edgesProgram, finishProgram, rowsProgram } from './metric_programs.ts';

export const daily_metrics_webgl: KernelFunc = ({ inputs, backend, attrs }) => {
  const gl = backend as unknown as WebGlBackendLike;
  const { factors, label, F, N, q, minStocks, first, nDays } = dailyMetricArgs(inputs, attrs);
  const uniforms = [[minStocks], [first]];
  const finish = finishProgram(F, nDays, N, q, COL);
  // An empty output short-circuits before any input is read.
  if (F * nDays === 0) return gl.runWebGLProgram(finish, [factors, label, factors, factors], 'float32', uniforms);
  const edges = gl.runWebGLProgram(edgesProgram(F, nDays, N, q), [factors, label], 'float32', uniforms);
  const rows = gl.runWebGLProgram(rowsProgram(F, nDays, N, q, COL), [factors, label, edges], 'float32', uniforms);
  const out = gl.runWebGLProgram(finish, [factors, label, edges, rows], 'float32', uniforms);
  gl.disposeData(edges.dataId);
  gl.disposeData(rows.dataId);
  return out;
};
