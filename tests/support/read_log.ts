/**
 * Counts what leaves a tfjs backend: every read through the engine (a tensor's data() or dataSync()), with its
 * number of cells, while the watched backend is active. Kernels reading their own backend's storage (as the cpu
 * kernels do) are not reads from the host's point of view and are not counted. What tells "a few numbers per
 * factor come back" from "panels come back", and whether anything is read synchronously.
 */
import * as tf from '@tensorflow/tfjs-core';

export interface ReadLog {
  /** Cells of each async read (`data()`), in order. */
  readonly reads: number[];
  /** Cells of each sync read (`dataSync()`, `arraySync()`). */
  readonly syncReads: number[];
}

const log = { backend: '', reads: [] as number[], syncReads: [] as number[] };
let patched = false;

/** Starts a fresh log of the reads from `backend` (live: it fills as the backend is read). */
export function watchReads(backend: string): ReadLog {
  if (!patched) {
    patched = true;
    const engine = tf.engine() as unknown as { read(id: tf.DataId): Promise<unknown>; readSync(id: tf.DataId): unknown };
    const read = engine.read.bind(engine);
    const readSync = engine.readSync.bind(engine);
    engine.read = async (id) => {
      const watched = tf.getBackend() === log.backend;
      const v = (await read(id)) as ArrayLike<unknown>;
      if (watched) log.reads.push(v.length);
      return v;
    };
    engine.readSync = (id) => {
      const v = readSync(id) as ArrayLike<unknown>;
      if (tf.getBackend() === log.backend) log.syncReads.push(v.length);
      return v;
    };
  }
  log.backend = backend;
  log.reads.length = 0;
  log.syncReads.length = 0;
  return log;
}
