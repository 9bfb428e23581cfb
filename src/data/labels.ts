/**
 * Labels: the forward return a factor is scored against, with the trading frictions that make a return real.
 * A factor observed at the close of day d is bought at day d+1's execution price and sold at day d+1+h's; the
 * label of day d is that return, on back-adjusted prices when the data carries `adj_factor`. Stock-days that could
 * not have been traded (no bars on the entry or exit day, or locked at a price limit in the execution window) get
 * NaN and are counted by reason, so an IC is never computed on returns nobody could have earned.
 * `dailyFactor` reads intraday factors once a day at the last bar, matching the labels' day axis.
 * The rules are written out in docs/labels.md.
 */
import type { Panel } from './panel.ts';
import { tradingDays, type TradingDays } from './calendar.ts';
import { DataError, timeKey } from './csv_parse.ts';

export type ExecPrice = 'first30vwap' | 'vwap' | 'close' | 'open';
export const EXEC_PRICES: readonly ExecPrice[] = ['first30vwap', 'vwap', 'close', 'open'];
export const MAX_HORIZON = 20;

export interface LabelOptions {
  /** Execution price; default first30vwap for intraday data, vwap for daily data. */
  price?: ExecPrice;
  /** Holding period in trading days, 1..20; default 1. */
  horizon?: number;
}

export interface Labels {
  /** Trading days YYYY-MM-DD, length D. */
  days: string[];
  codes: readonly string[];
  /** [D, N]: label of day k for stock j at k*N+j; NaN = no label. */
  values: Float32Array;
  price: ExecPrice;
  horizon: number;
  /**
   * Stock-days dropped, each counted once under its first reason (noBars, then limitLocked, then noPrice). Only
   * stock-days with bars on the observation day and a full horizon ahead are counted (`counted` of them).
   */
  dropped: { noBars: number; limitLocked: number; noPrice: number; total: number };
  /** Stock-days the drop counts are out of: traded on day d, and d+1+h is inside the data. */
  counted: number;
}

/** One row per trading day of each day's last bar: how an intraday factor becomes a daily signal. */
export function dailyFactor(panel: Panel, values: Float32Array): Float32Array {
  const { N, T } = panel;
  if (values.length !== T * N) throw new RangeError(`factor has ${values.length} values, expected ${T} bars x ${N} stocks = ${T * N}`);
  const cal = tradingDays(panel);
  const D = cal.days.length;
  const out = new Float32Array(D * N);
  for (let k = 0; k < D; k++) {
    const row = (cal.end[k] - 1) * N;
    out.set(values.subarray(row, row + N), k * N);
  }
  return out;
}

/** Daily data has one bar a day; anything with several bars on some day is intraday. */
export function isIntraday(panel: Panel): boolean {
  const cal = tradingDays(panel);
  return cal.days.length < panel.T;
}

function minutesOfDay(text: string): number {
  const key = timeKey(text);
  const hhmmss = key % 1e6;
  return Math.floor(hhmmss / 1e4) * 60 + (Math.floor(hhmmss / 100) % 100) + (hhmmss % 100) / 60;
}

/** The smallest gap between consecutive bars of one day, in minutes: the bar length. */
export function barMinutes(panel: Panel): number {
  const cal = tradingDays(panel);
  let best = Infinity;
  for (let k = 0; k < cal.days.length; k++) {
    for (let t = cal.start[k] + 1; t < cal.end[k]; t++) {
      const gap = minutesOfDay(panel.times[t]) - minutesOfDay(panel.times[t - 1]);
      if (gap > 0 && gap < best) best = gap;
    }
  }
  return best;
}

function field(panel: Panel, name: string): Float32Array | undefined {
  return panel.fields.get(name);
}

function need(panel: Panel, name: string, why: string): Float32Array {
  const f = panel.fields.get(name);
  if (!f) throw new DataError('<panel>', 0, `labels need a '${name}' field ${why}; the data has ${[...panel.fields.keys()].join(', ') || 'no fields'}`);
  return f;
}

/**
 * The execution window of each day: the bar rows whose prices make the execution price. Time-of-day windows are
 * fixed rows of the panel (its rows are the union of all stocks' timestamps), so every stock is judged on the
 * same clock; a stock missing one of those bars simply contributes fewer bars.
 */
function windows(panel: Panel, cal: TradingDays, price: ExecPrice): { from: Int32Array; to: Int32Array } {
  const D = cal.days.length;
  const from = new Int32Array(D);
  const to = new Int32Array(D);
  const intraday = isIntraday(panel);
  const bar = intraday ? barMinutes(panel) : Infinity;
  for (let k = 0; k < D; k++) {
    const a = cal.start[k];
    const b = cal.end[k];
    if (price === 'first30vwap') {
      // The session opens one bar length before the first bar's end; bars ending within 30 minutes of it count
      // (bars longer than 30 minutes leave only the first bar, the closest available approximation).
      const open = minutesOfDay(panel.times[a]) - bar;
      let e = a + 1;
      while (e < b && minutesOfDay(panel.times[e]) <= open + Math.max(30, bar) + 1e-9) e++;
      from[k] = a;
      to[k] = e;
    } else if (price === 'open') {
      from[k] = a;
      to[k] = a + 1;
    } else if (price === 'close') {
      from[k] = b - 1;
      to[k] = b;
    } else {
      from[k] = a;
      to[k] = b;
    }
  }
  return { from, to };
}

/**
 * Each stock-day's execution price as traded (NOT adjusted; multiply by `adj_factor` for returns), [D, N], NaN
 * when there is none. `open` takes the stock's first bar of the window with a price, `close` its last, the vwaps
 * sum(amount)/sum(volume) over the window (daily data: the `vwap` field when present).
 */
export function execPrices(panel: Panel, price: ExecPrice): Float32Array {
  const cal = tradingDays(panel);
  return execPricesOn(panel, cal, price, windows(panel, cal, price));
}

function execPricesOn(panel: Panel, cal: TradingDays, price: ExecPrice, win: { from: Int32Array; to: Int32Array }): Float32Array {
  const { N } = panel;
  const D = cal.days.length;
  const out = new Float32Array(D * N).fill(NaN);
  const intraday = isIntraday(panel);
  if (price === 'first30vwap' && !intraday) {
    throw new DataError('<panel>', 0, 'first30vwap needs intraday bars, but the data has one bar a day; use --price vwap, close or open');
  }
  if (price === 'open' || price === 'close') {
    const p = need(panel, price, `for --price ${price}`);
    for (let k = 0; k < D; k++) {
      for (let j = 0; j < N; j++) {
        // Daily data has a one-bar window; intraday open/close windows are one row too, so this is that bar.
        let v = NaN;
        for (let t = win.from[k]; t < win.to[k]; t++) {
          const x = p[t * N + j];
          if (x === x) {
            v = x;
            if (price === 'open') break;
          }
        }
        out[k * N + j] = v;
      }
    }
    return out;
  }
  const vw = field(panel, 'vwap');
  if (price === 'vwap' && !intraday && vw) {
    // The daily vwap column is the exchange's own amount/volume; suspended rows leave it empty (NaN) already.
    for (let k = 0; k < D; k++) for (let j = 0; j < N; j++) out[k * N + j] = vw[cal.start[k] * N + j];
    return out;
  }
  const vol = need(panel, 'volume', `for --price ${price}`);
  const amt = field(panel, 'amount');
  if (!amt && !vw) need(panel, 'amount', `for --price ${price}`);
  for (let k = 0; k < D; k++) {
    for (let j = 0; j < N; j++) {
      let sa = 0;
      let sv = 0;
      for (let t = win.from[k]; t < win.to[k]; t++) {
        const c = t * N + j;
        const v = vol[c];
        if (!(v > 0)) continue;
        const a = amt ? amt[c] : vw![c] * v;
        if (a === a) {
          sa += a;
          sv += v;
        }
      }
      out[k * N + j] = sv > 0 ? sa / sv : NaN;
    }
  }
  return out;
}

/** ChiNext moved to ±20 % on this day (registration-system reform). */
const CHINEXT_REFORM = '2020-08-24';

/** Price-limit percentage of a stock on a day: 20 STAR/ChiNext-after-reform, 5 ST main board, else 10. */
export function limitPct(code: string, day: string, st: boolean): number {
  if (code.startsWith('688')) return 20;
  if (code.startsWith('300') || code.startsWith('301')) {
    if (day >= CHINEXT_REFORM) return 20;
    return st ? 5 : 10;
  }
  return st ? 5 : 10;
}

/** Limit prices in cents from a reference price, rounded half up to 0.01 as the exchanges do (exact integer maths). */
export function limitCents(refPrice: number, pct: number): { up: number; down: number } {
  const c = Math.round(refPrice * 100);
  return { up: Math.floor((c * (100 + pct) + 50) / 100), down: Math.floor((c * (100 - pct) + 50) / 100) };
}

/** Forward returns from execution prices, NaN where the trade could not have happened; see the file header. */
export function computeLabels(panel: Panel, opts: LabelOptions = {}): Labels {
  const cal = tradingDays(panel);
  const intraday = isIntraday(panel);
  const price = opts.price ?? (intraday ? 'first30vwap' : 'vwap');
  if (!EXEC_PRICES.includes(price)) throw new RangeError(`price must be one of ${EXEC_PRICES.join(', ')}, got '${price}'`);
  const h = opts.horizon ?? 1;
  if (!Number.isInteger(h) || h < 1 || h > MAX_HORIZON) throw new RangeError(`horizon must be a whole number of days in 1..${MAX_HORIZON}, got ${h}`);
  const { N } = panel;
  const D = cal.days.length;
  const win = windows(panel, cal, price);
  const px = execPricesOn(panel, cal, price, win);
  const close = need(panel, 'close', 'to find trading days and limit prices');
  const high = field(panel, 'high');
  const low = field(panel, 'low');
  const vol = field(panel, 'volume');
  const adj = field(panel, 'adj_factor');
  const isST = field(panel, 'isST');
  const status = field(panel, 'tradestatus');
  const preclose = field(panel, 'preclose');

  // Per stock-day: traded at all, its last close, its adj_factor and ST flag (the day's last bar with a value).
  const traded = new Uint8Array(D * N);
  const lastClose = new Float64Array(D * N).fill(NaN);
  const dayAdj = new Float64Array(D * N).fill(NaN);
  const dayST = new Uint8Array(D * N);
  for (let k = 0; k < D; k++) {
    for (let j = 0; j < N; j++) {
      let any = false;
      let volume = 0;
      let volSeen = false;
      let stopped = false;
      for (let t = cal.start[k]; t < cal.end[k]; t++) {
        const c = t * N + j;
        if (close[c] === close[c]) {
          any = true;
          lastClose[k * N + j] = close[c];
        }
        if (vol && vol[c] === vol[c]) {
          volSeen = true;
          volume += vol[c];
        }
        if (adj && adj[c] === adj[c]) dayAdj[k * N + j] = adj[c];
        if (isST && isST[c] === 1) dayST[k * N + j] = 1;
        if (status && status[c] === 0) stopped = true;
      }
      // A day with rows but no volume (a daily suspended row, flat prices) was not a trading day for the stock.
      traded[k * N + j] = any && !stopped && !(volSeen && volume <= 0) ? 1 : 0;
    }
  }

  /** Locked: every bar the stock has in the window has high == low at the day's limit-up or limit-down price. */
  const locked = (k: number, j: number): boolean => {
    if (!high || !low) return false;
    let ref = NaN;
    if (preclose && preclose[cal.start[k] * N + j] === preclose[cal.start[k] * N + j]) {
      // Daily data's preclose is the exchange's own reference price, already ex-dividend.
      ref = preclose[cal.start[k] * N + j];
    } else {
      for (let q = k - 1; q >= 0; q--) {
        const c = lastClose[q * N + j];
        if (c === c) {
          // The exchange sets limits from the ex-dividend reference price; the adjustment factors give it.
          const a0 = dayAdj[q * N + j];
          const a1 = dayAdj[k * N + j];
          ref = a0 === a0 && a1 === a1 && a1 > 0 ? (c * a0) / a1 : c;
          break;
        }
      }
    }
    if (!(ref > 0)) return false; // first day on record: no reference price, no limit to be locked at
    const { up, down } = limitCents(ref, limitPct(panel.codes[j], cal.days[k], dayST[k * N + j] === 1));
    let bars = 0;
    for (let t = win.from[k]; t < win.to[k]; t++) {
      const c = t * N + j;
      const hi = high[c];
      const lo = low[c];
      if (hi !== hi || lo !== lo) continue;
      const hc = Math.round(hi * 100);
      if (hc !== Math.round(lo * 100) || (hc !== up && hc !== down)) return false;
      bars++;
    }
    return bars > 0;
  };

  const values = new Float32Array(D * N).fill(NaN);
  const dropped = { noBars: 0, limitLocked: 0, noPrice: 0, total: 0 };
  let counted = 0;
  for (let d = 0; d + 1 + h < D; d++) {
    const e = d + 1;
    const x = d + 1 + h;
    for (let j = 0; j < N; j++) {
      const observed = traded[d * N + j] === 1;
      if (observed) counted++;
      let reason: 'noBars' | 'limitLocked' | 'noPrice' | undefined;
      if (!traded[e * N + j] || !traded[x * N + j]) reason = 'noBars';
      else if (locked(e, j) || locked(x, j)) reason = 'limitLocked';
      else {
        let pe = px[e * N + j];
        let px1 = px[x * N + j];
        if (adj) {
          pe *= dayAdj[e * N + j];
          px1 *= dayAdj[x * N + j];
        }
        if (!(pe > 0) || !(px1 > 0)) reason = 'noPrice';
        else values[d * N + j] = px1 / pe - 1;
      }
      if (reason && observed) {
        dropped[reason]++;
        dropped.total++;
      }
    }
  }
  return { days: [...cal.days], codes: panel.codes, values, price, horizon: h, dropped, counted };
}
