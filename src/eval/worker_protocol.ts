/**
 * Messages between the evaluation pool and its workers. Panels travel once per worker as SharedArrayBuffer
 * views (no copy per worker); expressions travel as canonical text, their identity; values come back as
 * transferred buffers.
 */

export interface PanelMessage {
  type: 'panel';
  T: number;
  N: number;
  fields: [string, Float32Array][];
}

export interface EvalMessage {
  type: 'eval';
  id: number;
  exprs: string[];
}

export type ToWorker = PanelMessage | EvalMessage | { type: 'close' };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'result'; id: number; values: Float32Array[] }
  | { type: 'error'; id: number; name: string; message: string };
