/**
 * Report assembly: from daily factor matrices, labels and train/valid/test segments to the tear-sheet object
 * that `eval --report` writes as JSON (alphalens `tears.py` style: one function composes the pieces that
 * src/fitness computes, and nothing here recomputes a metric). Per factor and segment: the metric summary, the
 * report's pass/fail rule and the daily series; per factor: rank-IC decay over horizons 1..10 on the whole
 * range; across factors: their correlation matrix. Labels are purged at segment ends here (not by callers) so
 * that no segment's score can read the next segment's prices. Pure (no node:); the layout is in
 * docs/report_format.md.
 */
import { factorCorrelation, factorMetrics, icDecay, type DailySeries, type FactorSummary } from '../fitness/metrics.ts';
import { passes, REPORT_THRESHOLDS, type PassThresholds } from '../fitness/registry.ts';
import { purgeLabels, type Segment } from '../data/splits.ts';

/** The summary names, in the order the JSON and the table give them. */
export const METRIC_NAMES = [
  'ic', 'rank_ic', 'icir', 'rank_icir', 'ic_t', 'ic_positive_share', 'long_excess', 'long_short', 'long_short_ir',
  'monotonicity', 'turnover', 'coverage', 'direction', 'days', 'skipped_days',
] as const satisfies readonly (keyof FactorSummary)[];

export type MetricName = (typeof METRIC_NAMES)[number];

export interface ReportFactorInput {
  /** Canonical expression text. */
  expr: string;
  /** 1-based line of the expression in its source. */
  line: number;
  /** `[D, N]` daily factor (after neutralisation when asked). */
  daily: Float32Array;
}

export interface ReportInput {
  /** Trading days YYYY-MM-DD, length D. */
  days: readonly string[];
  N: number;
  factors: readonly ReportFactorInput[];
  /** `[D, N]` labels at `horizon`, not yet purged. */
  labels: Float32Array;
  horizon: number;
  /** Labels for the decay, horizons 1..labelsByHorizon.length (unpurged: the decay uses the whole range). */
  labelsByHorizon: readonly Float32Array[];
  segments: readonly Segment[];
  groups: number;
  thresholds?: Partial<PassThresholds>;
  /** Written as given: where the data came from. */
  data: { source: string; bars: number; stocks: number; days: number };
  /** Written as given: the options the report was made with. */
  options: Record<string, unknown>;
  /** ISO time stamp; a parameter so that tests get stable output. */
  generated: string;
}

export interface SegmentDaily {
  date: string[];
  ic: number[];
  rank_ic: number[];
  /** groups[q][i]: group q's return on date[i] (q = 0 the lowest group after direction adjustment). */
  groups: number[][];
  long_short: number[];
}

export interface SegmentReport {
  metrics: Record<MetricName, number>;
  passes: boolean;
  daily: SegmentDaily;
}

export interface FactorReport {
  expr: string;
  line: number;
  segments: Partial<Record<Segment['name'], SegmentReport>>;
  /** Mean daily rank IC against labels of horizon 1..10, whole range. */
  ic_decay: number[];
}

export interface Report {
  generated: string;
  data: { source: string; bars: number; stocks: number; days: number };
  options: Record<string, unknown>;
  segments: { name: Segment['name']; from: string; to: string; days: number }[];
  factors: FactorReport[];
  /** factorCorrelation over the whole range (mean daily cross-sectional rank correlation), matrix[i][j] for exprs i and j. */
  correlation: { exprs: string[]; matrix: number[][] };
}

function metricsOf(s: FactorSummary): Record<MetricName, number> {
  const out = {} as Record<MetricName, number>;
  for (const k of METRIC_NAMES) out[k] = s[k] as number;
  return out;
}

function dailyOf(d: DailySeries, days: readonly string[]): SegmentDaily {
  return {
    date: Array.from(d.day, (k) => days[k]!),
    ic: Array.from(d.ic),
    rank_ic: Array.from(d.rankIc),
    groups: d.groups.map((g) => Array.from(g)),
    long_short: Array.from(d.longShort),
  };
}

export function buildReport(input: ReportInput): Report {
  const { days, N, factors, segments, groups } = input;
  const D = days.length;
  const thresholds = { ...REPORT_THRESHOLDS, ...input.thresholds };
  const purged = purgeLabels(input.labels, D, N, segments, input.horizon);
  const out: FactorReport[] = factors.map((f) => {
    const segs: Partial<Record<Segment['name'], SegmentReport>> = {};
    for (const seg of segments) {
      const { summary, daily } = factorMetrics(f.daily, purged, D, N, { groups, rows: [seg.firstDay, seg.lastDay] });
      segs[seg.name] = { metrics: metricsOf(summary), passes: passes(summary, thresholds), daily: dailyOf(daily, days) };
    }
    return { expr: f.expr, line: f.line, segments: segs, ic_decay: icDecay(f.daily, input.labelsByHorizon, D, N, { groups }) };
  });
  const F = factors.length;
  const corr = F ? factorCorrelation(factors.map((f) => f.daily), D, N) : new Float64Array(0);
  const matrix: number[][] = [];
  for (let i = 0; i < F; i++) matrix.push(Array.from(corr.subarray(i * F, (i + 1) * F)));
  return {
    generated: input.generated,
    data: input.data,
    options: { ...input.options, thresholds },
    segments: segments.map((s) => ({ name: s.name, from: s.from, to: s.to, days: s.lastDay - s.firstDay + 1 })),
    factors: out,
    correlation: { exprs: factors.map((f) => f.expr), matrix },
  };
}

/** JSON text of a report; NaN and infinities become null (JSON has neither). */
export function reportJson(report: Report): string {
  return JSON.stringify(report, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v));
}
