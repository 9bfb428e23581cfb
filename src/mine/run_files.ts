/**
 * The text of a run's result files (pool.json, pool.csv, history.json, checkpoint.json), kept free of file
 * system and terminal code so that the CLI's run folder (src/cli/mine_cmd.ts) and the browser app's downloads
 * (web/) write the same columns and shapes from the same functions.
 */
import type { Segment } from '../data/splits.ts';
import type { FactorSummary } from '../fitness/metrics.ts';
import type { MineConfig } from './config.ts';
import type { Checkpoint, GenerationRecord, PoolMember, StopReason } from './miner.ts';

/** Metrics written per segment to pool.csv, in this order. */
export const CSV_METRICS: readonly (keyof FactorSummary)[] = ['ic', 'rank_ic', 'icir', 'rank_icir', 'long_excess', 'long_short', 'monotonicity', 'turnover'];
const SEGMENTS = ['train', 'valid', 'test'] as const;

/** A segment as pool.json describes it: its name, first and last trading day, and length in days. */
export interface SegmentInfo {
  name: string;
  from: string;
  to: string;
  days: number;
}

export function segmentInfo(segments: readonly Segment[]): SegmentInfo[] {
  return segments.map((s) => ({ name: s.name, from: s.from, to: s.to, days: s.lastDay - s.firstDay + 1 }));
}

/** Checkpoint JSON keeps NaN and infinities (as strings): JSON's null would read back as 0 in arithmetic. */
export function checkpointJson(c: Checkpoint): string {
  return JSON.stringify(c, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v));
}

export function parseCheckpoint(text: string): Checkpoint {
  return JSON.parse(text, (_k, v: unknown) => (v === 'NaN' ? NaN : v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : v)) as Checkpoint;
}

/**
 * pool.json: the config, why the run stopped (null while it runs), the segments and the factors. Segments may
 * be given already summarised (the browser keeps only the summary across reloads).
 */
export function poolJson(config: MineConfig, stop: StopReason | null, segments: readonly Segment[] | readonly SegmentInfo[], pool: readonly PoolMember[]): string {
  const factors = pool.map((m) => ({
    expr: m.expr, fitness: m.fitness, size: m.size, generation: m.generation,
    ...Object.fromEntries(SEGMENTS.filter((s) => m.metrics[s]).map((s) => [s, m.metrics[s]])),
  }));
  const segs = segments.map((s) => ('firstDay' in s ? segmentInfo([s])[0]! : { name: s.name, from: s.from, to: s.to, days: s.days }));
  // JSON.stringify writes NaN and infinities as null, which is what readers of pool.json expect.
  return JSON.stringify({ config, stop, segments: segs, factors }, null, 2) + '\n';
}

function csvCell(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** pool.csv: expr, fitness, then train_/valid_/test_ CSV_METRICS; NaN as an empty cell. */
export function poolCsv(pool: readonly PoolMember[]): string {
  const num = (v: number | undefined): string => (v === undefined || !Number.isFinite(v) ? '' : String(v));
  const header = ['expr', 'fitness', ...SEGMENTS.flatMap((s) => CSV_METRICS.map((m) => `${s}_${m}`))];
  const rows = pool.map((m) => [csvCell(m.expr), num(m.fitness), ...SEGMENTS.flatMap((s) => CSV_METRICS.map((k) => num(m.metrics[s]?.[k] as number | undefined)))]);
  return [header, ...rows].map((r) => r.join(',')).join('\n') + '\n';
}

/** The run's records, for history.json (NaN as null). */
export function historyJson(history: readonly GenerationRecord[]): string {
  return JSON.stringify(history, null, 2) + '\n';
}
