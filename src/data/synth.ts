/**
 * The built-in synthetic market: a seeded generator of A-share-like intraday bars (market, industry and
 * idiosyncratic returns with GARCH volatility and Student-t tails, U-shaped intraday profiles, ±10 % price
 * limits, suspensions, a spread of sizes) with alpha factors planted in the returns, so factor mining can be
 * tried and checked without real data: the generator reports what IC a perfect miner would find. The model
 * and its parameters are described in docs/synthetic_market.md. Everything random comes from one mulberry32
 * stream, consumed in a fixed order, so a seed fully determines the market.
 */
import { makePanel, type Panel } from './panel.ts';
import { computeLabels, dailyFactor, limitCents } from './labels.ts';
import { mulberry32, type Rng } from '../util/rng.ts';
import { parse } from '../expr/parse.ts';
import { print } from '../expr/print.ts';
import { lookback } from '../expr/analyze.ts';
import type { Node } from '../expr/ast.ts';
import { getOp } from '../ops/table.ts';

export interface SynthOptions {
  /** Number of stocks (default 300). */
  stocks?: number;
  /** Number of trading days (default 500). */
  days?: number;
  /** Bars per trading day (default 8 = 30-minute bars). */
  barsPerDay?: number;
  /** Number of industries (default 20). */
  industries?: number;
  /** Seed of the one random stream (default 1). */
  seed?: number;
  /** First calendar day (YYYY-MM-DD; moved forward to a weekday). Default 2025-01-02. */
  startDate?: string;
  /** Expressions to plant (default DEFAULT_PLANTED; [] for a market with no alpha). */
  planted?: readonly string[];
  /** Daily log return per unit of demeaned rank, one for all or one per planted expression. */
  strength?: number | readonly number[];
  /** Probability that a trading stock starts a suspension on a given day (default 0.002). */
  suspendRate?: number;
  /** Daily price limit as a fraction of the previous close (default 0.1). */
  limit?: number;
}

export interface PlantedAlpha {
  /** Canonical text of the planted expression. */
  expr: string;
  /** Daily log return per unit of demeaned rank (rank in [0, 1] minus 0.5). */
  strength: number;
  /** Mean over days of the cross-sectional Spearman correlation between the factor and the label. */
  realisedRankIC: number;
}

export interface SyntheticMarket {
  panel: Panel;
  attributes: { codes: string[]; industry: string[]; floatShares: Float64Array };
  planted: PlantedAlpha[];
  seed: number;
}

/**
 * Planted by default. Their cross-sectional ranks change from day to day, so shuffling days destroys their IC;
 * `covariance(12,amount,high)` also plants, but its rank leans persistently on size and price (amount = volume x
 * price), so part of its IC survives shuffling and it is left out of the defaults.
 */
export const DEFAULT_PLANTED: readonly string[] = ['stddev(6,delta(11,log(volume)))', 'sub(close,ts_Mean(8,low))'];
export const DEFAULT_STRENGTH = 0.004;

const TICK = 0.01;
/** Student-t degrees of freedom of every shock: fat tails with finite variance. */
const NU = 5;
const T_SCALE = Math.sqrt((NU - 2) / NU);
/** Share of a day's return variance that arrives overnight (in the opening gap). */
const OVERNIGHT_SHARE = 0.15;
const GARCH_A = 0.08;
const GARCH_B = 0.9;

/** Standard normal and unit-variance Student-t draws from one uniform stream. */
class Draws {
  private spare = NaN;
  constructor(readonly u: Rng) {}
  normal(): number {
    if (this.spare === this.spare) {
      const s = this.spare;
      this.spare = NaN;
      return s;
    }
    let a = this.u();
    while (a <= 1e-300) a = this.u();
    const r = Math.sqrt(-2 * Math.log(a));
    const th = 2 * Math.PI * this.u();
    this.spare = r * Math.sin(th);
    return r * Math.cos(th);
  }
  /** Bailey's polar method: an exact t(NU) draw from one accepted pair of uniforms, scaled to variance 1. */
  t(): number {
    for (;;) {
      const a = 2 * this.u() - 1;
      const b = 2 * this.u() - 1;
      const w = a * a + b * b;
      if (w > 0 && w < 1) return a * Math.sqrt((NU * (Math.pow(w, -2 / NU) - 1)) / w) * T_SCALE;
    }
  }
}

/** Weekdays from `start` (inclusive), as YYYY-MM-DD. Holidays are not modelled. */
export function weekdays(start: string, count: number): string[] {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(start);
  if (!m) throw new RangeError(`startDate must be YYYY-MM-DD, got '${start}'`);
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  const out: string[] = [];
  while (out.length < count) {
    const wd = d.getUTCDay();
    if (wd !== 0 && wd !== 6) out.push(d.toISOString().slice(0, 10));
    d.setUTCDate(d.getUTCDate() + 1);
  }
  return out;
}

/**
 * Bar END times of one A-share day split into `bars` equal bars: 9:30-11:30 and 13:00-15:00 make 240 trading
 * minutes, so 8 bars end at 10:00 … 11:30, 13:30 … 15:00 and one bar ends at 15:00.
 */
export function barEndTimes(bars: number): string[] {
  const out: string[] = [];
  for (let k = 0; k < bars; k++) {
    const secs = Math.round((240 * 60 * (k + 1)) / bars);
    // A bar ending exactly at 11:30 belongs to the morning; later ends continue from 13:00.
    const clock = secs <= 120 * 60 ? 9.5 * 3600 + secs : 13 * 3600 + secs - 120 * 60;
    const h = Math.floor(clock / 3600);
    const mi = Math.floor((clock % 3600) / 60);
    const s = clock % 60;
    out.push(`${String(h).padStart(2, '0')}:${String(mi).padStart(2, '0')}:${String(s).padStart(2, '0')}`);
  }
  return out;
}

/** `n` stock codes in ascending order: Shanghai 600000.SH upward. */
export function stockCodes(n: number): string[] {
  return Array.from({ length: n }, (_, j) => `${600000 + j}.SH`);
}

/** Evaluates a tree with the operators' host kernels directly: synchronous, no tensors, same numbers as tfjs cpu. */
export function evaluateHost(node: Node, fields: ReadonlyMap<string, Float32Array>, T: number, N: number, memo = new Map<string, Float32Array>()): Float32Array {
  const key = print(node);
  const hit = memo.get(key);
  if (hit) return hit;
  let out: Float32Array;
  if (node.kind === 'field') {
    const v = fields.get(node.name);
    if (!v) throw new Error(`field '${node.name}' is not generated`);
    out = v;
  } else if (node.kind === 'const') {
    out = new Float32Array(T * N).fill(node.value);
  } else {
    const xs = node.args.map((a) => evaluateHost(a, fields, T, N, memo));
    out = new Float32Array(T * N);
    getOp(node.op).kernels.cpu({ xs, T, N, window: node.window ?? 0, out });
  }
  memo.set(key, out);
  return out;
}

/** Ranks of the finite values scaled to [0, 1] (ties averaged); NaN stays NaN; all NaN when fewer than 2. */
export function rankUnit(values: ArrayLike<number>): Float64Array {
  const n = values.length;
  const idx: number[] = [];
  for (let j = 0; j < n; j++) if (Number.isFinite(values[j])) idx.push(j);
  const out = new Float64Array(n).fill(NaN);
  if (idx.length < 2) return out;
  idx.sort((a, b) => values[a] - values[b]);
  const m = idx.length;
  for (let i = 0; i < m; ) {
    let k = i;
    while (k + 1 < m && values[idx[k + 1]] === values[idx[i]]) k++;
    const r = (i + k) / 2 / (m - 1);
    for (let q = i; q <= k; q++) out[idx[q]] = r;
    i = k + 1;
  }
  return out;
}

/**
 * Mean over days of the cross-sectional Spearman correlation of two `[D, N]` matrices, over the stocks where
 * both are finite; days with fewer than `minStocks` such stocks (or a constant side) are skipped.
 */
export function meanRankIC(factor: Float32Array, label: Float32Array, D: number, N: number, minStocks = 10): number {
  let sum = 0;
  let days = 0;
  const fa: number[] = [];
  const la: number[] = [];
  for (let d = 0; d < D; d++) {
    fa.length = 0;
    la.length = 0;
    for (let j = 0; j < N; j++) {
      const f = factor[d * N + j];
      const l = label[d * N + j];
      if (Number.isFinite(f) && Number.isFinite(l)) {
        fa.push(f);
        la.push(l);
      }
    }
    if (fa.length < minStocks) continue;
    const rf = rankUnit(fa);
    const rl = rankUnit(la);
    let sf = 0, sl = 0;
    for (let i = 0; i < fa.length; i++) {
      sf += rf[i];
      sl += rl[i];
    }
    sf /= fa.length;
    sl /= fa.length;
    let cov = 0, vf = 0, vl = 0;
    for (let i = 0; i < fa.length; i++) {
      cov += (rf[i] - sf) * (rl[i] - sl);
      vf += (rf[i] - sf) ** 2;
      vl += (rl[i] - sl) ** 2;
    }
    if (vf > 0 && vl > 0) {
      sum += cov / Math.sqrt(vf * vl);
      days++;
    }
  }
  return days ? sum / days : NaN;
}

/**
 * Price rounded to the 0.01 tick. Dividing the whole number of cents by 100 is correctly rounded, so this is the
 * very double that parsing the 2-decimal text gives (and much cheaper than going through toFixed).
 */
const tick2 = (p: number): number => Math.round(p * 100) / 100;
const clamp = (p: number, lo: number, hi: number): number => (p < lo ? lo : p > hi ? hi : p);

/** Generates a market; see SynthOptions for the knobs and docs/synthetic_market.md for the model. */
export function generateMarket(opts: SynthOptions = {}): SyntheticMarket {
  const N = opts.stocks ?? 300;
  const D = opts.days ?? 500;
  const B = opts.barsPerDay ?? 8;
  const K = opts.industries ?? 20;
  const seed = opts.seed ?? 1;
  const limit = opts.limit ?? 0.1;
  const suspendRate = opts.suspendRate ?? 0.002;
  for (const [name, v] of [['stocks', N], ['days', D], ['barsPerDay', B], ['industries', K]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`${name} must be a positive whole number, got ${v}`);
  }
  const plantedText = opts.planted ?? DEFAULT_PLANTED;
  const nodes = plantedText.map((s) => parse(s));
  const strengths = nodes.map((_, k) => {
    const s = opts.strength ?? DEFAULT_STRENGTH;
    return typeof s === 'number' ? s : (s[k] ?? DEFAULT_STRENGTH);
  });
  const rng = mulberry32(seed);
  const draw = new Draws(rng);

  // ---- per-stock constants -------------------------------------------------------------------------------
  const codes = stockCodes(N);
  const industryNames = Array.from({ length: K }, (_, k) => `IND${String(k + 1).padStart(2, '0')}`);
  const industryOf = new Int32Array(N);
  const floatShares = new Float64Array(N);
  const size = new Float64Array(N); // standardised log float shares
  const beta = new Float64Array(N);
  const gamma = new Float64Array(N);
  const idioVar = new Float64Array(N); // long-run daily idiosyncratic variance
  const baseVolume = new Float64Array(N); // expected shares traded per day
  const logPrice = new Float64Array(N);
  const SIZE_SD = 0.9;
  for (let j = 0; j < N; j++) {
    industryOf[j] = Math.floor(rng() * K);
    size[j] = draw.normal();
    floatShares[j] = Math.round(Math.exp(Math.log(4e8) + SIZE_SD * size[j]) / 1e4) * 1e4;
    beta[j] = Math.min(1.8, Math.max(0.3, 1 + 0.25 * draw.normal()));
    gamma[j] = Math.min(1.6, Math.max(0.4, 1 + 0.2 * draw.normal()));
    // Bigger stocks are calmer and trade a smaller share of their float, but more shares in all.
    const vol = 0.02 * Math.exp(-0.2 * size[j] + 0.15 * draw.normal());
    idioVar[j] = vol * vol;
    baseVolume[j] = floatShares[j] * 0.012 * Math.exp(-0.15 * size[j] + 0.3 * draw.normal());
    logPrice[j] = Math.log(Math.min(150, Math.max(3, Math.exp(Math.log(12) + 0.6 * draw.normal()))));
  }

  // ---- intraday profiles ----------------------------------------------------------------------------------
  // Variance and volume are U-shaped over the day: busy at the open and into the close.
  const varShare = new Float64Array(B);
  const volShare = new Float64Array(B);
  {
    let sv = 0, sq = 0;
    for (let b = 0; b < B; b++) {
      const x = B === 1 ? 0 : (2 * b) / (B - 1) - 1;
      varShare[b] = 1 + 1.2 * x * x + (b === 0 ? 0.6 : 0);
      volShare[b] = 1 + 1.5 * x * x + (b === 0 ? 0.8 : 0);
      sv += varShare[b];
      sq += volShare[b];
    }
    for (let b = 0; b < B; b++) {
      varShare[b] *= (1 - OVERNIGHT_SHARE) / sv;
      volShare[b] /= sq;
    }
  }

  // ---- panel arrays ---------------------------------------------------------------------------------------
  const days = weekdays(opts.startDate ?? '2025-01-02', D);
  const clock = barEndTimes(B);
  const times: string[] = [];
  for (const d of days) for (const c of clock) times.push(`${d} ${c}`);
  const T = D * B;
  const mk = () => new Float32Array(T * N).fill(NaN);
  const open = mk(), high = mk(), low = mk(), close = mk(), volume = mk(), amount = mk(), vwap = mk();
  const fields = new Map<string, Float32Array>([
    ['open', open], ['high', high], ['low', low], ['close', close], ['volume', volume], ['amount', amount], ['vwap', vwap],
  ]);

  // ---- state ----------------------------------------------------------------------------------------------
  const MKT_VAR = 0.011 ** 2;
  const IND_SD = 0.007;
  let mktH = MKT_VAR;
  const h = Float64Array.from(idioVar);
  const activity = new Float64Array(N); // log volume multiplier, persistent
  const lastClose = new Float64Array(N);
  for (let j = 0; j < N; j++) lastClose[j] = tick2(Math.exp(logPrice[j]));
  // Limits are set from the previous trading day's close (the last traded one for a resumed stock).
  const refClose = Float64Array.from(lastClose);
  const suspendLeft = new Int32Array(N);
  // Planted drift queued by the signals of the last two days: sig1 = yesterday's, sig2 = the day before's.
  let sig1 = new Float64Array(N);
  let sig2 = new Float64Array(N);
  // Bars inside the labels' first-30-minute execution window (at least the first bar), and the pieces (the gap
  // plus the bars after that window) a signal's drift is spread over.
  const execBars = Math.max(1, Math.floor((30 * B) / 240 + 1e-9));
  const driftUnits = 1 + B - execBars;
  const needRows = nodes.map((n) => lookback(n) + 1 + B);
  const maxRows = Math.max(0, ...needRows);
  const indShock = new Float64Array(K);
  const idioDay = new Float64Array(N);
  const suspended = new Uint8Array(N);

  for (let d = 0; d < D; d++) {
    for (let j = 0; j < N; j++) {
      if (suspendLeft[j] > 0) suspendLeft[j]--;
      else if (rng() < suspendRate) suspendLeft[j] = 1 + Math.floor(-Math.log(1 - rng()) * 2);
      suspended[j] = suspendLeft[j] > 0 ? 1 : 0;
      activity[j] = 0.75 * activity[j] + 0.25 * draw.normal();
      idioDay[j] = 0;
    }
    let mktDay = 0;
    // Part 0 is the overnight gap, parts 1..B the bars; each draws its own market, industry and own shocks.
    for (let part = 0; part <= B; part++) {
      const share = part === 0 ? OVERNIGHT_SHARE : varShare[part - 1];
      const m = Math.sqrt(mktH * share) * draw.t();
      mktDay += m;
      for (let k = 0; k < K; k++) indShock[k] = IND_SD * Math.sqrt(share) * draw.t();
      const b = part - 1;
      const t = d * B + b;
      for (let j = 0; j < N; j++) {
        const e = Math.sqrt(h[j] * share) * draw.t();
        idioDay[j] += e;
        // Drift of a planted signal lands only between the next two execution windows (the first 30 minutes
        // of each day): the gap carries the day-before-yesterday's signal, bars after the window yesterday's.
        const drift = part === 0 ? sig2[j] / driftUnits : b >= execBars ? sig1[j] / driftUnits : 0;
        const r = beta[j] * m + gamma[j] * indShock[industryOf[j]] + e + drift;
        const prevLatent = logPrice[j];
        logPrice[j] += r;
        if (suspended[j] || part === 0) continue;
        const prev = lastClose[j];
        const dayRef = refClose[j];
        const lim = limitCents(dayRef, limit * 100);
        const up = lim.up / 100;
        const dn = lim.down / 100;
        const o = b === 0 ? clamp(tick2(Math.exp(prevLatent)), dn, up) : prev;
        const c = clamp(tick2(Math.exp(logPrice[j])), dn, up);
        const sBar = Math.sqrt((beta[j] * beta[j] * mktH + h[j]) * share);
        let hi: number, lo: number, vol: number;
        const z = Math.abs(r) / sBar;
        const base = baseVolume[j] * volShare[b] * Math.exp(activity[j] + 0.3 * draw.normal() - 0.045) * (0.45 + 0.55 * z);
        const ex1 = Math.abs(draw.normal()) * sBar * 0.5;
        const ex2 = Math.abs(draw.normal()) * sBar * 0.5;
        if (o === c && (o === up || o === dn)) {
          // Locked at the limit: one price all bar and little trading (queues on one side).
          hi = lo = o;
          vol = base * 0.1;
        } else {
          hi = clamp(tick2(Math.max(o, c) * Math.exp(ex1)), dn, up);
          lo = clamp(tick2(Math.min(o, c) * Math.exp(-ex2)), dn, up);
          vol = base;
        }
        hi = Math.max(hi, o, c);
        lo = Math.max(TICK, Math.min(lo, o, c));
        const v = Math.max(100, Math.round(vol / 100) * 100);
        // Bar VWAP: between the body's midpoint and the range's, inside [low, high].
        const mid = 0.5 * (o + c) * 0.6 + 0.5 * (hi + lo) * 0.4 + (hi - lo) * 0.1 * (rng() - 0.5);
        const vw = Math.min(hi, Math.max(lo, mid));
        const amt = Math.round(v * vw * 100) / 100;
        const cell = t * N + j;
        open[cell] = o;
        high[cell] = hi;
        low[cell] = lo;
        close[cell] = c;
        volume[cell] = v;
        amount[cell] = amt;
        vwap[cell] = amt / v;
        lastClose[j] = c;
      }
    }
    // Daily GARCH(1,1) updates from the day's realised shocks.
    mktH = MKT_VAR * (1 - GARCH_A - GARCH_B) + GARCH_A * mktDay * mktDay + GARCH_B * mktH;
    for (let j = 0; j < N; j++) {
      h[j] = idioVar[j] * (1 - GARCH_A - GARCH_B) + GARCH_A * idioDay[j] * idioDay[j] + GARCH_B * h[j];
      if (!suspended[j]) refClose[j] = lastClose[j];
    }

    // Planted signals of day d, from the trailing bars only (up to day d's close).
    const next = new Float64Array(N);
    const tEnd = (d + 1) * B;
    if (nodes.length && tEnd >= 1) {
      const rows = Math.min(tEnd, maxRows);
      const win = new Map<string, Float32Array>();
      for (const [name, arr] of fields) win.set(name, arr.subarray((tEnd - rows) * N, tEnd * N));
      const memo = new Map<string, Float32Array>();
      nodes.forEach((node, k) => {
        if (tEnd < needRows[k] - B) return;
        const vals = evaluateHost(node, win, rows, N, memo).subarray((rows - 1) * N, rows * N);
        const rk = rankUnit(vals);
        for (let j = 0; j < N; j++) if (rk[j] === rk[j]) next[j] += strengths[k] * (rk[j] - 0.5);
      });
    }
    sig2 = sig1;
    sig1 = next;
  }

  const panel = makePanel(times, codes, fields);
  const planted: PlantedAlpha[] = [];
  if (nodes.length) {
    const labels = computeLabels(panel);
    const Dl = labels.days.length;
    for (let k = 0; k < nodes.length; k++) {
      const full = evaluateHost(nodes[k], fields, T, N);
      const daily = dailyFactor(panel, full);
      planted.push({ expr: print(nodes[k]), strength: strengths[k], realisedRankIC: meanRankIC(daily, labels.values, Dl, N) });
    }
  }
  return {
    panel,
    attributes: { codes, industry: Array.from(industryOf, (k) => industryNames[k]), floatShares },
    planted,
    seed,
  };
}
