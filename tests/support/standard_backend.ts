/**
 * A stand-in for tfjs-node's `tensorflow` backend, which CI cannot install: a tfjs backend that has tfjs's
 * standard kernels (the cpu backend's, registered again under another name) and none of alphaflow's, so every
 * operator and metric runs as its composite, exactly the code path of the CUDA build (read_log.ts counts
 * what comes back from it).
 */
import * as tf from '@tensorflow/tfjs-core';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';

export const STANDARD_BACKEND = 'standard-ops';

/** Registers the backend (idempotent); its kernels are whatever the cpu backend has under tfjs's own names. */
export function registerStandardBackend(): void {
  if (!tf.findBackendFactory(STANDARD_BACKEND)) {
    tf.registerBackend(STANDARD_BACKEND, () => new MathBackendCPU(), -1);
  }
  for (const k of tf.getKernelsForBackend('cpu')) {
    if (k.kernelName.startsWith('af_') || tf.getKernel(k.kernelName, STANDARD_BACKEND)) continue;
    tf.registerKernel({ ...k, backendName: STANDARD_BACKEND });
  }
}
