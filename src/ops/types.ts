/**
 * The shape of one operator-table row and of the host (typed-array) kernels it points to.
 *
 * Everything that needs to know about operators (parser, printer, evaluator, GP, UI, docs) reads rows of
 * this type from `table.ts`; nothing else switches on operator names.
 */
import type { Tensor2D, TensorInfo } from '@tensorflow/tfjs-core';
import type { WebGpuBackendLike } from '../../kernels/webgpu/program.ts';
import type { WebGlBackendLike } from '../../kernels/webgl/program.ts';

/** How an operator relates bars and stocks: decides which axis it reads across. */
export type OpKind = 'elementwise' | 'cross_section' | 'time_series';

/** Arguments of a host kernel: whole panels, time-major `[T, N]` (bar t, stock j at `t * N + j`). */
export interface HostKernelArgs {
  /** Operand panels in the operator's argument order (the window is not an operand). */
  readonly xs: readonly Float32Array[];
  /** Bars (rows). */
  readonly T: number;
  /** Stocks (columns). */
  readonly N: number;
  /** Window length for windowed operators, 0 otherwise. */
  readonly window: number;
  /** Output panel `[T, N]`, freshly allocated; the kernel writes every cell (NaN where missing). */
  readonly out: Float32Array;
}

/**
 * A kernel over plain typed arrays. It runs on backends whose tensors live in host memory (tfjs `cpu`),
 * computes in float64 (JS numbers) and stores float32; any non-finite result is stored as NaN.
 */
export type HostKernel = (args: HostKernelArgs) => void;

/** Arguments of a device kernel: operands already on the backend's device, each `[T, N]` float32. */
export interface DeviceKernelArgs<B> {
  readonly backend: B;
  readonly inputs: readonly TensorInfo[];
  readonly T: number;
  readonly N: number;
  /** Window length for windowed operators, 0 otherwise. */
  readonly window: number;
}

/**
 * A kernel on a GPU backend: runs one or more shader programs and returns the `[T, N]` float32 output, which
 * stays on the device. Same semantics as the host kernel (NaN rules, ties, constant windows), float32 arithmetic.
 */
export type DeviceKernel<B> = (args: DeviceKernelArgs<B>) => TensorInfo;
export type WebGpuKernel = DeviceKernel<WebGpuBackendLike>;
export type WebGlKernel = DeviceKernel<WebGlBackendLike>;

/**
 * The operator from standard tfjs ops only, for backends with no custom kernel (`tensorflow`, `wasm`). Called
 * inside `tf.tidy`; returns a `[T, N]` float32 tensor and may leave intermediates for the tidy to dispose.
 */
export type CompositeKernel = (xs: readonly Tensor2D[], window: number) => Tensor2D;

/** Backends with a custom kernel for every operator; any other backend runs the composite. */
export const CUSTOM_KERNEL_BACKENDS = ['cpu', 'webgpu', 'webgl'] as const;
export type CustomKernelBackend = (typeof CUSTOM_KERNEL_BACKENDS)[number];

/** Kernels of one operator: one per custom-kernel backend, plus the composite. */
export interface OpKernels {
  readonly cpu: HostKernel;
  readonly webgpu: WebGpuKernel;
  readonly webgl: WebGlKernel;
  readonly composite: CompositeKernel;
}

export interface OpSpec {
  /** Canonical name, as printed. */
  readonly name: string;
  /** Other spellings that parse to this operator (the report's typos, other dialects). */
  readonly aliases: readonly string[];
  /** Names of the expression operands, e.g. `['x', 'y']`; the window, if any, is not among them. */
  readonly args: readonly string[];
  /** Whether the first argument is a positive integer window `n`. */
  readonly windowed: boolean;
  /** Smallest window that makes sense (e.g. 2 for a sample standard deviation). */
  readonly minWindow: number;
  readonly kind: OpKind;
  /** Bars of history before `t` the operator reads at `t`, for window `n` (0 for non-windowed). */
  lookback(n: number): number;
  /** One line: what it computes and its NaN rule. */
  readonly doc: string;
  /** tfjs kernel name under which its kernels are registered. */
  readonly kernelName: string;
  readonly kernels: OpKernels;
}

/** Largest window the language accepts; documented in the README. */
export const MAX_WINDOW = 1000;
