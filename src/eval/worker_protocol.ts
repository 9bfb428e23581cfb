/**
 * Messages between the evaluation pool and its workers. Panels travel once per worker as SharedArrayBuffer
 * views (no copy per worker); expressions travel as canonical text, their identity; values come back as
 * transferred buffers.
 */
import type { ScoreResult, ScoreSetup } from './scorer.ts';
import type { Segment, SegmentName } from '../data/splits.ts';
import type { FactorSummary } from '../fitness/metrics.ts';

/** Metrics of day-end rows per segment (the miner's pool candidates): labels `[rows, N]`, in shared memory on the way to a worker. */
export interface RowMetrics {
  readonly labels: Float32Array;
  readonly groups: number;
  /** Segments as ranges of the rows, inclusive. */
  readonly segments: readonly Pick<Segment, 'name' | 'firstDay' | 'lastDay'>[];
}

/** One expression's metrics on each segment. */
export type SegmentMetrics = Partial<Record<SegmentName, FactorSummary>>;

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
  /** Send back only these rows of each value (the miner's day-end bars); every row when absent. */
  rows?: Int32Array;
  /** With rows: also their metrics per segment, answered as 'rows'. */
  metrics?: RowMetrics;
}

/** Sets up scoring on the worker's panel (labels travel in shared memory too). */
export interface ScorerMessage {
  type: 'scorer';
  setup: ScoreSetup;
}

export interface ScoreMessage {
  type: 'score';
  id: number;
  exprs: string[];
}

export type ToWorker = PanelMessage | EvalMessage | ScorerMessage | ScoreMessage | { type: 'close' };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'result'; id: number; values: Float32Array[] }
  | { type: 'rows'; id: number; values: Float32Array[]; metrics: SegmentMetrics[] }
  | { type: 'scores'; id: number; summaries: ScoreResult[] }
  | { type: 'error'; id: number; name: string; message: string };
