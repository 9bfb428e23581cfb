/**
 * WebGPU kernel for `af_daily_metrics`: population `[F, D, N]` and label `[D, N]` to one row per factor-day
 * (src/fitness/daily_layout.ts), with the CPU kernel's rules (kernels/cpu/daily_metrics.ts). Two programs from
 * metric_programs.ts: a workgroup per factor-day computes everything a day knows by itself and the top and bottom
 * groups' members as bit sets (ranking wide cross-sections by sorting them in workgroup memory where they fit,
 * else by counting); a thread per factor-day then forms the turnover against the previous used day.
 * Only the rows tensor outlives the call.
 */
import type { KernelFunc, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import { dailyMetricArgs } from '../../src/fitness/metric_args.ts';
import { COL } from '../../src/fitness/daily_layout.ts';
import { type WebGpuBackendLike, workgroupStorageBytes } from './program.ts';
import { dailyFinishProgram, dailySortWidth, dailyStageProgram } from './metric_programs.ts';

export const daily_metrics_webgpu: KernelFunc = ({ inputs, backend, attrs }) => {
  const gpu = backend as unknown as WebGpuBackendLike;
  const { N, q } = dailyMetricArgs(inputs, attrs);
  return dailyMetricsWebGpu(gpu, inputs, attrs, dailySortWidth(N, q, COL, workgroupStorageBytes(gpu)));
};

/** The kernel with the stage's way to rank fixed: sort width S, or 0 to count (the tests compare the two). */
export function dailyMetricsWebGpu(gpu: WebGpuBackendLike, inputs: NamedTensorInfoMap, attrs: NamedAttrMap | undefined, S: number): TensorInfo {
  const { factors, label, F, N, q, minStocks, first, nDays } = dailyMetricArgs(inputs, attrs);
  const finish = dailyFinishProgram(F, nDays, N, q, COL);
  const rows = F * nDays;
  if (rows === 0) return gpu.runWebGPUProgram(finish, [factors], 'float32', [{ type: 'int32', data: [0] }]);
  const stage = gpu.runWebGPUProgram(dailyStageProgram(F, nDays, N, q, COL, S), [factors, label], 'int32', [
    { type: 'int32', data: [minStocks] },
    { type: 'int32', data: [first] },
    { type: 'int32', data: [nDays] },
    { type: 'uint32', data: [S] },
  ]);
  const out = gpu.runWebGPUProgram(finish, [stage], 'float32', [{ type: 'int32', data: [rows] }]);
  gpu.disposeData(stage.dataId);
  return out;
}
