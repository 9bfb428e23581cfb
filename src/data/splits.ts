/**
 * Train / validation / test segments by trading day. Factors are mined on one stretch of dates, selected on the
 * next and judged out of sample on a third; this module turns `--train/--valid/--test FROM:TO` or `--split a,b,c`
 * into inclusive day-index ranges over `tradingDays(panel).days`, cuts daily `[D, N]` matrices by segment, and
 * purges the labels at each segment's end that would look into the next one. Window operators are causal, so
 * the full panel is evaluated once and cut afterwards: each segment's lookback comes from the bars before it and
 * never from after it. The rules, with an example, are in docs/splits.md. Pure (no node:).
 */
import { DataError } from './csv_parse.ts';
import type { TradingDays } from './calendar.ts';

export type SegmentName = 'train' | 'valid' | 'test';
export const SEGMENT_NAMES: readonly SegmentName[] = ['train', 'valid', 'test'];

export interface Segment {
  readonly name: SegmentName;
  /** Index into `tradingDays(panel).days` of the segment's first day, inclusive. */
  readonly firstDay: number;
  /** Index of its last day, inclusive. */
  readonly lastDay: number;
  /** The first and last trading day actually in the segment (YYYY-MM-DD), not the dates asked for. */
  readonly from: string;
  readonly to: string;
}

/** An inclusive date range; an absent side is open (see `splitDays` for what it extends to). */
export interface DateRange {
  readonly from?: string;
  readonly to?: string;
}

export type SplitSpec =
  | { readonly kind: 'dates'; readonly ranges: Readonly<Partial<Record<SegmentName, DateRange>>> }
  /** Shares of the trading days for train, valid, test; a 0 leaves that segment out. */
  | { readonly kind: 'fractions'; readonly fractions: readonly [number, number, number] };

/** The report's layout when nothing is asked: half the days to train, a quarter each to validate and test. */
export const DEFAULT_SPLIT: SplitSpec = { kind: 'fractions', fractions: [0.5, 0.25, 0.25] };

export interface SplitArgs {
  train?: string;
  valid?: string;
  test?: string;
  split?: string;
}

/** Command-line values → a checked SplitSpec; nothing given → DEFAULT_SPLIT. Errors name the option at fault. */
export function parseSplitArgs(args: SplitArgs): SplitSpec {
  const given = SEGMENT_NAMES.filter((name) => args[name] !== undefined);
  if (args.split !== undefined) {
    if (given.length > 0) throw new DataError('--split', 0, `give either --split or --${given.join('/--')} dates, not both`);
    return { kind: 'fractions', fractions: parseFractions(args.split) };
  }
  if (given.length === 0) return DEFAULT_SPLIT;
  const ranges: Partial<Record<SegmentName, DateRange>> = {};
  for (const name of given) ranges[name] = parseRange(name, args[name]!);
  const spec: SplitSpec = { kind: 'dates', ranges };
  checkDateRanges(spec.ranges);
  return spec;
}

/**
 * Segments over ascending trading days, in train/valid/test order, leaving out segments the spec leaves out.
 * Dates: an open `from` starts the day after the previous segment's `to` (the first day of the data for the
 * first segment); an open `to` ends the day before the next segment's `from` (the last day of the data for the
 * last one). Dates outside the data are clipped to it. Fractions: segment boundaries are the cumulative shares of
 * the day count, rounded, so the segments tile the days. A segment with no trading day is an error naming it and
 * the data's date range.
 */
export function splitDays(days: readonly string[], spec: SplitSpec): Segment[] {
  if (days.length === 0) throw new DataError('<split>', 0, 'the data has no trading days to split');
  for (let k = 1; k < days.length; k++) {
    if (!(days[k - 1]! < days[k]!)) throw new RangeError(`trading days are not ascending at ${k} ('${days[k - 1]}', '${days[k]}')`);
  }
  const D = days.length;
  const range = `the data's ${D} trading days run ${days[0]}..${days[D - 1]}`;
  const segments: Segment[] = [];
  if (spec.kind === 'fractions') {
    const fr = checkFractions(spec.fractions, '--split');
    // The last segment kept ends on the data's last day whatever the rounding of the running sum.
    let lastKept = 0;
    fr.forEach((f, i) => {
      if (f > 0) lastKept = i;
    });
    let cum = 0;
    let start = 0;
    fr.forEach((f, i) => {
      cum += f;
      const end = i === lastKept ? D : Math.min(D, Math.round(cum * D));
      if (f === 0) return;
      const name = SEGMENT_NAMES[i]!;
      if (end <= start) throw new DataError('--split', 0, `segment '${name}' (share ${f}) gets no trading day: ${range}`);
      segments.push(makeSegment(name, days, start, end - 1));
      start = end;
    });
    return segments;
  }
  checkDateRanges(spec.ranges);
  const names = SEGMENT_NAMES.filter((n) => spec.ranges[n] !== undefined);
  names.forEach((name, i) => {
    const r = spec.ranges[name]!;
    const prev = i > 0 ? spec.ranges[names[i - 1]!]! : undefined;
    const next = i + 1 < names.length ? spec.ranges[names[i + 1]!]! : undefined;
    const first = r.from !== undefined ? lowerBound(days, r.from) : prev !== undefined ? upperBound(days, prev.to!) : 0;
    const last = r.to !== undefined ? upperBound(days, r.to) - 1 : next !== undefined ? lowerBound(days, next.from!) - 1 : D - 1;
    if (first > last) {
      throw new DataError(`--${name}`, 0, `segment '${name}' (${r.from ?? ''}:${r.to ?? ''}) has no trading day: ${range}`);
    }
    segments.push(makeSegment(name, days, first, last));
  });
  return segments;
}

/**
 * The rows of a daily `[D, N]` matrix that belong to a segment, as a view (no copy): evaluate the full panel,
 * then cut, so the segment's window operators saw the bars before it.
 */
export function segmentRows(daily: Float32Array, N: number, segment: Segment): Float32Array {
  if (N <= 0 || daily.length % N !== 0) throw new RangeError(`matrix of ${daily.length} values is not [D, ${N}]`);
  const D = daily.length / N;
  if (segment.firstDay < 0 || segment.lastDay >= D || segment.firstDay > segment.lastDay) {
    throw new RangeError(`segment '${segment.name}' days ${segment.firstDay}..${segment.lastDay} are outside a matrix of ${D} days`);
  }
  return daily.subarray(segment.firstDay * N, (segment.lastDay + 1) * N);
}

/** The panel bars (rows) of a segment, `start` inclusive and `end` exclusive: for cutting intraday `[T, N]` fields. */
export function segmentBars(cal: TradingDays, segment: Segment): { start: number; end: number } {
  if (segment.firstDay < 0 || segment.lastDay >= cal.days.length || segment.firstDay > segment.lastDay) {
    throw new RangeError(`segment '${segment.name}' days ${segment.firstDay}..${segment.lastDay} are outside ${cal.days.length} trading days`);
  }
  return { start: cal.start[segment.firstDay]!, end: cal.end[segment.lastDay]! };
}

/**
 * Purge rule: a label on day d with horizon h uses prices up to day d+1+h, so on the last h+1 days of a segment
 * it reads prices of the following segment. Those label rows are set to NaN in every segment but the last (the
 * last's tail already runs out of data, where labels are NaN anyway). Returns a copy; `labels` is unchanged.
 */
export function purgeLabels(labels: Float32Array, D: number, N: number, segments: readonly Segment[], horizon: number): Float32Array {
  if (labels.length !== D * N) throw new RangeError(`labels have ${labels.length} values, expected ${D} days x ${N} stocks = ${D * N}`);
  if (!Number.isInteger(horizon) || horizon < 0) throw new RangeError(`horizon must be an integer >= 0, got ${horizon}`);
  const out = Float32Array.from(labels);
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i]!;
    if (s.firstDay < 0 || s.lastDay >= D || s.firstDay > s.lastDay) throw new RangeError(`segment '${s.name}' days ${s.firstDay}..${s.lastDay} are outside ${D} days`);
    if (i > 0 && s.firstDay <= segments[i - 1]!.lastDay) throw new RangeError(`segments '${segments[i - 1]!.name}' and '${s.name}' overlap or are out of order`);
    if (i === segments.length - 1) break;
    const from = Math.max(s.firstDay, s.lastDay - horizon);
    out.fill(NaN, from * N, (s.lastDay + 1) * N);
  }
  return out;
}

/** One line per segment for reports, e.g. `train 2025-01-02..2025-08-29 (163 days)`. */
export function describeSegments(segments: readonly Segment[]): string[] {
  return segments.map((s) => `${s.name} ${s.from}..${s.to} (${s.lastDay - s.firstDay + 1} day${s.lastDay === s.firstDay ? '' : 's'})`);
}

function makeSegment(name: SegmentName, days: readonly string[], firstDay: number, lastDay: number): Segment {
  return { name, firstDay, lastDay, from: days[firstDay]!, to: days[lastDay]! };
}

function parseFractions(text: string): readonly [number, number, number] {
  const parts = text.split(',').map((s) => s.trim());
  if (parts.length !== 3) throw new DataError('--split', 0, `expected three shares train,valid,test (e.g. 0.5,0.25,0.25), got '${text}'`);
  const nums = parts.map((p) => (/^(\d+(\.\d*)?|\.\d+)$/.test(p) ? Number(p) : NaN));
  const bad = nums.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw new DataError('--split', 0, `share for '${SEGMENT_NAMES[bad]}' is not a number >= 0: '${parts[bad]}'`);
  return checkFractions(nums as [number, number, number], '--split');
}

function checkFractions(fr: readonly [number, number, number], option: string): readonly [number, number, number] {
  fr.forEach((f, i) => {
    if (!Number.isFinite(f) || f < 0) throw new DataError(option, 0, `share for '${SEGMENT_NAMES[i]}' must be a number >= 0, got ${f}`);
  });
  const sum = fr[0] + fr[1] + fr[2];
  // Decimal shares like 0.7,0.2,0.1 do not sum to exactly 1 in binary; anything further off is a typo.
  if (Math.abs(sum - 1) > 1e-9) throw new DataError(option, 0, `shares ${fr.join(',')} sum to ${sum}, not 1`);
  return fr;
}

function parseRange(name: SegmentName, text: string): DateRange {
  const option = `--${name}`;
  const parts = text.split(':');
  if (parts.length !== 2) throw new DataError(option, 0, `expected FROM:TO with inclusive YYYY-MM-DD dates (either may be empty), got '${text}'`);
  const [from, to] = parts.map((p) => p.trim()) as [string, string];
  if (from !== '') checkDate(option, from);
  if (to !== '') checkDate(option, to);
  if (from !== '' && to !== '' && from > to) throw new DataError(option, 0, `range starts after it ends: ${from} > ${to}`);
  return { ...(from !== '' ? { from } : {}), ...(to !== '' ? { to } : {}) };
}

function checkDate(option: string, text: string): void {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  const ok = m !== null && (() => {
    const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
    const dt = new Date(Date.UTC(y, mo - 1, d));
    return dt.getUTCFullYear() === y && dt.getUTCMonth() === mo - 1 && dt.getUTCDate() === d;
  })();
  if (!ok) throw new DataError(option, 0, `bad date '${text}': expected a real calendar date as YYYY-MM-DD`);
}

/** Checks given ranges: valid dates, from <= to, and train < valid < test without overlap or an ambiguous gap. */
function checkDateRanges(ranges: Readonly<Partial<Record<SegmentName, DateRange>>>): void {
  const names = SEGMENT_NAMES.filter((n) => ranges[n] !== undefined);
  if (names.length === 0) throw new DataError('<split>', 0, 'no segment given');
  for (const name of names) {
    const r = ranges[name]!;
    if (r.from !== undefined) checkDate(`--${name}`, r.from);
    if (r.to !== undefined) checkDate(`--${name}`, r.to);
    if (r.from !== undefined && r.to !== undefined && r.from > r.to) throw new DataError(`--${name}`, 0, `range starts after it ends: ${r.from} > ${r.to}`);
  }
  for (let i = 1; i < names.length; i++) {
    const [a, b] = [names[i - 1]!, names[i]!];
    const ra = ranges[a]!;
    const rb = ranges[b]!;
    if (ra.to === undefined && rb.from === undefined) {
      throw new DataError(`--${b}`, 0, `cannot tell where '${a}' ends and '${b}' begins: give --${a} an end date or --${b} a start date`);
    }
    const aLast = ra.to ?? ra.from;
    const bFirst = rb.from ?? rb.to;
    if (aLast !== undefined && bFirst !== undefined && !(aLast < bFirst)) {
      throw new DataError(`--${b}`, 0, `segment '${b}' (${rb.from ?? ''}:${rb.to ?? ''}) must start after '${a}' (${ra.from ?? ''}:${ra.to ?? ''}) ends: segments overlap or are out of order (train, valid, test)`);
    }
  }
}

/** First index with days[i] >= date. */
function lowerBound(days: readonly string[], date: string): number {
  let lo = 0;
  let hi = days.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (days[mid]! < date) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index with days[i] > date. */
function upperBound(days: readonly string[], date: string): number {
  let lo = 0;
  let hi = days.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (days[mid]! <= date) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
