/**
 * TensorFlow.js set-up: picks a backend and registers every operator's kernels from the operator table through
 * the tfjs kernel registry, keyed by (kernel name, backend). Later issues add GPU backends by adding kernels to
 * table rows and an adapter here; nothing else changes.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { OPS } from '../ops/table.ts';
import { registerMetricKernels } from '../fitness/metric_kernels.ts';
import type { HostKernel, OpSpec } from '../ops/types.ts';

/** Backends this build can evaluate on. */
export const BACKENDS = ['cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];

/** Input names of an operator's tensors in the kernel call, by position. */
export function inputNames(op: OpSpec): string[] {
  return op.args.map((_, i) => `x${i}`);
}

/** Adapts a typed-array kernel to the tfjs `cpu` backend: reads operands in place, returns a fresh tensor. */
function hostKernelFunc(op: OpSpec, kernel: HostKernel): tf.KernelFunc {
  const names = inputNames(op);
  return ({ inputs, backend, attrs }) => {
    const cpu = backend as MathBackendCPU;
    const operands = names.map((n) => {
      const info = inputs[n];
      if (!info) throw new Error(`${op.name}: missing input ${n}`);
      return info;
    });
    const first = operands[0];
    const [T, N] = first.shape;
    const xs = operands.map((info) => {
      if (info.shape[0] !== T || info.shape[1] !== N) {
        throw new Error(`${op.name}: operand shapes differ ([${first.shape}] vs [${info.shape}])`);
      }
      return cpu.readSync(info.dataId) as Float32Array;
    });
    const out = takeBuffer(T * N);
    kernel({ xs, T, N, window: (attrs?.window as number | undefined) ?? 0, out });
    return cpu.makeTensorInfo([T, N], 'float32', out);
  };
}

/**
 * Output buffers of released intermediates, reused for the next kernel outputs of the same size: allocating
 * a fresh multi-megabyte array costs about as much as a simple elementwise kernel. Kernels write every cell.
 */
const freeBuffers: Float32Array[] = [];
const MAX_FREE_BUFFERS = 8;

function takeBuffer(size: number): Float32Array {
  for (let i = freeBuffers.length - 1; i >= 0; i--) {
    if (freeBuffers[i].length === size) return freeBuffers.splice(i, 1)[0];
  }
  return new Float32Array(size);
}

/**
 * Disposes a tensor that nothing else will read; on the `cpu` backend its array is kept for reuse when no
 * other tensor shares it.
 */
export function disposeIntermediate(t: tf.Tensor): void {
  if (tf.getBackend() === 'cpu' && !t.isDisposed) {
    const cpu = tf.backend() as MathBackendCPU;
    if (cpu.refCount(t.dataId) === 1 && freeBuffers.length < MAX_FREE_BUFFERS) {
      const values = cpu.readSync(t.dataId);
      if (values instanceof Float32Array) freeBuffers.push(values);
    }
  }
  t.dispose();
}

let registered = false;

/** Registers all table kernels, and the metrics' kernels, with tfjs (idempotent). */
export function registerOpKernels(): void {
  if (registered) return;
  registered = true;
  registerMetricKernels();
  for (const op of OPS) {
    if (!tf.getKernel(op.kernelName, 'cpu')) {
      tf.registerKernel({ kernelName: op.kernelName, backendName: 'cpu', kernelFunc: hostKernelFunc(op, op.kernels.cpu) });
    }
  }
}

/** Quiet tfjs's Node banner and debug checks; register kernels; activate the backend. */
export async function initBackend(name: BackendName = 'cpu'): Promise<BackendName> {
  tf.env().set('PROD', true);
  registerOpKernels();
  if (tf.getBackend() !== name) {
    const ok = await tf.setBackend(name);
    if (!ok) throw new Error(`tfjs backend '${name}' failed to initialise`);
  }
  await tf.ready();
  return name;
}
