/**
 * WebGL kernel for `af_factor_corr`: population `[F, D, N]` to the `[F, F]` mean over days of the
 * pairwise-complete cross-sectional Spearman correlation, with the CPU kernel's rules (kernels/cpu/factor_corr.ts).
 * One fragment per matrix cell loops over the days and ranks both factors on their common stocks by counting:
 * O(D N²) per cell, a fallback for small F and modest panels.
 */
import type { KernelFunc } from '@tensorflow/tfjs-core';
import { metricArgs } from '../../src/fitness/metric_args.ts';
import type { WebGlBackendLike } from './program.ts';
import { corrProgram } from './metric_programs.ts';

export const factor_corr_webgl: KernelFunc = ({ inputs, backend, attrs }) => {
  const gl = backend as unknown as WebGlBackendLike;
  const { factors, F, N, minStocks, first, nDays } = metricArgs('af_factor_corr', inputs, attrs);
  return gl.runWebGLProgram(corrProgram(F, nDays, N), [factors], 'float32', [[minStocks], [first]]);
};
