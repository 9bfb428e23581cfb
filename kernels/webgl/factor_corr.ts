/**
 * WebGL kernel for `af_factor_corr`: population `[F, D, N]` to the `[F, F]` mean over days of the
 * pairwise-complete cross-sectional Spearman correlation, with the CPU kernel's rules (kernels/cpu/factor_corr.ts).
 * Two fragment programs (metric_programs.ts): each pair-day's Spearman, ranking both factors on their common
 * stocks by counting (O(N²) per pair-day: the common stocks differ per pair, so there is no per-factor sort to
 * share), then each pair's mean over its counted days.
 */
import type { KernelFunc } from '@tensorflow/tfjs-core';
import { metricArgs } from '../../src/fitness/metric_args.ts';
import type { WebGlBackendLike } from './program.ts';
import { corrDaysProgram, corrMeanProgram } from './metric_programs.ts';

export const factor_corr_webgl: KernelFunc = ({ inputs, backend, attrs }) => {
  const gl = backend as unknown as WebGlBackendLike;
  const { factors, F, N, minStocks, first, nDays } = metricArgs('af_factor_corr', inputs, attrs);
  // With no day in range the mean stage alone gives the answer (1 on the diagonal, NaN elsewhere).
  if (nDays === 0 || F === 0) return gl.runWebGLProgram(corrMeanProgram(F, 0), [factors], 'float32');
  const days = gl.runWebGLProgram(corrDaysProgram(F, nDays, N), [factors], 'float32', [[minStocks], [first]]);
  const out = gl.runWebGLProgram(corrMeanProgram(F, nDays), [days], 'float32');
  gl.disposeData(days.dataId);
  return out;
};
