/**
 * Scoring a population: evaluate expressions on a stretch of the panel and turn each into its metric summary
 * against a daily label, without ever handing a panel back. Each chunk of roots is evaluated as one DAG (shared
 * subtrees once), every root is cut to the day-end bars of the scored days on the backend (`af_take_rows`), the
 * chunk is stacked to `[F, days, N]` and scored by the registered `af_daily_metrics` kernel; only a few numbers
 * per factor-day come back. This is the miner's inner loop; workers run the same class (pool.ts).
 *
 * Each expression also gets a fingerprint: its cross-sectional ranks on a sample of the scored days
 * (src/fitness/fingerprint.ts), with which the miner compares it with its pool for the novelty term; on a device
 * backend computed there (`fingerprintsTensor`), on the host backends by the host code.
 *
 * Only the bars the scored days need are evaluated: from `margin` bars before the first scored day (at least
 * the longest lookback a scored expression can have, so every value equals the full-panel one up to float32
 * rounding of rolling sums) to the last scored day's close.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Node } from '../expr/ast.ts';
import type { Panel } from '../data/panel.ts';
import { applyOp, Evaluator } from './evaluate.ts';
import { getOp } from '../ops/table.ts';
import { deviceRead, largestTensorBytes } from './backend.ts';
import { populationMetricsTensor, type FactorSummary } from '../fitness/metrics.ts';
import { fingerprintStride, fingerprintWidth, sampledFingerprints } from '../fitness/fingerprint.ts';
import { isHostMemoryBackend, takeRowsTensor } from '../fitness/metric_kernels.ts';

/**
 * Twice each stock's average rank within its row of `x` `[M, N]` (an exact integer, 2..2n), 0 where the value is
 * missing, with the active backend's ops: the `rank` operator's kernel gives (2 lt + eq + 1) / (2 n), which times
 * 2n and rounded is that integer (below 2^24). The pool rule's ranked days (src/fitness/ranked_days.ts) and the
 * fingerprints are built from these.
 */
export function rankKeysTensor(x: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const pct = applyOp(getOp('rank'), [x], 0);
    const valid = tf.logicalNot(tf.isNaN(pct));
    const n = tf.sum(tf.cast(valid, 'float32'), 1, true);
    return tf.where(valid, tf.round(tf.mul(pct, tf.mul(n, 2))), tf.zerosLike(pct)) as tf.Tensor2D;
  });
}

/**
 * The fingerprints (src/fitness/fingerprint.ts) of the rows of `sample` `[M, N]`, with the active backend's ops:
 * from `rankKeysTensor`, twice the deviation from the mean rank is exact, and a constant row is exactly zero, as
 * on the host. Rows with fewer than max(2, minStocks) stocks or no spread are all zeros, as are the missing
 * stocks; the rest is the deviation over its root sum of squares, in float32.
 */
export function fingerprintsTensor(sample: tf.Tensor2D, minStocks: number): tf.Tensor2D {
  return tf.tidy(() => {
    const twice = rankKeysTensor(sample);
    const valid = tf.greater(twice, 0);
    const n = tf.sum(tf.cast(valid, 'float32'), 1, true);
    const zero = tf.zerosLike(twice);
    const dev = tf.where(valid, tf.sub(twice, tf.add(n, 1)), zero);
    const ss = tf.sum(tf.square(dev), 1, true);
    const ok = tf.logicalAnd(tf.greaterEqual(n, Math.max(2, minStocks)), tf.greater(ss, 0));
    return tf.where(tf.broadcastTo(ok, twice.shape), tf.div(dev, tf.sqrt(ss)), zero) as tf.Tensor2D;
  });
}

export interface ScoreSetup {
  /** Daily labels `[D, N]` over the panel's trading days (purged at segment ends by the caller). */
  readonly labels: Float32Array;
  /** Trading-day bar ranges of the panel: day k is bars dayStart[k] .. dayEnd[k]-1. */
  readonly dayStart: Int32Array;
  readonly dayEnd: Int32Array;
  /** Scored days, inclusive. */
  readonly first: number;
  readonly last: number;
  /** Bars evaluated before the first scored day's first bar. */
  readonly margin: number;
  readonly groups: number;
  readonly minStocks: number;
  /** Scored days (0-based within first..last) that make up the fingerprints. */
  readonly refDays: Int32Array;
}

/** One expression's score: its summary over the scored days and its fingerprint on the sample days. */
export interface ScoreResult {
  summary: FactorSummary;
  /** `[refDays, N]`, see src/fitness/fingerprint.ts. */
  fingerprint: Float32Array;
}

/** Roots evaluated per DAG: bounds memory (each root is a panel slice) while keeping most sharing. */
const CHUNK = 64;
/**
 * ... but never more roots than fit in this many bytes of panels: on a 4,800 x 5,000 panel a root is 96 MB,
 * and 64 of them would not fit in a laptop GPU's memory.
 */
const CHUNK_BYTES = 2 ** 30;

export class Scorer {
  private readonly evaluator: Evaluator;
  private readonly rows: tf.Tensor1D;
  private readonly label: tf.Tensor2D;
  /** Roots evaluated per DAG and scored per metric call. */
  readonly chunk: number;

  constructor(panel: Panel, private readonly setup: ScoreSetup) {
    const { dayStart, dayEnd, first, last, margin, labels } = setup;
    const D = dayStart.length;
    const N = panel.N;
    if (!(first >= 0 && first <= last && last < D)) throw new RangeError(`scored days ${first}..${last} are outside ${D} days`);
    if (labels.length !== D * N) throw new RangeError(`labels have ${labels.length} values, expected ${D} days x ${N} stocks`);
    const b0 = Math.max(0, dayStart[first] - Math.max(0, Math.floor(margin)));
    const b1 = dayEnd[last];
    const fields = new Map<string, Float32Array>();
    for (const [name, a] of panel.fields) fields.set(name, a.subarray(b0 * N, b1 * N));
    const slice: Panel = { times: panel.times.slice(b0, b1), codes: panel.codes, fields, T: b1 - b0, N };
    this.evaluator = new Evaluator(slice);
    // The chunk's day-end rows are stacked into one [chunk, days, N] tensor for the metric kernel, which the
    // device must bind whole (WebGPU: often 128 MiB, where a long daily panel's 64 roots would not fit).
    const rowsBytes = Math.max(1, (last - first + 1) * N) * 4;
    const byPanels = Math.max(4, Math.min(CHUNK, Math.floor(CHUNK_BYTES / (Math.max(1, slice.T * N) * 4))));
    this.chunk = Math.max(1, Math.min(byPanels, Math.floor(largestTensorBytes() / rowsBytes)));
    this.rows = tf.tensor1d(Int32Array.from({ length: last - first + 1 }, (_, i) => dayEnd[first + i] - 1 - b0), 'int32');
    this.label = tf.tensor2d(labels.slice(first * N, (last + 1) * N), [last - first + 1, N]);
  }

  /**
   * Summaries and fingerprints of each expression, in order. Chunks overlap by one: chunk k+1's kernels are
   * queued before chunk k's numbers are awaited and its fingerprints computed on the host, so a GPU backend
   * has work while the host does its part (on the host backends kernels run when queued, so nothing changes).
   */
  async score(exprs: readonly Node[], onProgress?: (done: number, total: number) => void): Promise<ScoreResult[]> {
    const out: ScoreResult[] = [];
    const report = (done: ScoreResult[]): void => {
      out.push(...done);
      onProgress?.(out.length, exprs.length);
    };
    let previous: Promise<ScoreResult[]> | undefined;
    for (let s = 0; s < exprs.length; s += this.chunk) {
      // Between chunks the event loop runs, so a caller on this thread sees progress and signals (Ctrl-C).
      if (s > 0) await new Promise((resolve) => setTimeout(resolve, 0));
      const next = this.scoreChunk(exprs.slice(s, s + this.chunk));
      // Should the chunk before fail, this one still settles (and frees its tensors) unobserved.
      next.catch(() => undefined);
      if (previous) report(await previous);
      previous = next;
    }
    if (previous) report(await previous);
    return out;
  }

  /** Queues one chunk's evaluation and metric kernels; the promise gives its results once they are read back. */
  private async scoreChunk(exprs: readonly Node[]): Promise<ScoreResult[]> {
    const roots = this.evaluator.evaluate(exprs);
    const daily = roots.map((t) => {
      const d = takeRowsTensor(t, this.rows);
      t.dispose();
      return d;
    });
    const stacked = tf.stack(daily);
    tf.dispose(daily);
    try {
      // Both reads are queued before either is awaited, so a GPU backend runs them back to back.
      const [summaries, prints] = await deviceRead(Promise.all([
        populationMetricsTensor(stacked, this.label, { groups: this.setup.groups, minStocks: this.setup.minStocks }),
        this.fingerprints(stacked),
      ]));
      return summaries.map((summary, i) => ({ summary, fingerprint: prints[i]! }));
    } finally {
      stacked.dispose();
    }
  }

  /** Fingerprints of the stacked `[F, days, N]` factors, from their values on the sample days. */
  private async fingerprints(stacked: tf.Tensor): Promise<Float32Array[]> {
    const [F, D, N] = stacked.shape as [number, number, number];
    const { refDays } = this.setup;
    const R = refDays.length;
    // The sample days of every factor as rows of the [F * days, N] view: one row copy, not a gather per element.
    const sample = tf.tidy(() => {
      const idx = tf.tensor1d(Int32Array.from({ length: F * R }, (_, k) => Math.floor(k / R) * D + refDays[k % R]!), 'int32');
      return takeRowsTensor(tf.reshape(stacked, [F * D, N]), idx);
    });
    // Wide panels: every k-th stock (src/fitness/fingerprint.ts). On backends whose tensors are host memory the
    // host code ranks them (float64, cheaper than standard ops); on a device they are computed where the values
    // are: ranking a factor's 30 sample days on the host costs 0.5 ms at 500 stocks here (5-7 ms at 5,000), a
    // good share of what a GPU needs to score the factor, and the longer side of the overlapped chunks sets the rate.
    const k = fingerprintStride(N);
    const M = fingerprintWidth(N);
    let all: Float32Array;
    if (isHostMemoryBackend(tf.getBackend())) {
      const values = (await sample.data()) as Float32Array;
      sample.dispose();
      all = sampledFingerprints(values, F, R, N, this.setup.minStocks);
    } else {
      const cols = k > 1 ? (tf.stridedSlice(sample, [0, 0], [F * R, N], [1, k]) as tf.Tensor2D) : (sample as tf.Tensor2D);
      const prints = fingerprintsTensor(cols, this.setup.minStocks);
      tf.dispose([sample, cols]);
      try {
        all = (await prints.data()) as Float32Array;
      } finally {
        prints.dispose();
      }
    }
    // One buffer each, so workers can transfer them and the miner can drop them one by one.
    return Array.from({ length: F }, (_, i) => all.slice(i * R * M, (i + 1) * R * M));
  }

  dispose(): void {
    this.evaluator.dispose();
    this.rows.dispose();
    this.label.dispose();
  }
}
