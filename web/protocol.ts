/**
 * The messages between the page and the mining worker (web/mine-worker.ts), in one place so both sides agree on
 * them at compile time. Only plain data crosses: the worker keeps the market panel and the run, the page keeps
 * what it shows. Types only come from src/, so importing this module costs the page nothing at run time.
 */
import type { Checkpoint, GenerationRecord, PoolMember, StopReason } from '../src/mine/miner.ts';
import type { SegmentInfo } from '../src/mine/run_files.ts';
import type { PlantedAlpha } from '../src/data/synth.ts';
import type { MineConfig } from '../src/mine/config.ts';
import type { OpKind } from '../src/ops/types.ts';
import type { PoolCorrelation, TearSheet } from './tear-sheet-data.ts';

/** The page's backend choices; `auto` is src/eval/backend.ts's (hardware WebGPU, then hardware WebGL, else cpu). */
export const WEB_BACKENDS = ['webgpu', 'webgl', 'wasm', 'cpu'] as const;
export type WebBackend = (typeof WEB_BACKENDS)[number];
export type WebBackendChoice = WebBackend | 'auto';

/**
 * Market sizes the page allows: long enough for three segments, small enough to generate in seconds. The
 * product is capped too: every field is a bars × stocks float32 array, and a browser tab's memory is not a
 * server's (500,000 stock-days is 4 M cells a field, about 130 MB for the panel).
 */
export const MARKET_LIMITS = { stocks: [20, 1000], days: [60, 1500], stockDays: 500_000 } as const;

export interface MarketSettings {
  stocks: number;
  days: number;
  seed: number;
}

export interface RunSettings {
  population: number;
  generations: number;
  seed: number;
  /** A fitness registry name. */
  fitness: string;
}

export type ToWorker =
  | { type: 'market'; market: MarketSettings }
  | { type: 'start'; market: MarketSettings; run: RunSettings; backend: WebBackendChoice }
  /** A user's bar file (CSV, CSV.gz or Parquet), its buffer transferred: parsed in the worker, kept for runs. */
  | { type: 'load'; name: string; bytes: ArrayBuffer }
  /**
   * A run with the data source and the rest of the miner's settings (MineConfig keys beyond RunSettings):
   * `source: 'file'` mines the last loaded file instead of the synthetic market.
   */
  | { type: 'start-setup'; source: DataSource; market: MarketSettings; run: RunSettings; config: RunSetup; backend: WebBackendChoice }
  | { type: 'stop' }
  /**
   * The tear sheet of one expression (web/tear-sheet-data.ts) on the last run's data and split, or before any run
   * on `source` (default the market) split 50/25/25; `id` pairs the answer with the request.
   */
  | { type: 'tear-sheet'; id: number; expr: string; source?: DataSource }
  /** Pairwise correlation of pool members, for <af-corr-heatmap>. */
  | { type: 'pool-corr'; id: number; exprs: string[]; source?: DataSource }
  /** Hold the run after the generation in progress (web/run-control.ts); 'resume' lets it go on. */
  | { type: 'pause' }
  | { type: 'resume' }
  /** Continue a saved run (web/run-store.ts) from its checkpoint, on the market rebuilt from its settings. */
  | { type: 'resume-run'; market: MarketSettings; run: RunSettings; backend: WebBackendChoice; checkpoint: Checkpoint }
  /**
   * The page restored a saved run (web/run-keeper.ts): until the next run, tear sheets and the pool's correlation
   * use its data and split, as they would have before the reload. A file run names its file, which the worker
   * uses only once a file of that name is loaded again.
   */
  | { type: 'restored'; data: SavedData; market?: MarketSettings; config?: MineConfig };

/** Where a saved run's bars came from: only the synthetic market can be rebuilt from settings. */
export type SavedData = { kind: 'synthetic' } | { kind: 'file'; name: string };

export interface MarketInfo {
  settings: MarketSettings;
  stocks: number;
  days: number;
  bars: number;
  firstDay: string;
  lastDay: string;
  planted: PlantedAlpha[];
  ms: number;
}

export interface BackendReport {
  /** What runs; `auto` and fallbacks only ever land on one of the page's choices or cpu. */
  name: string;
  /** Why each backend before it was passed over, in order. */
  skipped: string[];
}

export type FromWorker =
  | { type: 'ready'; fitness: { name: string; description: string }[] }
  | { type: 'market'; info: MarketInfo }
  | { type: 'backend'; report: BackendReport }
  | { type: 'progress'; generation: number; done: number; total: number }
  | { type: 'generation'; record: GenerationRecord; pool: PoolMember[] }
  | { type: 'done'; stop: StopReason; seconds: number }
  | { type: 'error'; message: string; during: 'market' | 'run' }
  | { type: 'tear-sheet'; id: number; sheet: TearSheet }
  | { type: 'pool-corr'; id: number; corr: PoolCorrelation }
  /** A tear-sheet or pool-corr request that failed; a parse error carries its column and span. */
  | { type: 'analysis-error'; id: number; request: 'tear-sheet' | 'pool-corr'; message: string; column?: number; length?: number; source?: string }
  /** The run holds (after generation `generation`) or goes on again. */
  | { type: 'paused'; paused: boolean; generation: number }
  /** After every 'generation': what the page saves to resume the run and to export pool.json. */
  | { type: 'checkpoint'; checkpoint: Checkpoint; segments: SegmentInfo[]; stop: StopReason | null }
  | { type: 'setup'; ops: OpInfo[]; windows: number[] }
  | { type: 'loaded'; info: DataFileInfo }
  | { type: 'load-error'; error: DataLoadError };

/** Where a run's bars come from: the generated market or the last file loaded. */
export type DataSource = 'synthetic' | 'file';

/** The MineConfig settings the page sets besides RunSettings; the worker checks them with resolveConfig. */
export type RunSetup = Partial<Pick<MineConfig, 'poolSize' | 'thresholds' | 'correlation' | 'split' | 'primitives'>>;

/** An operator table row as the run panel lists it (the table itself stays in the worker: it pulls in kernels). */
export interface OpInfo {
  name: string;
  args: string[];
  kind: OpKind;
  minWindow: number;
  doc: string;
}

/** A loaded bar file, summarised. */
export interface DataFileInfo {
  name: string;
  size: number;
  format: 'parquet' | 'csv.gz' | 'csv';
  stocks: number;
  bars: number;
  days: number;
  firstDay: string;
  lastDay: string;
  firstBar: string;
  lastBar: string;
  fields: string[];
  /** Share of (bar, stock) cells with a close. */
  coverage: number;
  ms: number;
}

/** A file that did not load: a DataError's location when it had one, and the offending line's text. */
export interface DataLoadError {
  file: string;
  message: string;
  reason: string;
  /** 1-based physical line; 0 or absent: the file as a whole. */
  line?: number;
  /** 1-based CSV column. */
  column?: number;
  columnName?: string;
  /** The text of that line (plain or gzip CSV), cut to a few hundred characters. */
  text?: string;
}
