/**
 * The messages between the page and the mining worker (web/mine-worker.ts), in one place so both sides agree on
 * them at compile time. Only plain data crosses: the worker keeps the market panel and the run, the page keeps
 * what it shows. Types only come from src/, so importing this module costs the page nothing at run time.
 */
import type { GenerationRecord, PoolMember, StopReason } from '../src/mine/miner.ts';
import type { PlantedAlpha } from '../src/data/synth.ts';

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
  | { type: 'stop' };

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
  | { type: 'error'; message: string; during: 'market' | 'run' };
