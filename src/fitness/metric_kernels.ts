/**
 * The metrics' kernels, registered through the tfjs kernel registry per backend exactly like the operator
 * table's: `af_daily_metrics` (population `[F, D, N]` + label `[D, N]` → per-factor-day rows, layout in
 * daily_layout.ts), `af_factor_corr` (population → `[F, F]` mean daily Spearman) and `af_take_rows` (a panel's
 * day-end rows, the metrics' input). One row per kernel with its implementations per backend, the host ones
 * again on wasm (whose tensors are in host memory), plus a composite of standard tfjs ops that any other backend
 * runs (tfjs-node's `tensorflow`: on CUDA the population stays on the GPU too); `runMetricKernel` picks.
 * tests/kernel_registry.test.ts checks every custom-kernel backend has every one.
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
import { dailyMetricsComposite } from '../../kernels/composite/daily_metrics.ts';
import { factorCorrComposite } from '../../kernels/composite/factor_corr.ts';
import { takeRowsComposite } from '../../kernels/composite/take_rows.ts';
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
  /** One per custom-kernel backend, and the host one again for wasm, whose tensors live in host memory. */
  readonly kernels: { readonly [B in CustomKernelBackend | 'wasm']: tf.KernelFunc };
  /** The same from standard tfjs ops, for any other backend: inputs stay where they are, the result is new. */
  readonly composite: (inputs: tf.NamedTensorMap, attrs: tf.NamedAttrMap) => tf.Tensor;
}

/**
 * A backend whose tensors live in host memory (cpu, wasm): the host kernels read its inputs and write its
 * outputs directly. On wasm that beats the composite by far (a radix sort against tfjs's topk and O(log N)
 * passes: 50x and more, docs/benchmarks.md), and nothing crosses a device boundary.
 */
interface HostMemory {
  read(t: tf.TensorInfo): Float32Array | Int32Array;
  output(shape: number[], values: Float32Array): tf.TensorInfo;
}

/** The part of tfjs-backend-wasm's BackendWasm that the host kernels use. */
interface WasmBackendLike {
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array | Int32Array;
  makeOutput(shape: number[], dtype: 'float32', memoryOffset?: number, values?: Float32Array): tf.TensorInfo;
}

const HOST_MEMORY = {
  cpu: (b: unknown): HostMemory => {
    const cpu = b as MathBackendCPU;
    return { read: (t) => cpu.readSync(t.dataId) as Float32Array, output: (shape, v) => cpu.makeTensorInfo(shape, 'float32', v) };
  },
  wasm: (b: unknown): HostMemory => {
    const wasm = b as unknown as WasmBackendLike;
    // Views of the wasm heap, not copies: every kernel reads its inputs before makeOutput allocates (which may
    // grow the heap and detach them).
    return { read: (t) => wasm.typedArrayFromHeap(t), output: (shape, v) => wasm.makeOutput(shape, 'float32', undefined, v) };
  },
} as const;

type HostBackend = keyof typeof HOST_MEMORY;

/** Whether the backend's tensors live in host memory (cpu, wasm), where host code can read them without a copy. */
export function isHostMemoryBackend(name: string): name is HostBackend {
  return Object.hasOwn(HOST_MEMORY, name);
}

/** Splits a host `[F, D, N]` population into per-factor `[D, N]` views (no copy). */
function hostViews(mem: HostMemory, a: MetricArgs): Float32Array[] {
  const all = mem.read(a.factors) as Float32Array;
  const size = a.D * a.N;
  return Array.from({ length: a.F }, (_, f) => all.subarray(f * size, (f + 1) * size));
}

function dailyMetricsHost(on: HostBackend): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const mem = HOST_MEMORY[on](backend);
    const a = dailyMetricArgs(inputs, attrs);
    const out = new Float32Array(a.F * a.nDays * dailyWidth(a.q));
    dailyMetrics({ factors: hostViews(mem, a), label: mem.read(a.label) as Float32Array, N: a.N, q: a.q, minStocks: a.minStocks, first: a.first, last: a.last, out });
    return mem.output([a.F, a.nDays, dailyWidth(a.q)], out);
  };
}

function factorCorrHost(on: HostBackend): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const mem = HOST_MEMORY[on](backend);
    const a = metricArgs(FACTOR_CORR_KERNEL, inputs, attrs);
    const out = new Float32Array(a.F * a.F);
    factorCorrelationKernel({ factors: hostViews(mem, a), N: a.N, minStocks: a.minStocks, first: a.first, last: a.last, out });
    return mem.output([a.F, a.F], out);
  };
}

function takeRowsHost(on: HostBackend): tf.KernelFunc {
  return ({ inputs, backend }) => {
    const mem = HOST_MEMORY[on](backend);
    const { x, rows, T, N, R } = takeRowsArgs(inputs);
    const out = new Float32Array(R * N);
    takeRows({ x: mem.read(x) as Float32Array, rows: mem.read(rows) as Int32Array, T, N, out });
    return mem.output([R, N], out);
  };
}

export const METRIC_KERNELS: readonly MetricKernelSpec[] = Object.freeze([
  {
    kernelName: DAILY_METRICS_KERNEL,
    inputs: ['factors', 'label'],
    attrs: ['groups', 'minStocks', 'first', 'last'],
    doc: 'Per factor and day: used flag, IC, rank IC, market mean, top/bottom turnover, coverage count, q group means.',
    kernels: { cpu: dailyMetricsHost('cpu'), wasm: dailyMetricsHost('wasm'), webgpu: daily_metrics_webgpu, webgl: daily_metrics_webgl },
    composite: (inputs, attrs) => {
      const a = dailyMetricArgs(inputs, attrs);
      return dailyMetricsComposite(inputs.factors as tf.Tensor3D, inputs.label as tf.Tensor2D, a);
    },
  },
  {
    kernelName: FACTOR_CORR_KERNEL,
    inputs: ['factors'],
    attrs: ['minStocks', 'first', 'last'],
    doc: 'Mean over days of the pairwise-complete cross-sectional Spearman correlation of every pair of factors.',
    kernels: { cpu: factorCorrHost('cpu'), wasm: factorCorrHost('wasm'), webgpu: factor_corr_webgpu, webgl: factor_corr_webgl },
    composite: (inputs, attrs) => factorCorrComposite(inputs.factors as tf.Tensor3D, metricArgs(FACTOR_CORR_KERNEL, inputs, attrs)),
  },
  {
    kernelName: TAKE_ROWS_KERNEL,
    inputs: ['x', 'rows'],
    attrs: [],
    doc: 'Rows of a [T, N] panel by int32 index (a NaN row for an index outside the panel): the day-end bars the metrics score.',
    kernels: { cpu: takeRowsHost('cpu'), wasm: takeRowsHost('wasm'), webgpu: take_rows_webgpu, webgl: take_rows_webgl },
    composite: (inputs) => {
      takeRowsArgs(inputs);
      return takeRowsComposite(inputs.x as tf.Tensor2D, inputs.rows as tf.Tensor1D);
    },
  },
]);

/** How runMetricKernel computes: the backend's registered kernel where it has one (`auto`), or the composite. */
export type MetricPath = 'auto' | 'composite';

/**
 * Runs a metric kernel on the active backend: its registered kernel where it has one, else (or when `path` is
 * `composite`) the composite of standard ops. Either way the inputs stay on the backend and are not disposed.
 */
export function runMetricKernel(kernelName: string, inputs: tf.NamedTensorMap, attrs: tf.NamedAttrMap, path: MetricPath = 'auto'): tf.Tensor {
  registerMetricKernels();
  const spec = METRIC_KERNELS.find((k) => k.kernelName === kernelName);
  if (!spec) throw new RangeError(`no metric kernel '${kernelName}' (have ${METRIC_KERNELS.map((k) => k.kernelName).join(', ')})`);
  if (path === 'auto' && tf.getKernel(kernelName, tf.getBackend())) return tf.engine().runKernel(kernelName, inputs, attrs) as tf.Tensor;
  return spec.composite(inputs, attrs);
}

/** `x`'s rows `rows` as an `[R, N]` tensor on the active backend; an index outside the panel gives a NaN row. */
export function takeRowsTensor(x: tf.Tensor2D, rows: tf.Tensor1D): tf.Tensor2D {
  return runMetricKernel(TAKE_ROWS_KERNEL, { x, rows }, {}) as tf.Tensor2D;
}

/** Registers every metric kernel for every backend it has (idempotent). */
export function registerMetricKernels(): void {
  for (const spec of METRIC_KERNELS) {
    for (const [backendName, kernelFunc] of Object.entries(spec.kernels)) {
      if (!tf.getKernel(spec.kernelName, backendName)) tf.registerKernel({ kernelName: spec.kernelName, backendName, kernelFunc });
    }
  }
}
