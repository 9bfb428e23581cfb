/**
 * Evaluates many expressions over one panel as tensor ops. The expressions are merged into one DAG keyed by
 * canonical text, so a subtree shared by several factors (or repeated inside one) runs once. Each DAG node
 * counts the edges that still need it; when the count reaches zero its tensor is disposed, so memory stays
 * bounded by what is live, and after an evaluation only the returned tensors remain.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Node } from '../expr/ast.ts';
import { print } from '../expr/print.ts';
import { getOp } from '../ops/table.ts';
import type { OpSpec } from '../ops/types.ts';
import type { Panel } from '../data/panel.ts';
import { assertFits, deviceRead, disposeIntermediate, hasCustomKernel, initBackend, inputNames, panelNeed, type BackendChoice } from './backend.ts';

interface DagNode {
  readonly key: string;
  readonly node: Node;
  readonly children: DagNode[];
  /** Edges (parents and requested outputs) that have not consumed this node yet. */
  refs: number;
  value?: tf.Tensor2D;
}

/** Runs one operator on the active backend: its registered kernel, or, where the backend has none, its composite. */
export function applyOp(op: OpSpec, xs: readonly tf.Tensor2D[], window: number): tf.Tensor2D {
  if (hasCustomKernel(op)) {
    const names = inputNames(op);
    const inputs: tf.NamedTensorMap = {};
    xs.forEach((x, i) => (inputs[names[i]] = x));
    return tf.engine().runKernel(op.kernelName, inputs, op.windowed ? { window } : {}) as tf.Tensor2D;
  }
  // Backends without custom kernels (wasm, tfjs-node's tensorflow) run the operator as standard ops.
  return tf.tidy(() => op.kernels.composite(xs, window));
}

export class EvalError extends Error {
  override readonly name = 'EvalError';
}

export function missingField(panel: Panel, name: string): EvalError {
  return new EvalError(`field '${name}' is not in the data (fields: ${[...panel.fields.keys()].join(', ')})`);
}

/** Evaluates expressions on one panel; field tensors are made on demand and shared with the panel's arrays. */
export class Evaluator {
  /**
   * Device copies of the fields, uploaded once and handed out as clones (which share the data): on a GPU a
   * fresh upload per DAG would move the whole panel again for every chunk. Host backends wrap the panel's
   * arrays without copying, so they need no cache.
   */
  private readonly deviceFields = new Map<string, tf.Tensor2D>();

  constructor(readonly panel: Panel) {}

  /** Frees the device copies of the fields (a no-op on host backends). */
  dispose(): void {
    for (const t of this.deviceFields.values()) t.dispose();
    this.deviceFields.clear();
  }

  /**
   * One `[T, N]` float32 tensor per expression, in order; the caller disposes them. `onProgress` is told how
   * many expressions are done after each.
   */
  evaluate(exprs: readonly Node[], onProgress?: (done: number, total: number) => void): tf.Tensor2D[] {
    const dag = new Map<string, DagNode>();
    const intern = (node: Node): DagNode => {
      const key = print(node);
      let d = dag.get(key);
      if (!d) {
        d = { key, node, children: node.kind === 'call' ? node.args.map(intern) : [], refs: 0 };
        dag.set(key, d);
        // Count each edge from this node to its children once, when the node is first seen.
        for (const c of d.children) c.refs++;
      }
      return d;
    };
    const roots = exprs.map(intern);
    for (const r of roots) r.refs++;

    const outputs: tf.Tensor2D[] = [];
    const handedOut = new Set<tf.Tensor2D>();
    try {
      for (const r of roots) {
        const t = this.compute(r);
        // A root asked for twice gets its own handle, so each output can be disposed independently.
        outputs.push(handedOut.has(t) ? (t.clone() as tf.Tensor2D) : t);
        handedOut.add(t);
        onProgress?.(outputs.length, roots.length);
      }
    } catch (e) {
      for (const d of dag.values()) d.value?.dispose();
      for (const o of outputs) o.dispose();
      throw e;
    }
    return outputs;
  }

  private compute(d: DagNode): tf.Tensor2D {
    if (d.value) return d.value;
    const node = d.node;
    let value: tf.Tensor2D;
    if (node.kind === 'field') {
      value = this.fieldTensor(node.name);
    } else if (node.kind === 'const') {
      value = tf.fill([this.panel.T, this.panel.N], node.value, 'float32') as tf.Tensor2D;
    } else {
      const op = getOp(node.op);
      const xs = d.children.map((c) => this.compute(c));
      value = applyOp(op, xs, op.windowed ? node.window! : 0);
      for (const c of d.children) this.release(c);
    }
    d.value = value;
    return value;
  }

  private release(d: DagNode): void {
    if (--d.refs === 0 && d.value) {
      // Field tensors wrap the panel's own arrays: those must never be recycled as kernel outputs.
      if (d.node.kind === 'call') disposeIntermediate(d.value);
      else d.value.dispose();
      d.value = undefined;
    }
  }

  private fieldTensor(name: string): tf.Tensor2D {
    const values = this.panel.fields.get(name);
    if (!values) throw missingField(this.panel, name);
    // Zero-copy on host backends: the tensor wraps the panel's array; kernels never write their inputs.
    if (tf.getBackend() === 'cpu') return tf.tensor2d(values, [this.panel.T, this.panel.N], 'float32');
    let t = this.deviceFields.get(name);
    if (!t) {
      // Every intermediate is as large as a field: a device that cannot bind this one would return zeros.
      assertFits(panelNeed(this.panel.T, this.panel.N));
      t = tf.tensor2d(values, [this.panel.T, this.panel.N], 'float32');
      this.deviceFields.set(name, t);
    }
    return t.clone() as tf.Tensor2D;
  }
}

/**
 * Values of each expression as plain `[T, N]` arrays, in order; no tensors remain afterwards. Each array is
 * the caller's own: none aliases the panel or another result.
 */
export async function evaluateToArrays(
  panel: Panel,
  exprs: readonly Node[],
  opts: { backend?: BackendChoice; workers?: number; onProgress?: (done: number, total: number) => void } = {},
): Promise<Float32Array[]> {
  const workers = opts.workers ?? 1;
  if (workers > 1 && exprs.length > 1) {
    const { EvalPool } = await import('./pool.ts');
    const pool = await EvalPool.create(Math.min(workers, exprs.length));
    try {
      return await pool.evaluate(panel, exprs, opts.onProgress);
    } finally {
      pool.close();
    }
  }
  await initBackend(opts.backend);
  const evaluator = new Evaluator(panel);
  let tensors: tf.Tensor2D[];
  try {
    tensors = evaluator.evaluate(exprs, opts.onProgress);
  } finally {
    evaluator.dispose();
  }
  const owned = new Set<ArrayBufferLike>([...panel.fields.values()].map((a) => a.buffer));
  const out: Float32Array[] = [];
  try {
    for (const t of tensors) {
      let a = (await deviceRead(t.data())) as Float32Array;
      // Field outputs wrap the panel's arrays and repeated roots share data: copy those.
      if (owned.has(a.buffer)) a = a.slice();
      owned.add(a.buffer);
      out.push(a);
    }
  } finally {
    tf.dispose(tensors);
  }
  return out;
}
