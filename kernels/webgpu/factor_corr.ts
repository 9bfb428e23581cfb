/**
 * WebGPU kernel for `af_factor_corr`: population `[F, D, N]` to the `[F, F]` mean over days of the
 * pairwise-complete cross-sectional Spearman correlation, with the CPU kernel's rules
 * (kernels/cpu/factor_corr.ts). A workgroup per (pair, day) ranks both factors on their common stocks (sorting
 * them in workgroup memory where they fit, else by counting); a thread per matrix cell then averages the pair's
 * counted days. The pair-day work grows with F²: meant for pools and reports, not whole populations.
 */
import type { KernelFunc, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import { metricArgs } from '../../src/fitness/metric_args.ts';
import { type WebGpuBackendLike, workgroupStorageBytes } from './program.ts';
import { corrMeanProgram, corrPairsProgram, corrSortWidth } from './metric_programs.ts';

export const factor_corr_webgpu: KernelFunc = ({ inputs, backend, attrs }) => {
  const gpu = backend as unknown as WebGpuBackendLike;
  const { N } = metricArgs('af_factor_corr', inputs, attrs);
  return factorCorrWebGpu(gpu, inputs, attrs, corrSortWidth(N, workgroupStorageBytes(gpu)));
};

/** The kernel with the pair stage's way to rank fixed: sort width S, or 0 to count (the tests compare the two). */
export function factorCorrWebGpu(gpu: WebGpuBackendLike, inputs: NamedTensorInfoMap, attrs: NamedAttrMap | undefined, S: number): TensorInfo {
  const { factors, F, N, minStocks, first, nDays } = metricArgs('af_factor_corr', inputs, attrs);
  const P = (F * (F - 1)) / 2;
  const fUniform = [{ type: 'int32' as const, data: [F] }];
  if (P === 0 || nDays === 0) return gpu.runWebGPUProgram(corrMeanProgram(F, false), [factors], 'float32', fUniform);
  const pairs = gpu.runWebGPUProgram(corrPairsProgram(F, nDays, N, S), [factors], 'float32', [
    { type: 'int32', data: [minStocks] },
    { type: 'int32', data: [first] },
    { type: 'int32', data: [nDays] },
    { type: 'uint32', data: [S] },
  ]);
  const out = gpu.runWebGPUProgram(corrMeanProgram(F, true), [pairs], 'float32', fUniform);
  gpu.disposeData(pairs.dataId);
  return out;
}
