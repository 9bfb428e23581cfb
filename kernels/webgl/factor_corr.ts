/**
 * WebGL kernel for `af_factor_corr`: population `[F, D, N]` to the `[F, F]` mean over days of the
 * pairwise-complete cross-sectional Spearman correlation, with the CPU kernel's rules (kernels/cpu/factor_corr.ts).
 * Fragment programs from metric_programs.ts: each pair-day's Spearman, then each pair's mean over its counted
 * days. Ranks are over the stocks both factors have that day. For cross-sections wider than METRIC_COUNT_MAX, each
 * factor-day's values are sorted first (bitonic.ts) and a pair-day whose common stocks are all of both factors'
 * stocks (the usual case: holes shared, or none) binary-searches them; other pair-days count (O(N²)), with the
 * same result either way. The sorted rows take F x days x S texels; past SORT_TEXELS every pair-day counts.
 */
import type { KernelFunc, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import { metricArgs } from '../../src/fitness/metric_args.ts';
import type { WebGlBackendLike } from './program.ts';
import { sortRows, sortWidthGl } from './bitonic.ts';
import { corrDaysProgram, corrMeanProgram, corrSortInputProgram } from './metric_programs.ts';
import { METRIC_COUNT_MAX, SORT_TEXELS } from './daily_metrics.ts';

/** The sort's padded width for a population, or 0 to count every pair-day. */
export function corrSortWidthGl(F: number, nDays: number, N: number): number {
  const S = sortWidthGl(N);
  return N > METRIC_COUNT_MAX && F * nDays * S <= SORT_TEXELS ? S : 0;
}

export const factor_corr_webgl: KernelFunc = ({ inputs, backend, attrs }) => factorCorrWebGl(backend as unknown as WebGlBackendLike, inputs, attrs ?? {});

/** The kernel with the sort width S chosen by the caller (0 counts; the tests run both on one population). */
export function factorCorrWebGl(gl: WebGlBackendLike, inputs: NamedTensorInfoMap, attrs: NamedAttrMap, S?: number): TensorInfo {
  const { factors, F, N, minStocks, first, nDays } = metricArgs('af_factor_corr', inputs, attrs);
  // With no day in range the mean stage alone gives the answer (1 on the diagonal, NaN elsewhere).
  if (nDays === 0 || F === 0) return gl.runWebGLProgram(corrMeanProgram(F, 0), [factors], 'float32');
  const width = S ?? corrSortWidthGl(F, nDays, N);
  const uniforms = [[minStocks], [first]];
  const sorted: TensorInfo[] = [];
  if (width) {
    const keys = gl.runWebGLProgram(corrSortInputProgram(F, nDays, N, width), [factors], 'float32', uniforms);
    sorted.push(sortRows(gl, keys));
    gl.disposeData(keys.dataId);
  }
  const days = gl.runWebGLProgram(corrDaysProgram(F, nDays, N, width), [factors, ...sorted], 'float32', uniforms);
  const out = gl.runWebGLProgram(corrMeanProgram(F, nDays), [days], 'float32');
  for (const t of [days, ...sorted]) gl.disposeData(t.dataId);
  return out;
}
