/**
 * Text tables for the tear sheet: the fixed-width summary `eval --report` prints on stdout, one row per factor
 * and segment. Kept apart from assembly so the JSON and the printed view cannot disagree about which numbers
 * they show (both read the same `Report`). Pure (no node:).
 */
import type { MetricName, Report } from './assemble.ts';

/** The columns printed, in order; the rest of the summary is in the JSON. */
export const TABLE_METRICS: readonly MetricName[] = ['rank_ic', 'ic', 'icir', 'long_excess', 'long_short', 'monotonicity', 'turnover', 'coverage'];

/** Four decimals, sign always shown for signed metrics' alignment; NaN (no usable day) as `NaN`. */
export function formatMetric(v: number): string {
  if (!Number.isFinite(v)) return 'NaN';
  return Math.abs(v) >= 1e5 ? v.toExponential(3) : v.toFixed(4);
}

/** Left-aligned text columns joined by two spaces; numbers are right-aligned so decimal points line up. */
export function formatTable(rows: readonly (readonly string[])[], rightAligned: ReadonlySet<number> = new Set()): string {
  if (rows.length === 0) return '';
  const cols = rows[0]!.length;
  const widths = Array.from({ length: cols }, (_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows
    .map((r) => r.map((cell, c) => (c === cols - 1 ? cell : rightAligned.has(c) ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join('  ').trimEnd())
    .join('\n') + '\n';
}

/**
 * One row per factor and segment: line, segment, the TABLE_METRICS, pass (yes/no under the report's rule) and
 * the expression last, so long expressions do not push the numbers out of line.
 */
export function reportTable(report: Report): string {
  const rows: string[][] = [['line', 'segment', ...TABLE_METRICS, 'pass', 'expression']];
  for (const f of report.factors) {
    for (const s of report.segments) {
      const seg = f.segments[s.name];
      if (!seg) continue;
      rows.push([String(f.line), s.name, ...TABLE_METRICS.map((m) => formatMetric(seg.metrics[m])), seg.passes ? 'yes' : 'no', f.expr]);
    }
  }
  const numeric = new Set(TABLE_METRICS.map((_, i) => i + 2));
  return formatTable(rows, numeric);
}

/** The segments as `name from..to (n days)` lines, for the head of the printed report. */
export function segmentLines(report: Report): string[] {
  return report.segments.map((s) => `${s.name} ${s.from}..${s.to} (${s.days} day${s.days === 1 ? '' : 's'})`);
}
