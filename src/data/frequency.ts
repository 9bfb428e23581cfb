/**
 * Bar frequency: detection from a panel's timestamps, and resampling to a coarser frequency (15 → 30 → 60 minutes →
 * daily). Bars are identified by their END time, as in the A-share feeds: a 30-minute bar ending 10:00 is the
 * 15-minute bars ending 09:45 and 10:00. Intraday buckets are laid out from each trading session's opening time
 * (A-shares: 09:30 and 13:00), so 60-minute bars end at 10:30, 11:30, 14:00 and 15:00. Pure: no node: imports.
 */

import { makePanel, type Panel } from './panel.ts';
import { DataError, timeKey } from './csv_parse.ts';

/** A bar length. Daily bars have minutes = 1440, so "coarser" is simply "more minutes". */
export interface Frequency {
  readonly minutes: number;
  /** `15min`, `30min`, `60min`, `daily`, ... */
  readonly label: string;
}

export const DAILY: Frequency = { minutes: 1440, label: 'daily' };
/** Intraday bar lengths that detection recognises; other spacings are reported as an unknown frequency. */
export const INTRADAY_MINUTES: readonly number[] = [1, 5, 10, 15, 30, 60, 120];
/** Session opening times of the Shanghai and Shenzhen exchanges. */
export const ASHARE_SESSIONS: readonly string[] = ['09:30', '13:00'];

function intraday(minutes: number): Frequency {
  return { minutes, label: `${minutes}min` };
}

/** `15min`, `15m`, `15`, `1h`, `60min`, `daily`, `1d`, `d` → a Frequency. */
export function parseFrequency(text: string): Frequency {
  const t = text.trim().toLowerCase();
  if (t === 'daily' || t === 'd' || t === '1d' || t === 'day') return DAILY;
  const m = /^(\d+)\s*(min|m|h)?$/.exec(t);
  if (m) {
    const minutes = Number(m[1]) * (m[2] === 'h' ? 60 : 1);
    if (INTRADAY_MINUTES.includes(minutes)) return intraday(minutes);
  }
  throw new DataError('<frequency>', 0,
    `unknown frequency '${text}' (use daily or ${INTRADAY_MINUTES.map((x) => `${x}min`).join(', ')})`);
}

interface TimeParts {
  /** YYYYMMDD. */
  day: Int32Array;
  /** Minutes since midnight. */
  minute: Int32Array;
}

function splitTimes(panel: Panel, source: string): TimeParts {
  const T = panel.T;
  const day = new Int32Array(T), minute = new Int32Array(T);
  let prev = -1;
  for (let t = 0; t < T; t++) {
    const key = timeKey(panel.times[t]!);
    if (key < 0) throw new DataError(source, 0, `bar ${t} has time '${panel.times[t]}', which is not a date/time`);
    if (key <= prev) throw new DataError(source, 0, `bar times are not strictly ascending at bar ${t} ('${panel.times[t]}')`);
    prev = key;
    day[t] = Math.floor(key / 1e6);
    const hhmmss = key % 1e6;
    minute[t] = Math.floor(hhmmss / 1e4) * 60 + (Math.floor(hhmmss / 100) % 100);
  }
  return { day, minute };
}

/**
 * The panel's bar frequency: daily when no day has two bars; otherwise the most common spacing between
 * consecutive bars of one day (the lunch break and half days are outvoted). Throws on an unknown spacing.
 */
export function detectFrequency(panel: Panel, source = '<panel>'): Frequency {
  if (panel.T === 0) throw new DataError(source, 0, 'cannot detect the bar frequency of an empty panel');
  const { day, minute } = splitTimes(panel, source);
  const counts = new Map<number, number>();
  for (let t = 1; t < panel.T; t++) {
    if (day[t] !== day[t - 1]) continue;
    const gap = minute[t]! - minute[t - 1]!;
    counts.set(gap, (counts.get(gap) ?? 0) + 1);
  }
  if (counts.size === 0) return DAILY;
  let best = 0, bestCount = -1;
  for (const [gap, n] of counts) {
    if (n > bestCount || (n === bestCount && gap < best)) { best = gap; bestCount = n; }
  }
  if (!INTRADAY_MINUTES.includes(best)) {
    throw new DataError(source, 0, `unknown bar frequency: the most common spacing within a day is ${best} ` +
      `minute${best === 1 ? '' : 's'} (${bestCount} times); expected daily or ` +
      `${INTRADAY_MINUTES.join(', ')} minutes`);
  }
  return intraday(best);
}

export interface ResampleOptions {
  /** The panel's frequency, when known; detected otherwise. */
  from?: Frequency | string;
  /** Session opening times HH:MM that intraday buckets are counted from. Default A-shares: 09:30, 13:00. */
  sessions?: readonly string[];
  /** Name used in errors. */
  source?: string;
}

export interface ResampleResult {
  readonly panel: Panel;
  readonly from: Frequency;
  readonly to: Frequency;
  /** Output cells built from fewer sub-bars than the bucket has timestamps (a stock missing some of them). */
  readonly partialBars: number;
}

const pad = (x: number): string => String(x).padStart(2, '0');
function dayText(d: number): string {
  return `${Math.floor(d / 10000)}-${pad(Math.floor(d / 100) % 100)}-${pad(d % 100)}`;
}

function parseSessions(sessions: readonly string[], source: string): number[] {
  const out = sessions.map((s) => {
    const m = /^(\d{1,2}):(\d{2})$/.exec(s.trim());
    if (!m) throw new DataError(source, 0, `session start '${s}' is not HH:MM`);
    return Number(m[1]) * 60 + Number(m[2]);
  });
  return out.sort((a, b) => a - b);
}

/**
 * Resample to a coarser frequency: open = first, high = max, low = min, close = last, volume and amount summed,
 * vwap = amount / volume (NaN when volume is 0), every other field = last value present. A stock's bucket is built
 * from the sub-bars it has (a bar is present when its close is not NaN); with none it is missing. Resampling to a
 * finer frequency, or to one that is not a multiple of the source, is an error; the same frequency returns the
 * panel itself.
 */
export function resample(panel: Panel, to: Frequency | string, opts: ResampleOptions = {}): ResampleResult {
  const source = opts.source ?? '<panel>';
  const target = typeof to === 'string' ? parseFrequency(to) : to;
  const from = opts.from === undefined ? detectFrequency(panel, source)
    : typeof opts.from === 'string' ? parseFrequency(opts.from) : opts.from;
  if (target.minutes < from.minutes) {
    throw new DataError(source, 0, `cannot resample ${from.label} bars to the finer ${target.label}`);
  }
  if (target.minutes === from.minutes) return { panel, from, to: target, partialBars: 0 };
  if (target !== DAILY && target.minutes % from.minutes !== 0) {
    throw new DataError(source, 0, `cannot resample ${from.label} bars to ${target.label}: not a whole multiple`);
  }

  // Bucket of each input bar, by its end time; times are ascending so buckets are contiguous runs.
  const { day, minute } = splitTimes(panel, source);
  const starts = parseSessions(opts.sessions ?? ASHARE_SESSIONS, source);
  const T = panel.T, N = panel.N;
  const bucketTimes: string[] = [];
  const bucketStart: number[] = [];
  let lastKey = -1;
  for (let t = 0; t < T; t++) {
    let key: number, text: string;
    if (target === DAILY || target.minutes >= 1440) {
      key = day[t]!;
      text = dayText(key);
    } else {
      const e = minute[t]!;
      // The session this bar belongs to: the latest opening before its end (a pre-open auction bar joins the first).
      let s = starts[0]!;
      for (const open of starts) if (open < e) s = open;
      const m = target.minutes;
      const end = s + Math.max(1, Math.ceil((e - s) / m)) * m;
      key = day[t]! * 1440 + end;
      text = `${dayText(day[t]!)} ${pad(Math.floor(end / 60))}:${pad(end % 60)}:00`;
    }
    if (key !== lastKey) {
      if (key < lastKey) throw new DataError(source, 0, `bar '${panel.times[t]}' falls in an earlier bucket than its predecessor`);
      bucketTimes.push(text);
      bucketStart.push(t);
      lastKey = key;
    }
  }
  const B = bucketTimes.length;
  bucketStart.push(T);

  // Presence of each input cell.
  const close = panel.fields.get('close');
  const present = new Uint8Array(T * N);
  if (close) {
    for (let i = 0; i < T * N; i++) present[i] = close[i] === close[i] ? 1 : 0;
  } else {
    for (const v of panel.fields.values()) for (let i = 0; i < T * N; i++) if (v[i] === v[i]) present[i] = 1;
  }
  const counts = new Int32Array(B * N);
  let partialBars = 0;
  for (let b = 0; b < B; b++) {
    const width = bucketStart[b + 1]! - bucketStart[b]!;
    for (let t = bucketStart[b]!; t < bucketStart[b + 1]!; t++) {
      for (let j = 0; j < N; j++) counts[b * N + j] += present[t * N + j]!;
    }
    for (let j = 0; j < N; j++) {
      const c = counts[b * N + j]!;
      if (c > 0 && c < width) partialBars++;
    }
  }

  const fields = new Map<string, Float32Array>();
  for (const [name, src] of panel.fields) {
    if (name === 'vwap' && panel.fields.has('volume') && panel.fields.has('amount')) continue; // derived below
    const how = name === 'open' ? 'first' : name === 'high' ? 'max' : name === 'low' ? 'min'
      : name === 'volume' || name === 'amount' ? 'sum' : 'last';
    fields.set(name, aggregate(src, present, counts, bucketStart, N, how));
  }
  const vol = fields.get('volume'), amt = fields.get('amount');
  if (vol && amt && panel.fields.has('vwap')) {
    const vwap = new Float32Array(B * N);
    for (let i = 0; i < B * N; i++) {
      const v = vol[i]!;
      // Divide the float32 sums as the CSV loader does, so a resampled file and its reload agree.
      vwap[i] = v === 0 || v !== v ? NaN : amt[i]! / v;
    }
    fields.set('vwap', vwap);
  }
  // Keep the input's field order.
  const ordered = new Map<string, Float32Array>();
  for (const name of panel.fields.keys()) ordered.set(name, fields.get(name)!);
  return { panel: makePanel(bucketTimes, panel.codes, ordered), from, to: target, partialBars };
}

type Agg = 'first' | 'last' | 'max' | 'min' | 'sum';

function aggregate(
  src: Float32Array, present: Uint8Array, counts: Int32Array, bucketStart: readonly number[], N: number, how: Agg,
): Float32Array {
  const B = bucketStart.length - 1;
  const out = new Float32Array(B * N).fill(NaN);
  for (let b = 0; b < B; b++) {
    const t0 = bucketStart[b]!, t1 = bucketStart[b + 1]!;
    for (let j = 0; j < N; j++) {
      if (counts[b * N + j] === 0) continue;
      let acc = NaN;
      for (let t = t0; t < t1; t++) {
        const i = t * N + j;
        if (!present[i]) continue;
        const v = src[i]!;
        if (v !== v) continue;
        if (acc !== acc) { acc = v; if (how === 'first') break; continue; }
        if (how === 'max') { if (v > acc) acc = v; } else if (how === 'min') { if (v < acc) acc = v; }
        else if (how === 'sum') acc += v;
        else if (how === 'last') acc = v;
      }
      out[b * N + j] = acc;
    }
  }
  return out;
}
