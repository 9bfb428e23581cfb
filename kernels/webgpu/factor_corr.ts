/**
 * WebGPU kernel for `af_factor_corr`: population `[F, D, N]` to the `[F, F]` mean over days of the
 * pairwise-complete cross-sectional Spearman correlation, with the CPU kernel's rules
 * (kernels/cpu/factor_corr.ts). A workgroup per (pair, day) ranks both factors on their common stocks; a thread
 * per matrix cell then averages the pair's counted days. The pair-day work is O(F² D N²): meant for small F.
 */
import type { KernelFunc } from '@tensorflow/tfjs-core';
import { metricArgs } from '../../src/fitness/metric_args.ts';
import type { WebGpuBackendLike } from './program.ts';
import { corrMeanProgram, corrPairsProgram } from './metric_programs.ts';

export const factor_corr_webgpu: KernelFunc = ({ inputs, backend, attrs }) => {
  const gpu = backend as unknown as WebGpuBackendLike;
  const { factors, F, minStocks, first, nDays } = metricArgs('af_factor_corr', inputs, attrs);
  const P = (F * (F - 1)) / 2;
  const fUniform = [{ type: 'int32' as const, data: [F] }];
  if (P === 0 || nDays === 0) return gpu.runWebGPUProgram(corrMeanProgram(F, false), [factors], 'float32', fUniform);
  const pairs = gpu.runWebGPUProgram(corrPairsProgram(F, nDays), [factors], 'float32', [
    { type: 'int32', data: [minStocks] },
    { type: 'int32', data: [first] },
    { type: 'int32', data: [nDays] },
  ]);
  const out = gpu.runWebGPUProgram(corrMeanProgram(F, true), [pairs], 'float32', fUniform);
  gpu.disposeData(pairs.dataId);
  return out;
};
