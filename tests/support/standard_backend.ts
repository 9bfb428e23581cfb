/**
 * A stand-in for tfjs-node's `tensorflow` backend, which CI cannot install: a tfjs backend that has tfjs's
 * standard kernels (the cpu backend's, registered again under another name) and none of alphaflow's, so every
 * operator and metric runs as its composite, exactly the code path of the CUDA build. It also counts what
 * leaves the backend: every read through the engine, sync or async, with its size — what tells "a few numbers
 * per factor come back" from "panels come back".
 */
import * as tf from '@tensorflow/tfjs-core';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';

export const STANDARD_BACKEND = 'standard-ops';

export interface ReadLog {
  /** Cells of each async read (`data()`), in order. */
  readonly reads: number[];
  /** Cells of each sync read (`dataSync()`, `arraySync()`). */
  readonly syncReads: number[];
}

const log: { reads: number[]; syncReads: number[] } = { reads: [], syncReads: [] };
let patched = false;

/** Registers the backend (idempotent); its kernels are whatever the cpu backend has under tfjs's own names. */
export function registerStandardBackend(): void {
  if (!tf.findBackendFactory(STANDARD_BACKEND)) {
    tf.registerBackend(STANDARD_BACKEND, () => new MathBackendCPU(), -1);
  }
  for (const k of tf.getKernelsForBackend('cpu')) {
    if (k.kernelName.startsWith('af_') || tf.getKernel(k.kernelName, STANDARD_BACKEND)) continue;
    tf.registerKernel({ ...k, backendName: STANDARD_BACKEND });
  }
  if (patched) return;
  patched = true;
  // Reads are counted at the engine, where tensors' data() and dataSync() arrive; kernels reading their own
  // backend's storage (as the cpu kernels do) are not reads from the host's point of view.
  const engine = tf.engine() as unknown as { read(id: tf.DataId): Promise<unknown>; readSync(id: tf.DataId): unknown };
  const read = engine.read.bind(engine);
  const readSync = engine.readSync.bind(engine);
  engine.read = async (id) => {
    const v = (await read(id)) as ArrayLike<unknown>;
    if (tf.getBackend() === STANDARD_BACKEND) log.reads.push(v.length);
    return v;
  };
  engine.readSync = (id) => {
    const v = readSync(id) as ArrayLike<unknown>;
    if (tf.getBackend() === STANDARD_BACKEND) log.syncReads.push(v.length);
    return v;
  };
}

/** Clears the read log and returns it (live: it fills as the backend is read). */
export function resetReadLog(): ReadLog {
  log.reads.length = 0;
  log.syncReads.length = 0;
  return log;
}
