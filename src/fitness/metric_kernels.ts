/**
 * The metrics' kernels, registered through the tfjs kernel registry per backend exactly like the operator
 * table's: `af_daily_metrics` (population `[F, D, N]` + label `[D, N]` → per-factor-day rows, layout in
 * daily_layout.ts), `af_factor_corr` (population → `[F, F]` mean daily Spearman) and `af_take_rows` (a panel's
 * day-end rows, the metrics' input). One row per kernel with its implementations per backend; tests/kernel_registry.test.ts checks every registered backend has every one.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { dailyMetrics } from '../../kernels/cpu/daily_metrics.ts';
import { factorCorrelationKernel } from '../../kernels/cpu/factor_corr.ts';
import { takeRows } from '../../kernels/cpu/take_rows.ts';
import { daily_metrics_webgpu } from '../../kernels/webgpu/daily_metrics.ts';
import { factor_corr_webgpu } from '../../kernels/webgpu/factor_corr.ts';
import { take_rows_webgpu } from '../../kernels/webgpu/take_rows.ts';
import { daily_metrics_webgl } from '../../kernels/webgl/daily_metrics.ts';
import { factor_corr_webgl } from '../../kernels/webgl/factor_corr.ts';
import { take_rows_webgl } from '../../kernels/webgl/take_rows.ts';
import type { CustomKernelBackend } from '../ops/types.ts';
import { dailyWidth } from './daily_layout.ts';
import { dailyMetricArgs, metricArgs, takeRowsArgs, type MetricArgs } from './metric_args.ts';

export const DAILY_METRICS_KERNEL = 'af_daily_metrics';
export const FACTOR_CORR_KERNEL = 'af_factor_corr';
export const TAKE_ROWS_KERNEL = 'af_take_rows';

export interface MetricKernelSpec {
  readonly kernelName: string;
  /** Tensor inputs by name, in order. */
  readonly inputs: readonly string[];
  /** Attributes the kernel reads. */
  readonly attrs: readonly string[];
  readonly doc: string;
  /** One per custom-kernel backend; on any other backend the caller computes on the host (see metrics.ts). */
  readonly kernels: { readonly [B in CustomKernelBackend]: tf.KernelFunc };
}

/** Splits a host `[F, D, N]` population into per-factor `[D, N]` views (no copy). */
function hostViews(cpu: MathBackendCPU, a: MetricArgs): Float32Array[] {
  const all = cpu.readSync(a.factors.dataId) as Float32Array;
  const size = a.D * a.N;
  return Array.from({ length: a.F }, (_, f) => all.subarray(f * size, (f + 1) * size));
}

const dailyMetricsCpu: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const cpu = backend as MathBackendCPU;
  const a = dailyMetricArgs(inputs, attrs);
  const label = cpu.readSync(a.label.dataId) as Float32Array;
  const out = new Float32Array(a.F * a.nDays * dailyWidth(a.q));
  dailyMetrics({ factors: hostViews(cpu, a), label, N: a.N, q: a.q, minStocks: a.minStocks, first: a.first, last: a.last, out });
  return cpu.makeTensorInfo([a.F, a.nDays, dailyWidth(a.q)], 'float32', out);
};

const factorCorrCpu: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const cpu = backend as MathBackendCPU;
  const a = metricArgs('af_factor_corr', inputs, attrs);
  const out = new Float32Array(a.F * a.F);
  factorCorrelationKernel({ factors: hostViews(cpu, a), N: a.N, minStocks: a.minStocks, first: a.first, last: a.last, out });
  return cpu.makeTensorInfo([a.F, a.F], 'float32', out);
};

const takeRowsCpu: tf.KernelFunc = ({ inputs, backend }) => {
  const cpu = backend as MathBackendCPU;
  const { x, rows, T, N, R } = takeRowsArgs(inputs);
  const out = new Float32Array(R * N);
  takeRows({ x: cpu.readSync(x.dataId) as Float32Array, rows: cpu.readSync(rows.dataId) as Int32Array, T, N, out });
  return cpu.makeTensorInfo([R, N], 'float32', out);
};

export const METRIC_KERNELS: readonly MetricKernelSpec[] = Object.freeze([
  {
    kernelName: DAILY_METRICS_KERNEL,
    inputs: ['factors', 'label'],
    attrs: ['groups', 'minStocks', 'first', 'last'],
    doc: 'Per factor and day: used flag, IC, rank IC, market mean, top/bottom turnover, coverage count, q group means.',
    kernels: { cpu: dailyMetricsCpu, webgpu: daily_metrics_webgpu, webgl: daily_metrics_webgl },
  },
  {
    kernelName: FACTOR_CORR_KERNEL,
    inputs: ['factors'],
    attrs: ['minStocks', 'first', 'last'],
    doc: 'Mean over days of the pairwise-complete cross-sectional Spearman correlation of every pair of factors.',
    kernels: { cpu: factorCorrCpu, webgpu: factor_corr_webgpu, webgl: factor_corr_webgl },
  },
  {
    kernelName: TAKE_ROWS_KERNEL,
    inputs: ['x', 'rows'],
    attrs: [],
    doc: 'Rows of a [T, N] panel by int32 index (a NaN row for an index outside the panel): the day-end bars the metrics score.',
    kernels: { cpu: takeRowsCpu, webgpu: take_rows_webgpu, webgl: take_rows_webgl },
  },
]);

/**
 * `x`'s rows `rows` as an `[R, N]` tensor on the active backend: its `af_take_rows` kernel where it has one, else
 * tfjs's gather (which throws for an index outside the panel rather than giving a NaN row).
 */
export function takeRowsTensor(x: tf.Tensor2D, rows: tf.Tensor1D): tf.Tensor2D {
  registerMetricKernels();
  if (tf.getKernel(TAKE_ROWS_KERNEL, tf.getBackend())) return tf.engine().runKernel(TAKE_ROWS_KERNEL, { x, rows }, {}) as tf.Tensor2D;
  return tf.gather(x, rows, 0);
}

/** Registers every metric kernel for every backend it has (idempotent). */
export function registerMetricKernels(): void {
  for (const spec of METRIC_KERNELS) {
    for (const [backendName, kernelFunc] of Object.entries(spec.kernels)) {
      if (!tf.getKernel(spec.kernelName, backendName)) tf.registerKernel({ kernelName: spec.kernelName, backendName, kernelFunc });
    }
  }
}
