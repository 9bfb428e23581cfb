/**
 * Factor metrics: how well a daily factor matrix [D, N] predicts a label matrix (forward returns) of the same
 * shape, per day and summarised over a range of days — IC, rank IC, their IRs and t-statistic, q-group returns
 * (long excess, long-short, monotonicity), top-group turnover, coverage — plus IC decay over horizons and the
 * mean cross-sectional rank correlation between factors. Definitions follow the research report and alphalens.
 *
 * Days. A day is used when at least `minStocks` stocks have both a factor value and a label and neither the
 * factor nor the label is constant across them (IC undefined); every other day in range counts in
 * `skipped_days`. All per-day statistics of a factor use exactly the stocks valid for that factor that day.
 *
 * Groups follow pandas `qcut(x, q, labels=False)`: edges are the 0, 1/q, .., 1 quantiles with numpy's linear
 * interpolation, bins are right-closed and the lowest value is in group 1. Where ties make two edges equal (pandas
 * raises) the day falls back to average-position groups: a tie block whose average 0-based sorted position is r
 * goes to group 1 + #{g in 1..q-1 : g·(n-1) < r·q}, which is exactly where qcut puts distinct values, so tied
 * stocks always share a group and no day is dropped for ties. Such a day may leave a group empty: that group's
 * daily mean is NaN and means over days skip NaN entries (a long-short day needs both ends non-empty).
 *
 * Direction is +1 when the mean rank IC is >= 0, else -1; group series, long excess, long-short, monotonicity and
 * turnover are direction-adjusted (for -1 group q is the raw group 1), while ic, rank_ic and the IRs keep the raw
 * sign as the report prints them. Annualisation uses 242 trading days; standard deviations are sample (n-1).
 * Turnover is the mean, over used days with a previous used day, of the share of today's top-group stocks that
 * were not in the top group that previous day; monotonicity is the Spearman correlation of 1..q with the groups'
 * mean daily returns over the range; coverage counts stock-days with a factor value over all days in range.
 * Undefined numbers are NaN; nothing here throws on data.
 *
 * Factor correlation is pairwise-complete, as pandas' `corr(method='spearman')`: each pair's day uses the stocks
 * where both factors exist (at least `minStocks`, neither constant), and the matrix is the mean over those days.
 *
 * Layers. The per-day work is two kernels registered with tfjs per backend like the operators
 * (src/fitness/metric_kernels.ts): `af_daily_metrics` turns a population `[F, D, N]` and a label `[D, N]` into
 * a few numbers per factor-day (src/fitness/daily_layout.ts) and `af_factor_corr` turns a population into its
 * `[F, F]` matrix. This file forms every summary from those rows. The array functions below call the host
 * kernels directly (float64 rows); `populationMetricsTensor` runs the registered kernel on tensors, so a
 * population evaluated on a device is scored there and only the rows come back.
 */
import * as tf from '@tensorflow/tfjs-core';
import { dailyMetrics, assignGroups, GroupScratch } from '../../kernels/cpu/daily_metrics.ts';
import { factorCorrelationKernel } from '../../kernels/cpu/factor_corr.ts';
import { bitsOf, FloatSorter } from '../../kernels/cpu/radix_sort.ts';
import { COL, dailyWidth } from './daily_layout.ts';
import { DAILY_METRICS_KERNEL, runMetricKernel, type MetricPath } from './metric_kernels.ts';

export interface MetricOptions {
  /** Number of groups q (default 5). */
  groups?: number;
  /** Fewest stocks with both factor and label for a day to be used (default 10). */
  minStocks?: number;
  /** First..last day index, inclusive; default all days. */
  rows?: [number, number];
}

export interface DailySeries {
  /** Day indices used. */
  day: Int32Array;
  ic: Float64Array;
  rankIc: Float64Array;
  /** q series, direction-adjusted: groups[0] is group 1 (worst), groups[q-1] group q (best); NaN = empty group. */
  groups: Float64Array[];
  /** Group q − group 1 (direction-adjusted). */
  longShort: Float64Array;
  /** Mean label of all stocks used that day (the long-excess benchmark). */
  market: Float64Array;
  /** Share of the top group's stocks not in it on the previous used day; NaN on the first used day. */
  turnover: Float64Array;
}

export interface FactorSummary {
  ic: number;
  rank_ic: number;
  icir: number;
  rank_icir: number;
  ic_t: number;
  ic_positive_share: number;
  long_excess: number;
  long_short: number;
  long_short_ir: number;
  monotonicity: number;
  turnover: number;
  coverage: number;
  direction: 1 | -1;
  days: number;
  skipped_days: number;
}

const YEAR = 242;

/** Default fewest stocks with both factor and label for a day to count. */
export const MIN_STOCKS = 10;

interface Resolved {
  q: number;
  minStocks: number;
  first: number;
  last: number;
}

function resolve(D: number, opts: MetricOptions | undefined): Resolved {
  const q = Math.max(1, Math.floor(opts?.groups ?? 5));
  const minStocks = Math.max(2, Math.floor(opts?.minStocks ?? MIN_STOCKS));
  let first = 0;
  let last = D - 1;
  if (opts?.rows) {
    first = Math.max(0, Math.floor(opts.rows[0]));
    last = Math.min(D - 1, Math.floor(opts.rows[1]));
  }
  return { q, minStocks, first, last };
}

/** Per-factor results over the range, in raw (not direction-adjusted) group order, used days only. */
interface RawRun {
  days: number;
  skipped: number;
  coverage: number;
  day: Int32Array;
  ic: Float64Array;
  rankIc: Float64Array;
  /** Raw group g (0-based) daily means. */
  groups: Float64Array[];
  market: Float64Array;
  /** Turnover of raw group q and raw group 1 (the top group for direction +1 and -1). */
  turnTop: Float64Array;
  turnBottom: Float64Array;
}

/** Compacts factor `fi`'s used days out of the kernel rows `[F, nDays, W]`. */
function rawRun(rows: ArrayLike<number>, fi: number, r: Resolved, N: number): RawRun {
  const nDays = Math.max(0, r.last - r.first + 1);
  const W = dailyWidth(r.q);
  const base = fi * nDays * W;
  let used = 0;
  let covered = 0;
  for (let k = 0; k < nDays; k++) {
    if (rows[base + k * W + COL.used] === 1) used++;
    covered += rows[base + k * W + COL.covered];
  }
  const day = new Int32Array(used);
  const col = () => new Float64Array(used);
  const ic = col(), rankIc = col(), market = col(), turnTop = col(), turnBottom = col();
  const groups = Array.from({ length: r.q }, col);
  let u = 0;
  for (let k = 0; k < nDays; k++) {
    const o = base + k * W;
    if (rows[o + COL.used] !== 1) continue;
    day[u] = r.first + k;
    ic[u] = rows[o + COL.ic];
    rankIc[u] = rows[o + COL.rankIc];
    market[u] = rows[o + COL.market];
    turnTop[u] = rows[o + COL.turnTop];
    turnBottom[u] = rows[o + COL.turnBottom];
    for (let g = 0; g < r.q; g++) groups[g][u] = rows[o + COL.groups + g];
    u++;
  }
  return {
    days: used,
    skipped: nDays - used,
    coverage: nDays > 0 && N > 0 ? covered / (nDays * N) : NaN,
    day, ic, rankIc, groups, market, turnTop, turnBottom,
  };
}

/** Kernel rows for the factors (shapes already checked) in float64. */
function hostRows(factors: readonly Float32Array[], label: Float32Array, N: number, r: Resolved): Float64Array {
  const nDays = Math.max(0, r.last - r.first + 1);
  const out = new Float64Array(factors.length * nDays * dailyWidth(r.q));
  dailyMetrics({ factors, label, N, q: r.q, minStocks: r.minStocks, first: r.first, last: r.last, out });
  return out;
}

/** Mean and sample std of the finite entries; NaN where undefined. */
function meanStd(x: Float64Array): { mean: number; std: number; n: number } {
  let n = 0;
  let s = 0;
  for (let i = 0; i < x.length; i++) {
    if (Number.isFinite(x[i])) {
      s += x[i];
      n++;
    }
  }
  if (n === 0) return { mean: NaN, std: NaN, n };
  const mean = s / n;
  if (n < 2) return { mean, std: NaN, n };
  let ss = 0;
  for (let i = 0; i < x.length; i++) if (Number.isFinite(x[i])) ss += (x[i] - mean) ** 2;
  return { mean, std: Math.sqrt(ss / (n - 1)), n };
}

/** Spearman correlation of 1..q with the values (average ranks for ties); NaN if any value is missing or all equal. */
function monotonic(m: number[]): number {
  const q = m.length;
  if (q < 2 || m.some((v) => !Number.isFinite(v))) return NaN;
  const order = m.map((_, i) => i).sort((a, b) => m[a] - m[b]);
  const rk = new Array<number>(q);
  let i = 0;
  while (i < q) {
    let e = i + 1;
    while (e < q && m[order[e]] === m[order[i]]) e++;
    for (let t = i; t < e; t++) rk[order[t]] = (i + 1 + e) / 2;
    i = e;
  }
  const mr = (q + 1) / 2;
  let sxy = 0, sxx = 0, syy = 0;
  for (let g = 0; g < q; g++) {
    const a = g + 1 - mr;
    const b = rk[g] - mr;
    sxy += a * b;
    sxx += a * a;
    syy += b * b;
  }
  return syy > 0 ? sxy / Math.sqrt(sxx * syy) : NaN;
}

function summarize(run: RawRun, q: number): { summary: FactorSummary; daily: DailySeries } {
  const ic = meanStd(run.ic);
  const ric = meanStd(run.rankIc);
  const direction: 1 | -1 = Number.isFinite(ric.mean) && ric.mean < 0 ? -1 : 1;
  const groups = direction === 1 ? run.groups : [...run.groups].reverse();
  const n = run.days;
  const top = groups[q - 1];
  const bottom = groups[0];
  const longShort = new Float64Array(n);
  const excess = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    longShort[i] = top[i] - bottom[i];
    excess[i] = top[i] - run.market[i];
  }
  const ls = meanStd(longShort);
  const ex = meanStd(excess);
  const turnover = direction === 1 ? run.turnTop : run.turnBottom;
  let positive = 0;
  for (let i = 0; i < n; i++) if (run.ic[i] > 0) positive++;
  const sq = Math.sqrt(YEAR);
  const summary: FactorSummary = {
    ic: ic.mean,
    rank_ic: ric.mean,
    icir: (ic.mean / ic.std) * sq,
    rank_icir: (ric.mean / ric.std) * sq,
    ic_t: ic.mean / (ic.std / Math.sqrt(ic.n)),
    ic_positive_share: n > 0 ? positive / n : NaN,
    long_excess: ex.mean * YEAR,
    long_short: ls.mean * YEAR,
    long_short_ir: (ls.mean / ls.std) * sq,
    monotonicity: monotonic(groups.map((g) => meanStd(g).mean)),
    turnover: meanStd(turnover).mean,
    coverage: run.coverage,
    direction,
    days: n,
    skipped_days: run.skipped,
  };
  for (const key of Object.keys(summary) as (keyof FactorSummary)[]) {
    // ±Infinity from a zero std (identical daily values) is as undefined as 0/0.
    if (key !== 'direction' && !Number.isFinite(summary[key])) (summary as unknown as Record<string, number>)[key] = NaN;
  }
  const daily: DailySeries = { day: run.day, ic: run.ic, rankIc: run.rankIc, groups, longShort, market: run.market, turnover };
  return { summary, daily };
}

function checkShape(a: Float32Array, D: number, N: number): boolean {
  return D >= 0 && N >= 0 && a.length >= D * N;
}

function emptyRun(r: Resolved, coverage = NaN): RawRun {
  const nDays = Math.max(0, r.last - r.first + 1);
  const z = new Float64Array(0);
  return { days: 0, skipped: nDays, coverage, day: new Int32Array(0), ic: z, rankIc: z, groups: Array.from({ length: r.q }, () => z), market: z, turnTop: z, turnBottom: z };
}

export function factorMetrics(factor: Float32Array, label: Float32Array, D: number, N: number, opts?: MetricOptions): { summary: FactorSummary; daily: DailySeries } {
  const r = resolve(D, opts);
  if (!checkShape(factor, D, N) || !checkShape(label, D, N)) return summarize(emptyRun(r), r.q);
  return summarize(rawRun(hostRows([factor], label, N, r), 0, r, N), r.q);
}

/** Many factors against one label in one pass (shares the label's per-day ranks and masks); summaries only. */
export function populationMetrics(factors: readonly Float32Array[], label: Float32Array, D: number, N: number, opts?: MetricOptions): FactorSummary[] {
  const r = resolve(D, opts);
  if (!checkShape(label, D, N)) return factors.map(() => summarize(emptyRun(r), r.q).summary);
  const okIdx = factors.flatMap((f, i) => (checkShape(f, D, N) ? [i] : []));
  const rows = hostRows(okIdx.map((i) => factors[i]), label, N, r);
  const out = factors.map(() => summarize(emptyRun(r), r.q).summary);
  okIdx.forEach((i, slot) => (out[i] = summarize(rawRun(rows, slot, r, N), r.q).summary));
  return out;
}

/**
 * populationMetrics on tensors through `af_daily_metrics` on the active backend (its kernel, else the composite; `path`
 * forces the composite): factors
 * `[F, D, N]` and label `[D, N]` stay where they are (on a GPU, on the GPU) and only the per-day rows
 * `[F, days, dailyWidth(q)]` are read back. The inputs are not disposed.
 */
export async function populationMetricsTensor(factors: tf.Tensor, label: tf.Tensor, opts?: MetricOptions & { path?: MetricPath }): Promise<FactorSummary[]> {
  if (factors.rank !== 3 || label.rank !== 2 || factors.shape[1] !== label.shape[0] || factors.shape[2] !== label.shape[1]) {
    throw new RangeError(`populationMetricsTensor: factors [F, D, N] and label [D, N] expected, got [${factors.shape}] and [${label.shape}]`);
  }
  const [F, D, N] = factors.shape as [number, number, number];
  const r = resolve(D, opts);
  const attrs = { groups: r.q, minStocks: r.minStocks, first: r.first, last: r.last };
  const rowsT = runMetricKernel(DAILY_METRICS_KERNEL, { factors, label }, attrs, opts?.path);
  let rows: ArrayLike<number>;
  try {
    rows = await rowsT.data();
  } finally {
    rowsT.dispose();
  }
  return Array.from({ length: F }, (_, i) => summarize(rawRun(rows, i, r, N), r.q).summary);
}

/**
 * Each factor's summary on each segment (a named day range, inclusive), keyed by segment name: the miner's
 * training, validation and test metrics of its pool candidates, on the main thread or a worker.
 */
export function segmentSummaries<K extends string>(factors: readonly Float32Array[], label: Float32Array, D: number, N: number, groups: number, segments: readonly { readonly name: K; readonly firstDay: number; readonly lastDay: number }[]): Partial<Record<K, FactorSummary>>[] {
  const out = factors.map(() => ({}) as Partial<Record<K, FactorSummary>>);
  for (const seg of segments) {
    populationMetrics(factors, label, D, N, { groups, rows: [seg.firstDay, seg.lastDay] }).forEach((s, i) => (out[i]![seg.name] = s));
  }
  return out;
}

/** rank_ic for horizons 1..H given labels per horizon. */
export function icDecay(factor: Float32Array, labelsByHorizon: readonly Float32Array[], D: number, N: number, opts?: MetricOptions): number[] {
  const r = resolve(D, opts);
  return labelsByHorizon.map((label) => {
    if (!checkShape(factor, D, N) || !checkShape(label, D, N)) return NaN;
    return meanStd(rawRun(hostRows([factor], label, N, r), 0, r, N).rankIc).mean;
  });
}

/**
 * Mean over days of the cross-sectional Spearman correlation between each pair of factors: an F×F matrix
 * (row-major), 1 on the diagonal. A pair's day counts when at least `minStocks` stocks have both factors and
 * neither is constant on them; NaN where a pair has no such day (or a factor's shape is wrong).
 */
export function factorCorrelation(factors: readonly Float32Array[], D: number, N: number, opts?: MetricOptions): Float64Array {
  const r = resolve(D, opts);
  const F = factors.length;
  const okIdx = factors.flatMap((f, i) => (checkShape(f, D, N) ? [i] : []));
  const sub = new Float64Array(okIdx.length * okIdx.length);
  factorCorrelationKernel({ factors: okIdx.map((i) => factors[i]), N, minStocks: r.minStocks, first: r.first, last: r.last, out: sub });
  const out = new Float64Array(F * F).fill(NaN);
  for (let a = 0; a < F; a++) out[a * F + a] = 1;
  okIdx.forEach((i, x) => okIdx.forEach((j, y) => (out[i * F + j] = sub[x * okIdx.length + y])));
  return out;
}

/** The 0-based qcut group of each value (all finite, at least two), as the metrics assign them; for tests and reports. */
export function qcutGroups(values: ArrayLike<number>, q: number): Int32Array {
  const n = values.length;
  const v = Float32Array.from(values);
  const s = new GroupScratch(n, q);
  const idx = Int32Array.from({ length: n }, (_, i) => i);
  const ord = new FloatSorter(n).sort(bitsOf(v), 0, idx, n);
  assignGroups(v, 0, ord, n, q, s);
  return s.group.slice(0, n);
}
