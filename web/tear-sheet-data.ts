/**
 * What the tear sheet and the pool's correlation heatmap show, computed from the library on whatever panel the
 * mining worker holds: one factor's train/valid/test metrics, daily IC and group series and IC decay (through
 * src/report/assemble.ts `buildReport`, the same object `alphaflow eval --report` writes), and the pool's
 * factor-to-factor correlation (src/fitness/metrics.ts `factorCorrelation`). Nothing here recomputes a metric;
 * the cumulative curves are running sums and products of the library's daily series, for drawing only.
 *
 * A module of its own, without DOM or worker globals, so the worker stays a thin message switch and this can be
 * tested under Node. Labels for every decay horizon and the factors' daily values are cached per panel (a
 * WeakMap, so a replaced market frees them): clicking through the pool must not recompute them each time.
 */
import type { Node } from '../src/expr/ast.ts';
import { parse } from '../src/expr/parse.ts';
import { print } from '../src/expr/print.ts';
import { depth, lookback, size } from '../src/expr/analyze.ts';
import type { Panel } from '../src/data/panel.ts';
import { tradingDays } from '../src/data/calendar.ts';
import { computeLabels, dailyFactor, type ExecPrice } from '../src/data/labels.ts';
import { parseSplitArgs, splitDays, type SegmentName, type SplitArgs } from '../src/data/splits.ts';
import { evaluateToArrays } from '../src/eval/evaluate.ts';
import { factorCorrelation } from '../src/fitness/metrics.ts';
import { buildReport, type FactorReport } from '../src/report/assemble.ts';
import { REPORT_THRESHOLDS, type PassThresholds } from '../src/fitness/registry.ts';
import { ParseError } from '../src/expr/errors.ts';
import type { MineConfig } from '../src/mine/config.ts';
import type { FromWorker, ToWorker } from './protocol.ts';

/** Label horizons of the IC decay: 1..10 days, as `eval --report` (src/cli/eval_cmd.ts DECAY_HORIZONS). */
export const DECAY_HORIZONS = 10;

/** The split the page uses when no run has set one: the CLI's and the miner's default. */
export const DEFAULT_TEAR_SHEET_SETTINGS: TearSheetSettings = {
  split: { split: '0.5,0.25,0.25' },
  horizon: 1,
  groups: 5,
  price: null,
  thresholds: REPORT_THRESHOLDS,
};

/** The scoring settings a tear sheet uses: a run's own (from its MineConfig) or the defaults above. */
export interface TearSheetSettings {
  split: SplitArgs;
  horizon: number;
  groups: number;
  /** null: the data's default execution price. */
  price: ExecPrice | null;
  thresholds: PassThresholds;
}

export interface TearSheet {
  /** Canonical text. */
  expr: string;
  /** The parsed tree, for drawing (plain data: it crosses postMessage as is). */
  tree: Node;
  size: number;
  depth: number;
  lookback: number;
  /** Where the split came from: the last run's settings, or the defaults. */
  settingsFrom: 'run' | 'default';
  split: string;
  horizon: number;
  groups: number;
  price: ExecPrice;
  thresholds: PassThresholds;
  data: { bars: number; stocks: number; days: number; first: string; last: string };
  segments: { name: 'train' | 'valid' | 'test'; from: string; to: string; days: number }[];
  /** Per segment: metrics, pass, daily series (dates, IC, rank IC, groups, long-short); IC decay on all days. */
  factor: FactorReport;
  /** Per segment, the curves drawn from the daily series: cumulative IC and rank IC, group and long-short net values. */
  curves: Partial<Record<SegmentName, SegmentCurves>>;
  ms: number;
  /** Which data it was computed on, in words (filled in by the worker, which knows). */
  dataLabel?: string;
}

export interface SegmentCurves {
  ic: number[];
  rankIc: number[];
  /** Net value from 1 of each group (group 1 first, direction-adjusted as the report's groups). */
  groups: number[][];
  longShort: number[];
}

export interface PoolCorrelation {
  exprs: string[];
  /** matrix[i][j]: mean daily cross-sectional rank correlation of exprs i and j over all days; NaN where undefined. */
  matrix: number[][];
  days: number;
  ms: number;
}

interface PanelCache {
  labels: Map<string, { values: Float32Array; price: ExecPrice }>;
  daily: Map<string, Float32Array>;
}

const caches = new WeakMap<Panel, PanelCache>();
/** Daily values kept per panel; a pool holds at most 100 and a few typed expressions come on top. */
const DAILY_KEEP = 160;

function cacheOf(panel: Panel): PanelCache {
  let c = caches.get(panel);
  if (!c) caches.set(panel, (c = { labels: new Map(), daily: new Map() }));
  return c;
}

function labelsFor(panel: Panel, horizon: number, price: ExecPrice | null): { values: Float32Array; price: ExecPrice } {
  const c = cacheOf(panel);
  const key = `${price ?? ''}/${horizon}`;
  let l = c.labels.get(key);
  if (!l) {
    const r = computeLabels(panel, { horizon, ...(price ? { price } : {}) });
    c.labels.set(key, (l = { values: r.values, price: r.price }));
  }
  return l;
}

/** Whole-panel daily values (each day's last bar) of canonical texts, evaluated on the active backend, cached. */
async function dailyOf(panel: Panel, nodes: readonly Node[]): Promise<Float32Array[]> {
  const c = cacheOf(panel);
  const texts = nodes.map(print);
  const missing = nodes.filter((_, i) => !c.daily.has(texts[i]!));
  // A few panels at a time, as the miner does: every intermediate is a [T, N] tensor.
  for (let s = 0; s < missing.length; s += 16) {
    const batch = missing.slice(s, s + 16);
    const values = await evaluateToArrays(panel, batch);
    batch.forEach((n, i) => {
      c.daily.set(print(n), dailyFactor(panel, values[i]!));
    });
  }
  const out = texts.map((t) => c.daily.get(t)!);
  // Oldest first out: a Map iterates in insertion order.
  for (const k of c.daily.keys()) {
    if (c.daily.size <= DAILY_KEEP) break;
    if (!texts.includes(k)) c.daily.delete(k);
  }
  return out;
}

/** Parses against the panel's own fields, so an unknown field is a ParseError with its column, not a failed run. */
export function parseFor(panel: Panel, text: string): Node {
  return parse(text, { fields: panel.fields.keys() });
}

/**
 * The tear sheet of one expression on `panel`: parse (ParseError on bad text), evaluate, labels at the
 * settings' horizon and at 1..DECAY_HORIZONS, segments from the settings' split, then buildReport.
 */
export async function tearSheet(panel: Panel, text: string, settings: TearSheetSettings, settingsFrom: 'run' | 'default'): Promise<TearSheet> {
  const t0 = performance.now();
  const tree = parseFor(panel, text);
  const expr = print(tree);
  const cal = tradingDays(panel);
  const segments = splitDays(cal.days, parseSplitArgs(settings.split));
  const [daily] = await dailyOf(panel, [tree]);
  const main = labelsFor(panel, settings.horizon, settings.price);
  const decay = Array.from({ length: DECAY_HORIZONS }, (_, i) => labelsFor(panel, i + 1, settings.price).values);
  const report = buildReport({
    days: cal.days, N: panel.N, factors: [{ expr, line: 1, daily: daily! }], labels: main.values, horizon: settings.horizon,
    labelsByHorizon: decay, segments, groups: settings.groups, thresholds: settings.thresholds,
    data: { source: 'page', bars: panel.T, stocks: panel.N, days: cal.days.length }, options: {}, generated: '',
  });
  const factor = report.factors[0]!;
  const curves: Partial<Record<SegmentName, SegmentCurves>> = {};
  for (const [name, seg] of Object.entries(factor.segments) as [SegmentName, NonNullable<FactorReport['segments'][SegmentName]>][]) {
    const d = seg.daily;
    curves[name] = { ic: cumulativeSum(d.ic), rankIc: cumulativeSum(d.rank_ic), groups: d.groups.map(cumulativeReturn), longShort: cumulativeReturn(d.long_short) };
  }
  const split = settings.split.split ?? SEGMENT_KEYS.map((k) => `${k} ${settings.split[k] ?? ''}`).join(', ');
  return {
    expr, tree, size: size(tree), depth: depth(tree), lookback: lookback(tree), settingsFrom, split,
    horizon: settings.horizon, groups: settings.groups, price: main.price, thresholds: settings.thresholds,
    data: { bars: panel.T, stocks: panel.N, days: cal.days.length, first: cal.days[0] ?? '', last: cal.days[cal.days.length - 1] ?? '' },
    segments: report.segments, factor, curves, ms: performance.now() - t0,
  };
}

const SEGMENT_KEYS = ['train', 'valid', 'test'] as const;

/** Pairwise correlation of pool members over all days of `panel` (the report's figure 14, and `correlation` of --report). */
export async function poolCorrelation(panel: Panel, exprs: readonly string[]): Promise<PoolCorrelation> {
  const t0 = performance.now();
  const nodes = exprs.map((e) => parseFor(panel, e));
  const daily = await dailyOf(panel, nodes);
  const D = tradingDays(panel).days.length;
  const F = nodes.length;
  const flat = F ? factorCorrelation(daily, D, panel.N) : new Float64Array(0);
  const matrix = Array.from({ length: F }, (_, i) => Array.from(flat.subarray(i * F, (i + 1) * F)));
  return { exprs: nodes.map(print), matrix, days: D, ms: performance.now() - t0 };
}

/** Running sum of a daily series; a NaN day adds nothing (the curve stays flat), so one gap does not end it. */
export function cumulativeSum(values: ArrayLike<number>): number[] {
  const out = new Array<number>(values.length);
  let s = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isFinite(v)) s += v;
    out[i] = s;
  }
  return out;
}

/** Net value of a daily return series compounded from 1; a NaN day (an empty group) holds the value. */
export function cumulativeReturn(values: ArrayLike<number>): number[] {
  const out = new Array<number>(values.length);
  let s = 1;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isFinite(v)) s *= 1 + v;
    out[i] = s;
  }
  return out;
}

/** The scoring settings of a run's resolved MineConfig: the tear sheet splits and scores as that run did. */
export function settingsOfConfig(config: Pick<MineConfig, 'split' | 'horizon' | 'groups' | 'price' | 'thresholds'>): TearSheetSettings {
  return { split: config.split, horizon: config.horizon, groups: config.groups, price: config.price, thresholds: config.thresholds };
}

export type AnalysisRequest = Extract<ToWorker, { type: 'tear-sheet' | 'pool-corr' }>;
export type AnalysisReply = Extract<FromWorker, { type: 'tear-sheet' | 'pool-corr' | 'analysis-error' }>;

/** What the worker knows when a request comes: its panel (if any), where that came from, the last run's settings. */
export interface AnalysisContext {
  panel: Panel | undefined;
  /** Words for the page, e.g. "the run's data (synthetic market 300 × 500)". */
  dataLabel: string;
  /** The last run's settings; undefined before any run (the defaults apply). */
  settings: TearSheetSettings | undefined;
  /** Why there is no panel, when the page should be told more than "no data yet" (a restored run's file). */
  missing?: string;
  /** Starts a backend when none runs yet (evaluation runs on the active one). */
  ensureBackend(): Promise<void>;
}

/** Answers one request; every failure becomes an `analysis-error` with the parser's column where there is one. */
export async function answerAnalysis(msg: AnalysisRequest, ctx: AnalysisContext): Promise<AnalysisReply> {
  try {
    if (!ctx.panel) throw new Error(ctx.missing ?? 'no data is loaded yet: wait for the market to be generated, or load a file');
    await ctx.ensureBackend();
    if (msg.type === 'tear-sheet') {
      const sheet = await tearSheet(ctx.panel, msg.expr, ctx.settings ?? DEFAULT_TEAR_SHEET_SETTINGS, ctx.settings ? 'run' : 'default');
      return { type: 'tear-sheet', id: msg.id, sheet: { ...sheet, dataLabel: ctx.dataLabel } };
    }
    return { type: 'pool-corr', id: msg.id, corr: await poolCorrelation(ctx.panel, msg.exprs) };
  } catch (e) {
    const base = { type: 'analysis-error' as const, id: msg.id, request: msg.type };
    if (e instanceof ParseError) return { ...base, message: e.reason, column: e.column, length: e.length, source: e.source };
    return { ...base, message: (e as Error).message ?? String(e) };
  }
}

let queue: Promise<unknown> = Promise.resolve();

/**
 * Answers requests one after another: each evaluates on the shared backend and fills the shared caches, and
 * a second click while the first sheet is computing must not interleave with it.
 */
export function queueAnalysis(msg: AnalysisRequest, ctx: () => AnalysisContext, post: (m: AnalysisReply) => void): void {
  queue = queue.then(async () => post(await answerAnalysis(msg, ctx())));
}
