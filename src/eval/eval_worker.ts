/**
 * The body of an evaluation worker: holds one panel (shared memory), evaluates batches of canonical
 * expressions with the same Evaluator and kernels as the main thread, and transfers the values back.
 * Runs under Node worker_threads, Deno workers and browser Web Workers alike.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Evaluator } from './evaluate.ts';
import { takeRowsTensor } from '../fitness/metric_kernels.ts';
import { Scorer } from './scorer.ts';
import { initBackend } from './backend.ts';
import { parse } from '../expr/parse.ts';
import { makePanel, type Panel } from '../data/panel.ts';
import type { FromWorker, RowMetrics, SegmentMetrics, ToWorker } from './worker_protocol.ts';
import { segmentSummaries } from '../fitness/metrics.ts';

interface Port {
  post(msg: FromWorker, transfer: ArrayBuffer[]): void;
  onMessage(handler: (msg: ToWorker) => void): void;
  close(): void;
}

async function portForThisWorker(): Promise<Port> {
  const g = globalThis as { Deno?: unknown; process?: { versions?: { node?: string } } };
  const isNode = typeof g.process?.versions?.node === 'string' && g.Deno === undefined;
  if (isNode) {
    const { parentPort } = await import('node:worker_threads');
    if (!parentPort) throw new Error('eval_worker must run in a worker thread');
    return {
      post: (m, t) => parentPort.postMessage(m, t),
      onMessage: (h) => parentPort.on('message', h),
      close: () => parentPort.close(),
    };
  }
  const scope = globalThis as unknown as {
    postMessage(m: unknown, t: Transferable[]): void;
    addEventListener(type: 'message', h: (e: MessageEvent) => void): void;
    close(): void;
  };
  return {
    post: (m, t) => scope.postMessage(m, t),
    onMessage: (h) => scope.addEventListener('message', (e) => h(e.data as ToWorker)),
    close: () => scope.close(),
  };
}

const port = await portForThisWorker();
await initBackend('cpu');
let evaluator: Evaluator | undefined;
let scorer: Scorer | undefined;
let fieldNames: string[] = [];

function evaluate(exprs: string[], rows?: Int32Array): { values: Float32Array[]; transfer: ArrayBuffer[] } {
  if (!evaluator) throw new Error('no panel was sent to the worker');
  const nodes = exprs.map((e) => parse(e, { fields: fieldNames }));
  const rowsT = rows && tf.tensor1d(rows, 'int32');
  let tensors = evaluator.evaluate(nodes);
  if (rowsT) {
    tensors = tensors.map((t) => {
      const cut = takeRowsTensor(t as tf.Tensor2D, rowsT);
      t.dispose();
      return cut;
    });
    rowsT.dispose();
  }
  const values: Float32Array[] = [];
  const transfer = new Set<ArrayBuffer>();
  for (const t of tensors) {
    let a = t.dataSync() as Float32Array;
    // Shared panel memory and buffers already being sent cannot be transferred (again): copy those.
    if (!(a.buffer instanceof ArrayBuffer) || transfer.has(a.buffer) || a.byteOffset !== 0 || a.byteLength !== a.buffer.byteLength) {
      a = a.slice();
    }
    transfer.add(a.buffer as ArrayBuffer);
    values.push(a);
    t.dispose();
  }
  return { values, transfer: [...transfer] };
}

/** Each value's metrics on every segment, by the host code (float64), as the main thread computes them. */
function rowMetrics(values: Float32Array[], m: RowMetrics): SegmentMetrics[] {
  const N = evaluator!.panel.N;
  return segmentSummaries(values, m.labels, m.labels.length / N, N, m.groups, m.segments);
}

function fail(id: number, e: unknown): void {
  const err = e as Error;
  port.post({ type: 'error', id, name: err?.name ?? 'Error', message: err?.message ?? String(e) }, []);
}

port.onMessage((msg) => {
  if (msg.type === 'panel') {
    const times = Array.from({ length: msg.T }, (_, i) => String(i));
    const codes = Array.from({ length: msg.N }, (_, i) => String(i));
    const panel: Panel = makePanel(times, codes, new Map(msg.fields));
    evaluator = new Evaluator(panel);
    fieldNames = msg.fields.map(([n]) => n);
    scorer?.dispose();
    scorer = undefined;
  } else if (msg.type === 'scorer') {
    scorer?.dispose();
    scorer = new Scorer(evaluator!.panel, msg.setup);
  } else if (msg.type === 'score') {
    const s = scorer;
    if (!s) return fail(msg.id, new Error('no scorer was set up on the worker'));
    // Messages are handled in order and the pool waits for each answer, so scores never interleave.
    s.score(msg.exprs.map((e) => parse(e, { fields: fieldNames })))
      .then((summaries) => port.post({ type: 'scores', id: msg.id, summaries }, summaries.map((x) => x.fingerprint.buffer as ArrayBuffer)))
      .catch((e) => fail(msg.id, e));
  } else if (msg.type === 'eval') {
    try {
      const { values, transfer } = evaluate(msg.exprs, msg.rows);
      if (msg.metrics) port.post({ type: 'rows', id: msg.id, values, metrics: rowMetrics(values, msg.metrics) }, transfer);
      else port.post({ type: 'result', id: msg.id, values }, transfer);
    } catch (e) {
      fail(msg.id, e);
    }
  } else if (msg.type === 'close') {
    port.close();
  }
});
port.post({ type: 'ready' }, []);
