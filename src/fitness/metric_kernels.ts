/**
 * The metrics' kernels, registered through the tfjs kernel registry per backend exactly like the operator
 * table's: `af_daily_metrics` (population `[F, D, N]` + label `[D, N]` → per-factor-day rows, layout in
 * daily_layout.ts) and `af_factor_corr` (population → `[F, F]` mean daily Spearman). One row per kernel with its
 * implementations per backend; tests/kernel_registry.test.ts checks every registered backend has every one.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { dailyMetrics } from '../../kernels/cpu/daily_metrics.ts';
import { factorCorrelationKernel } from '../../kernels/cpu/factor_corr.ts';
import { dailyWidth } from './daily_layout.ts';

export const DAILY_METRICS_KERNEL = 'af_daily_metrics';
export const FACTOR_CORR_KERNEL = 'af_factor_corr';

export interface MetricKernelSpec {
  readonly kernelName: string;
  /** Tensor inputs by name, in order. */
  readonly inputs: readonly string[];
  /** Attributes the kernel reads. */
  readonly attrs: readonly string[];
  readonly doc: string;
  readonly kernels: { readonly cpu: tf.KernelFunc };
}

/** Reads a host tensor and splits a `[F, D, N]` population into per-factor `[D, N]` views (no copy). */
function hostFactors(cpu: MathBackendCPU, info: tf.TensorInfo | undefined): { views: Float32Array[]; D: number; N: number } {
  if (!info || info.shape.length !== 3) throw new Error(`factors must be [F, D, N], got [${info?.shape}]`);
  const [F, D, N] = info.shape;
  const all = cpu.readSync(info.dataId) as Float32Array;
  return { views: Array.from({ length: F }, (_, f) => all.subarray(f * D * N, (f + 1) * D * N)), D, N };
}

/** Day range attributes, clamped to the data (defaults: all days). */
function dayRange(attrs: tf.NamedAttrMap | undefined, D: number): [number, number] {
  const first = Math.max(0, (attrs?.first as number | undefined) ?? 0);
  const last = Math.min(D - 1, (attrs?.last as number | undefined) ?? D - 1);
  return [first, last];
}

const dailyMetricsCpu: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const cpu = backend as MathBackendCPU;
  const { views, D, N } = hostFactors(cpu, inputs.factors);
  const labelInfo = inputs.label;
  if (!labelInfo || labelInfo.shape[0] !== D || labelInfo.shape[1] !== N) throw new Error(`label must be [${D}, ${N}], got [${labelInfo?.shape}]`);
  const label = cpu.readSync(labelInfo.dataId) as Float32Array;
  const q = attrs?.groups as number;
  const minStocks = attrs?.minStocks as number;
  const [first, last] = dayRange(attrs, D);
  const nDays = Math.max(0, last - first + 1);
  const out = new Float32Array(views.length * nDays * dailyWidth(q));
  dailyMetrics({ factors: views, label, N, q, minStocks, first, last, out });
  return cpu.makeTensorInfo([views.length, nDays, dailyWidth(q)], 'float32', out);
};

const factorCorrCpu: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const cpu = backend as MathBackendCPU;
  const { views, D, N } = hostFactors(cpu, inputs.factors);
  const [first, last] = dayRange(attrs, D);
  const F = views.length;
  const out = new Float32Array(F * F);
  factorCorrelationKernel({ factors: views, N, minStocks: attrs?.minStocks as number, first, last, out });
  return cpu.makeTensorInfo([F, F], 'float32', out);
};

export const METRIC_KERNELS: readonly MetricKernelSpec[] = Object.freeze([
  {
    kernelName: DAILY_METRICS_KERNEL,
    inputs: ['factors', 'label'],
    attrs: ['groups', 'minStocks', 'first', 'last'],
    doc: 'Per factor and day: used flag, IC, rank IC, market mean, top/bottom turnover, coverage count, q group means.',
    kernels: { cpu: dailyMetricsCpu },
  },
  {
    kernelName: FACTOR_CORR_KERNEL,
    inputs: ['factors'],
    attrs: ['minStocks', 'first', 'last'],
    doc: 'Mean over days of the pairwise-complete cross-sectional Spearman correlation of every pair of factors.',
    kernels: { cpu: factorCorrCpu },
  },
]);

/** Registers every metric kernel for every backend it has (idempotent). */
export function registerMetricKernels(): void {
  for (const spec of METRIC_KERNELS) {
    for (const [backendName, kernelFunc] of Object.entries(spec.kernels)) {
      if (!tf.getKernel(spec.kernelName, backendName)) tf.registerKernel({ kernelName: spec.kernelName, backendName, kernelFunc });
    }
  }
}
