/**
 * Parallel evaluation on the CPU: a pool of workers, each running the same tfjs evaluator on its own thread
 * over one shared copy of the panel. Expressions are handed out in small chunks from a queue, so a slow chunk
 * on one worker does not hold the others idle. Results do not depend on the number of workers: every
 * expression is evaluated by the same kernels whichever worker takes it.
 */
import type { Node } from '../expr/ast.ts';
import { print } from '../expr/print.ts';
import type { Panel } from '../data/panel.ts';
import { EvalError, missingField } from './evaluate.ts';
import { fieldsOf } from '../expr/analyze.ts';
import type { FromWorker, RowMetrics, SegmentMetrics, ToWorker } from './worker_protocol.ts';
import type { ScoreResult, ScoreSetup } from './scorer.ts';

interface WorkerHandle {
  post(msg: ToWorker): void;
  onMessage(h: (msg: FromWorker) => void): void;
  onError(h: (e: Error) => void): void;
  terminate(): void;
}

const isDeno = typeof (globalThis as { Deno?: unknown }).Deno !== 'undefined';
const isNode = !isDeno && typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node === 'string';

/** Logical cores available to this process (1 when unknown). */
export async function availableCores(): Promise<number> {
  if (isNode) {
    const os = await import('node:os');
    return os.availableParallelism?.() ?? os.cpus().length;
  }
  return (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 1;
}

async function spawn(): Promise<WorkerHandle> {
  const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  const body = new URL(`./eval_worker${ext}`, import.meta.url);
  if (isNode) {
    const { Worker } = await import('node:worker_threads');
    // From TypeScript sources the body needs the tsx loader, which Node 20 workers do not inherit.
    const w = ext === '.ts'
      ? new Worker(new URL('./eval_worker_node.mjs', import.meta.url), { workerData: body.href, execArgv: [] })
      : new Worker(body);
    return {
      post: (m) => w.postMessage(m),
      onMessage: (h) => w.on('message', h),
      onError: (h) => w.on('error', h),
      terminate: () => void w.terminate(),
    };
  }
  const w = new Worker(body.href, { type: 'module' });
  return {
    post: (m) => w.postMessage(m),
    onMessage: (h) => w.addEventListener('message', (e) => h(e.data as FromWorker)),
    onError: (h) => w.addEventListener('error', (e) => {
      e.preventDefault();
      h(new Error(e.message));
    }),
    terminate: () => w.terminate(),
  };
}

const sharedFields = new WeakMap<Panel, [string, Float32Array][]>();

/** The panel's fields in shared memory (copied once per panel), so every worker reads the same bytes. */
function shared(panel: Panel): [string, Float32Array][] {
  let fields = sharedFields.get(panel);
  if (!fields) {
    fields = [...panel.fields].map(([name, a]) => {
      if (a.buffer instanceof SharedArrayBuffer) return [name, a];
      const s = new Float32Array(new SharedArrayBuffer(a.byteLength));
      s.set(a);
      return [name, s];
    });
    sharedFields.set(panel, fields);
  }
  return fields;
}

const sharedCopies = new WeakMap<Float32Array, Float32Array>();

/** `a` in shared memory (copied once), so that posting it to every chunk's worker copies nothing. */
function sharedCopy(a: Float32Array): Float32Array {
  if (a.buffer instanceof SharedArrayBuffer) return a;
  let s = sharedCopies.get(a);
  if (!s) {
    s = new Float32Array(new SharedArrayBuffer(a.byteLength));
    s.set(a);
    sharedCopies.set(a, s);
  }
  return s;
}

/** One expression's answer to an 'eval' with metrics. */
interface RowsResult {
  daily: Float32Array;
  metrics: SegmentMetrics;
}

/** One expression's answer from a worker: its values, its score, or its rows with their metrics. */
type Answer = Float32Array | ScoreResult | RowsResult;

interface Slot {
  handle: WorkerHandle;
  panel?: Panel;
  setup?: ScoreSetup;
  busy?: { resolve(v: Answer[]): void; reject(e: Error): void };
}

export class EvalPool {
  private nextId = 0;
  private closed = false;

  private constructor(private readonly slots: Slot[]) {}

  /** Starts `size` workers and waits until each has loaded its backend and kernels. */
  static async create(size: number): Promise<EvalPool> {
    if (!(Number.isInteger(size) && size >= 1)) throw new RangeError(`pool size must be a positive integer, got ${size}`);
    const slots = await Promise.all(
      Array.from({ length: size }, async () => {
        const handle = await spawn();
        const slot: Slot = { handle };
        await new Promise<void>((resolve, reject) => {
          handle.onError((e) => {
            if (slot.busy) slot.busy.reject(e);
            reject(e);
          });
          handle.onMessage((m) => {
            if (m.type === 'ready') resolve();
            else if (m.type === 'result') slot.busy?.resolve(m.values);
            else if (m.type === 'rows') slot.busy?.resolve(m.values.map((daily, k) => ({ daily, metrics: m.metrics[k]! })));
            else if (m.type === 'scores') slot.busy?.resolve(m.summaries);
            else if (m.type === 'error') {
              const e = m.name === 'EvalError' ? new EvalError(m.message) : Object.assign(new Error(m.message), { name: m.name });
              slot.busy?.reject(e);
            }
          });
        });
        return slot;
      }),
    );
    return new EvalPool(slots);
  }

  get size(): number {
    return this.slots.length;
  }

  /**
   * Values of each expression over the panel (`[T, N]` float32, time-major), in order. `onProgress` is
   * called with the number of expressions done after each chunk.
   */
  evaluate(panel: Panel, exprs: readonly Node[], onProgress?: (done: number, total: number) => void): Promise<Float32Array[]> {
    return this.dispatch(panel, undefined, exprs, (id, texts) => ({ type: 'eval', id, exprs: texts }), onProgress) as Promise<Float32Array[]>;
  }

  /**
   * Rows `rows` of each expression's values (`[rows.length, N]`, NaN for a row outside the panel), in order: the
   * miner's day-end values of its pool candidates, cut on the workers so that only those rows travel. With
   * `metrics` (labels of those rows) the workers also compute each one's metrics per segment.
   */
  async evaluateRows(panel: Panel, exprs: readonly Node[], rows: Int32Array, metrics?: RowMetrics): Promise<{ daily: Float32Array[]; metrics: SegmentMetrics[] }> {
    if (!metrics) {
      const daily = (await this.dispatch(panel, undefined, exprs, (id, texts) => ({ type: 'eval', id, exprs: texts, rows }))) as Float32Array[];
      return { daily, metrics: [] };
    }
    const withLabels = { ...metrics, labels: sharedCopy(metrics.labels) };
    const got = (await this.dispatch(panel, undefined, exprs, (id, texts) => ({ type: 'eval', id, exprs: texts, rows, metrics: withLabels }))) as RowsResult[];
    return { daily: got.map((g) => g.daily), metrics: got.map((g) => g.metrics) };
  }

  /**
   * Metric summaries and fingerprints of each expression over `setup`'s scored days (see Scorer), in order:
   * workers evaluate and score their chunks and send back only those.
   */
  score(panel: Panel, setup: ScoreSetup, exprs: readonly Node[], onProgress?: (done: number, total: number) => void): Promise<ScoreResult[]> {
    return this.dispatch(panel, setup, exprs, (id, texts) => ({ type: 'score', id, exprs: texts }), onProgress) as Promise<ScoreResult[]>;
  }

  private async dispatch(
    panel: Panel,
    scoring: ScoreSetup | undefined,
    exprs: readonly Node[],
    message: (id: number, texts: string[]) => ToWorker,
    onProgress?: (done: number, total: number) => void,
  ): Promise<Answer[]> {
    if (this.closed) throw new Error('EvalPool is closed');
    // Fail here, as the in-process evaluator would, rather than in a worker.
    for (const e of exprs) for (const f of fieldsOf(e)) if (!panel.fields.has(f)) throw missingField(panel, f);
    const texts = exprs.map(print);
    const results: Answer[] = new Array(texts.length);
    // Several chunks per worker keep the load even; chunks of neighbours keep shared subtrees together.
    const chunk = Math.max(1, Math.ceil(texts.length / (this.slots.length * 4)));
    let next = 0;
    let done = 0;
    const run = async (slot: Slot): Promise<void> => {
      if (slot.panel !== panel) {
        slot.handle.post({ type: 'panel', T: panel.T, N: panel.N, fields: shared(panel) });
        slot.panel = panel;
        slot.setup = undefined;
      }
      if (scoring && slot.setup !== scoring) {
        slot.handle.post({ type: 'scorer', setup: scoring });
        slot.setup = scoring;
      }
      while (next < texts.length) {
        const start = next;
        next = Math.min(texts.length, next + chunk);
        const id = this.nextId++;
        const values = await new Promise<Answer[]>((resolve, reject) => {
          slot.busy = { resolve, reject };
          slot.handle.post(message(id, texts.slice(start, next)));
        }).finally(() => (slot.busy = undefined));
        values.forEach((v, k) => (results[start + k] = v));
        done += values.length;
        onProgress?.(done, texts.length);
      }
    };
    await Promise.all(this.slots.map(run));
    return results;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const s of this.slots) {
      s.handle.post({ type: 'close' });
      s.handle.terminate();
    }
  }
}
