/**
 * Do two backends score the same trees alike? bench/gpu_bench.ts records, beside its rates, a digest of the first
 * trees' training scores (canonical text and the summary numbers a generation is selected on); this module holds
 * one run's digests against a reference run's (the CPU kernels on one thread, same panel), tree by tree. A speed
 * figure from a device is only worth recording when the device computed the same factors: a GPU driver that
 * miscompiles a kernel shows up here as trees whose IC moved, where the tests (run on software adapters) cannot
 * see it.
 *
 * IC and rank IC average a correlation over every stock and day, so the small differences of float32 evaluation
 * in another order or by another library's transcendentals (a few units in the last place of an intermediate, a
 * near-tie broken the other way) move them by a few 1e-4 at most (llvmpipe against the CPU kernels on the real
 * panel: 5.4e-4); beyond 1e-3 a tree disagrees, which a window read wrong or a step skipped does. The other
 * metrics are discrete underneath, and GP trees are full of ties and cliffs: `arctan(volume)` is a handful of
 * float32 values, so a GPU's arctan regroups its stocks (monotonicity 0.2 against 0.5 on llvmpipe), and an
 * arg-min that lands on another of two equal values turns a later division into 0/0 and moves coverage. So a tree
 * may move in those; the run disagrees only when more than a quarter of the trees move, as a wrong grouping or
 * NaN rule would make them all do. Every tree beyond a tolerance is listed either way.
 */
import type { FactorSummary } from '../src/fitness/metrics.ts';

/** How many of the benchmark's first trees gpu_bench records scores for (also its default CPU population). */
export const SCORED_TREES = 16;

/** The compared metrics, with the absolute difference each may show. */
export const SCORE_TOLERANCE = {
  ic: 1e-3,
  rank_ic: 1e-3,
  coverage: 1e-4,
  days: 0,
  // Annualised (x 242): one stock crossing a group boundary on one day of a short sample moves them by ~0.01.
  long_excess: 0.05,
  long_short: 0.05,
  // Steps of 0.1 at five groups.
  monotonicity: 0.25,
  turnover: 0.01,
} as const;

export type ScoreMetric = keyof typeof SCORE_TOLERANCE;
export const SCORE_METRICS = Object.keys(SCORE_TOLERANCE) as ScoreMetric[];
/** Metrics that no tree may move beyond tolerance. */
export const STRICT_METRICS: readonly ScoreMetric[] = ['ic', 'rank_ic'];
/** The largest share of trees that may move beyond tolerance in the other metrics. */
export const MOVED_SHARE = 0.25;

/** One tree's scores as recorded in the JSON lines; NaN is written as null. */
export type ScoreDigest = { expr: string } & { [M in ScoreMetric]: number | null };

export function scoreDigest(expr: string, s: FactorSummary): ScoreDigest {
  const d = { expr } as ScoreDigest;
  for (const m of SCORE_METRICS) d[m] = Number.isFinite(s[m]) ? s[m] : null;
  return d;
}

/** A tree whose scores differ beyond tolerance: each such metric with both values. */
export interface Disagreement {
  expr: string;
  /** A strict metric is among them. */
  strict: boolean;
  metrics: Array<{ metric: ScoreMetric; reference: number | null; got: number | null }>;
}

export interface Agreement {
  /** Trees found in both runs. */
  compared: number;
  /** Trees of `got` absent from the reference. */
  unmatched: number;
  /** Per metric, the largest difference over trees where both values are numbers. */
  largest: Record<ScoreMetric, number>;
  /** Every tree beyond a tolerance, strict or not. */
  disagreements: Disagreement[];
  /** The verdict: trees in common, none beyond a strict tolerance, at most MOVED_SHARE moved in the others. */
  agree: boolean;
}

/** Holds `got` against `reference`, matching trees by canonical text. */
export function compareScores(reference: readonly ScoreDigest[], got: readonly ScoreDigest[]): Agreement {
  const byExpr = new Map(reference.map((d) => [d.expr, d]));
  const largest = Object.fromEntries(SCORE_METRICS.map((m) => [m, 0])) as Record<ScoreMetric, number>;
  const disagreements: Disagreement[] = [];
  let compared = 0, unmatched = 0;
  for (const g of got) {
    const r = byExpr.get(g.expr);
    if (!r) {
      unmatched++;
      continue;
    }
    compared++;
    const off: Disagreement['metrics'] = [];
    for (const m of SCORE_METRICS) {
      const a = r[m], b = g[m];
      if (a === null || b === null) {
        if (a !== b) off.push({ metric: m, reference: a, got: b });
        continue;
      }
      const diff = Math.abs(a - b);
      largest[m] = Math.max(largest[m], diff);
      if (!(diff <= SCORE_TOLERANCE[m])) off.push({ metric: m, reference: a, got: b });
    }
    if (off.length) disagreements.push({ expr: g.expr, strict: off.some((o) => STRICT_METRICS.includes(o.metric)), metrics: off });
  }
  const strict = disagreements.filter((d) => d.strict).length;
  const agree = compared > 0 && strict === 0 && disagreements.length <= MOVED_SHARE * compared;
  return { compared, unmatched, largest, disagreements, agree };
}

const num = (v: number | null) => (v === null ? 'NaN' : String(Number(v.toPrecision(6))));

/** A few lines for a log: the verdict, the largest differences, and each tree beyond a tolerance. */
export function formatAgreement(what: string, a: Agreement): string {
  const strict = a.disagreements.filter((d) => d.strict).length;
  const moved = a.disagreements.length - strict;
  const counts = [strict ? `${strict} beyond the IC tolerance` : '', moved ? `${moved} moved in other metrics only` : ''].filter(Boolean).join(', ');
  const verdict = a.compared === 0
    ? 'DISAGREE: no tree in common with the reference'
    : `${a.agree ? 'agree' : 'DISAGREE'}: ${a.compared} trees${counts ? `, ${counts}` : ', all within tolerance'}`;
  const lines = [`${what}: ${verdict}${a.unmatched ? ` (${a.unmatched} trees not in the reference)` : ''}`];
  if (a.compared) lines.push(`  largest differences: ${SCORE_METRICS.map((m) => `${m} ${a.largest[m].toExponential(1)}`).join(', ')}`);
  for (const d of a.disagreements) {
    lines.push(`  ${d.strict ? '!' : '~'} ${d.expr}: ${d.metrics.map((m) => `${m.metric} ${num(m.reference)} -> ${num(m.got)}`).join(', ')}`);
  }
  return lines.join('\n');
}
