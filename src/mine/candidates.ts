/**
 * Pool candidates on the whole panel: each expression's day-end values (what the pool rule ranks and
 * fingerprints) and its metrics on every segment (training, validation and test). Values are cut to the day-end
 * bars on the backend (`af_take_rows`), so a device hands back those rows, not whole panels. On the host backends
 * the metrics come from those arrays by the host code in float64, as they always have; worker threads, when the
 * miner has them, evaluate the candidates and work out those metrics, as they score the population (at 5,000
 * stocks the metrics took about as long as the evaluation). On a device backend the rows stay there
 * for the metrics kernel, as the Scorer's do (on the host the metrics of a generation's 20 candidates on a
 * 5,000-stock panel took about a second per 120 days here), and for the `rank` kernel, which ranks them for the
 * pool rule (the host sorts about 5,000 stocks a day in 0.2 ms).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Node } from '../expr/ast.ts';
import type { Panel } from '../data/panel.ts';
import { tradingDays } from '../data/calendar.ts';
import { deviceRead } from '../eval/backend.ts';
import { Evaluator } from '../eval/evaluate.ts';
import type { EvalPool } from '../eval/pool.ts';
import { isHostMemoryBackend, takeRowsTensor } from '../fitness/metric_kernels.ts';
import { populationMetricsTensor, segmentSummaries } from '../fitness/metrics.ts';
import { rankedFromKeys, type RankedDays } from '../fitness/ranked_days.ts';
import { rankKeysTensor } from '../eval/scorer.ts';

export type { SegmentMetrics } from '../eval/worker_protocol.ts';
import type { RowMetrics, SegmentMetrics } from '../eval/worker_protocol.ts';

/** What the metrics need besides the values: the segments, the labels `[D, N]` and the qcut groups. */
export type MetricSetup = RowMetrics;

/** Expressions evaluated on the device at a time: 16 day-end panels of a 5,000-stock, 600-day panel are 190 MiB. */
const CHUNK = 16;

/** What `evaluateCandidates` works out besides the values. */
export interface CandidateOptions {
  /** Each candidate's metrics on every segment. */
  metrics?: MetricSetup;
  /** Worker threads to evaluate on (host kernels, so the same values as in this thread). */
  workers?: EvalPool;
  /**
   * On a device backend, also each candidate ranked over these days (the pool rule's), by the device's `rank`
   * kernel; the host ranks only the candidates it needs, itself.
   */
  ranks?: { first: number; last: number };
}

export interface Candidates {
  /** Day-end values `[D, N]` of each expression, in order. */
  daily: Float32Array[];
  /** With `metrics`: each one's metrics per segment, else empty. */
  metrics: SegmentMetrics[];
  /** With `ranks` on a device backend: each one ranked over those days. */
  ranked?: RankedDays[];
}

/** Evaluates pool candidates (or members, without options) on the whole panel; see the file header. */
export async function evaluateCandidates(panel: Panel, exprs: readonly Node[], opts: CandidateOptions = {}): Promise<Candidates> {
  const { metrics, workers, ranks } = opts;
  const dayEnds = Int32Array.from(tradingDays(panel).end, (e) => e - 1);
  const D = dayEnds.length;
  if (workers) {
    return exprs.length > 0 ? workers.evaluateRows(panel, exprs, dayEnds, metrics) : { daily: [], metrics: [] };
  }
  if (isHostMemoryBackend(tf.getBackend())) {
    const daily = await onBackend(panel, exprs, dayEnds);
    return { daily, metrics: metrics ? segmentSummaries(daily, metrics.labels, D, panel.N, metrics.groups, metrics.segments) : [] };
  }
  const found: SegmentMetrics[] = [];
  const ranked: RankedDays[] = [];
  const labels = metrics && tf.tensor2d(metrics.labels, [D, panel.N]);
  try {
    const withRows = async (rows: tf.Tensor2D[]) => {
      if (metrics) found.push(...(await deviceMetrics(rows, labels!, metrics)));
      if (ranks) ranked.push(...(await deviceRanks(rows, ranks.first, ranks.last)));
    };
    const daily = await onBackend(panel, exprs, dayEnds, withRows);
    return { daily, metrics: found, ...(ranks ? { ranked } : {}) };
  } finally {
    labels?.dispose();
  }
}

/** A chunk's day-end rows ranked over days first..last on the device; only the keys come back, read together. */
async function deviceRanks(rows: tf.Tensor2D[], first: number, last: number): Promise<RankedDays[]> {
  const keys = rows.map((r) => tf.tidy(() => rankKeysTensor(tf.slice(r, [first, 0], [last - first + 1, r.shape[1]]))));
  try {
    const got = await Promise.all(keys.map((k) => deviceRead(k.data()) as Promise<Float32Array>));
    return got.map((k, i) => rankedFromKeys(k, rows[i]!.shape[1], first, last));
  } finally {
    tf.dispose(keys);
  }
}

/** Metrics on every segment of a chunk's day-end rows, by the backend's metrics kernel; only its rows come back. */
async function deviceMetrics(rows: tf.Tensor2D[], labels: tf.Tensor2D, setup: MetricSetup): Promise<SegmentMetrics[]> {
  const stacked = tf.stack(rows) as tf.Tensor3D;
  try {
    const out = rows.map(() => ({}) as SegmentMetrics);
    for (const seg of setup.segments) {
      const sums = await deviceRead(populationMetricsTensor(stacked, labels, { groups: setup.groups, rows: [seg.firstDay, seg.lastDay] }));
      sums.forEach((s, i) => (out[i]![seg.name] = s));
    }
    return out;
  } finally {
    stacked.dispose();
  }
}

/**
 * Evaluates on the active backend, CHUNK expressions at a time, and reads back their day-end rows (a chunk's
 * reads in flight together, not one round trip each); `withRows` sees each chunk's rows on the backend first.
 */
async function onBackend(panel: Panel, exprs: readonly Node[], dayEnds: Int32Array, withRows?: (rows: tf.Tensor2D[]) => Promise<void>): Promise<Float32Array[]> {
  const rowsT = tf.tensor1d(dayEnds, 'int32');
  const evaluator = new Evaluator(panel);
  const out: Float32Array[] = [];
  try {
    for (let s = 0; s < exprs.length; s += CHUNK) {
      const rows = evaluator.evaluate(exprs.slice(s, s + CHUNK)).map((t) => {
        const d = takeRowsTensor(t as tf.Tensor2D, rowsT);
        t.dispose();
        return d;
      });
      try {
        await withRows?.(rows);
        out.push(...(await Promise.all(rows.map((d) => deviceRead(d.data()) as Promise<Float32Array>))));
      } finally {
        tf.dispose(rows);
      }
    }
  } finally {
    rowsT.dispose();
    evaluator.dispose();
  }
  return out;
}
