/**
 * Trading days of a panel: which bars belong to which calendar day. Intraday factors are read once a day at
 * each day's last bar, labels use each day's first bars, and date-based splits cut between days; all of them
 * go through this one grouping.
 */
import type { Panel } from './panel.ts';
import { DataError, timeKey } from './csv_parse.ts';

export interface TradingDays {
  /** Each trading day as YYYY-MM-DD, ascending. */
  readonly days: readonly string[];
  /** Day k spans bars start[k] .. end[k]-1 of the panel. */
  readonly start: Int32Array;
  readonly end: Int32Array;
  /** The day index of every bar. */
  readonly dayOfBar: Int32Array;
}

const cache = new WeakMap<Panel, TradingDays>();

/** Groups a panel's bars (rows) into trading days; daily data gives one bar a day. */
export function tradingDays(panel: Panel): TradingDays {
  const hit = cache.get(panel);
  if (hit) return hit;
  const days: string[] = [];
  const start: number[] = [];
  const dayOfBar = new Int32Array(panel.T);
  let lastDay = -1;
  panel.times.forEach((text, t) => {
    const key = timeKey(text);
    if (key < 0) throw new DataError('<panel>', 0, `bar ${t} has time '${text}', which is not a date`);
    const day = Math.floor(key / 1e6);
    if (day < lastDay) throw new DataError('<panel>', 0, `bar times are not ascending at bar ${t} ('${text}')`);
    if (day !== lastDay) {
      const y = Math.floor(day / 10000);
      const m = Math.floor(day / 100) % 100;
      const d = day % 100;
      days.push(`${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`);
      start.push(t);
      lastDay = day;
    }
    dayOfBar[t] = days.length - 1;
  });
  const end = new Int32Array(days.length);
  for (let k = 0; k < days.length; k++) end[k] = k + 1 < days.length ? start[k + 1] : panel.T;
  const result: TradingDays = { days, start: Int32Array.from(start), end, dayOfBar };
  cache.set(panel, result);
  return result;
}
