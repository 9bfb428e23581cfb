/**
 * Factors kept ranked, for the miner's pool rule: every candidate that passes validation is compared with every
 * pool member by the exact factor correlation (mean over days of the pairwise-complete cross-sectional Spearman
 * correlation, the rule of `factorCorrelation` in metrics.ts). Computing that as `factorCorrelation` of the whole
 * pool plus the candidate re-sorted every member on every day and correlated every pair of members again, so one
 * candidate against a pool of 80 on the real panel took over a second and the pool, not the scoring, set the
 * pace of a mine. Here a factor is ranked once, when it is made (`rankDays`), and a pair costs one pass over its
 * stock-days (`rankCorrelation`), or less when the question is only whether it exceeds the cap
 * (`correlatedAbove`).
 *
 * A factor-day is stored as twice each stock's average rank among the day's finite values (integers 2..2n; 0
 * where the value is missing or infinite, as the correlation kernels treat it), with the day's count and sum of
 * squared deviations. Twice the ranks are integers, so sums of their products are exact in float64. Two factors
 * with the same valid stocks on a day are correlated from those keys directly; otherwise each side is re-ranked
 * on the stocks both have from its keys alone (equal keys are equal values, and the keys' order is the values'
 * order): its keys shift by the keys of the stocks the other side lacks, usually a handful, which are sorted (or
 * counted, when many).
 */
import { averageRanks } from '../../kernels/cpu/daily_metrics.ts';
import { bitsOf, FloatSorter } from '../../kernels/cpu/radix_sort.ts';

/** One factor's days `first..last` of a `[D, N]` panel, ranked. */
export interface RankedDays {
  readonly N: number;
  readonly first: number;
  readonly last: number;
  /** `[last - first + 1, N]`: 2 x average rank among the day's finite values, 0 where missing. */
  readonly keys: Uint16Array | Uint32Array;
  /** Finite values per day. */
  readonly count: Int32Array;
  /** Per day: sum over stocks of (key - (n + 1))^2 (0 for a constant day), exact. */
  readonly spread: Float64Array;
}

/** Ranks days `first..last` (inclusive) of a factor's daily values `[D, N]`. */
export function rankDays(daily: Float32Array, D: number, N: number, first: number, last: number): RankedDays {
  if (daily.length !== D * N) throw new RangeError(`rankDays: ${daily.length} values, expected ${D} x ${N}`);
  if (!(Number.isInteger(first) && Number.isInteger(last) && first >= 0 && last < D && first <= last)) {
    throw new RangeError(`rankDays: days ${first}..${last} outside 0..${D - 1}`);
  }
  const days = last - first + 1;
  // Keys go up to 2N: two bytes while that fits.
  const keys = 2 * N <= 0xffff ? new Uint16Array(days * N) : new Uint32Array(days * N);
  const count = new Int32Array(days);
  const spread = new Float64Array(days);
  const bits = bitsOf(daily);
  const sorter = new FloatSorter(N);
  const idx = new Int32Array(N);
  const rank = new Float64Array(N);
  for (let k = 0; k < days; k++) {
    const off = (first + k) * N;
    let n = 0;
    for (let j = 0; j < N; j++) if (Number.isFinite(daily[off + j])) idx[n++] = j;
    count[k] = n;
    if (n === 0) continue;
    averageRanks(daily, off, sorter.sort(bits, off, idx, n), n, rank);
    let sq = 0;
    for (let i = 0; i < n; i++) {
      const key = 2 * rank[idx[i]];
      keys[k * N + idx[i]] = key;
      sq += key * key;
    }
    spread[k] = sq - n * (n + 1) ** 2;
  }
  return { N, first, last, keys, count, spread };
}

/**
 * The same from keys worked out elsewhere (a device's `rank` kernel, src/eval/scorer.ts `rankKeysTensor`):
 * `keys` `[last - first + 1, N]` float32, twice the average ranks, 0 where missing. Each day's keys must sum to
 * n (n + 1), as ranks 1..n do, and be whole numbers within 2..2n; a day that does not is refused, so that wrong
 * ranks from a device never reach the pool rule.
 */
export function rankedFromKeys(keys: Float32Array, N: number, first: number, last: number): RankedDays {
  const days = last - first + 1;
  if (!(Number.isInteger(first) && first >= 0 && days >= 1) || keys.length !== days * N) {
    throw new RangeError(`rankedFromKeys: ${keys.length} keys for days ${first}..${last} of ${N} stocks`);
  }
  const out = 2 * N <= 0xffff ? new Uint16Array(days * N) : new Uint32Array(days * N);
  const count = new Int32Array(days);
  const spread = new Float64Array(days);
  for (let k = 0; k < days; k++) {
    let n = 0, sum = 0, sq = 0, bad = false;
    for (let j = k * N, e = j + N; j < e; j++) {
      const key = keys[j]!;
      if (key === 0) continue;
      if (!(Number.isInteger(key) && key >= 2 && key <= 2 * N)) bad = true;
      out[j] = key;
      n++;
      sum += key;
      sq += key * key;
    }
    if (bad || sum !== n * (n + 1)) throw new RangeError(`rankedFromKeys: day ${first + k}'s keys are not twice the ranks of ${n} stocks (they sum to ${sum}, expected ${n * (n + 1)})`);
    count[k] = n;
    spread[k] = sq - n * (n + 1) ** 2;
  }
  return { N, first, last, keys: out, count, spread };
}

/** Scratch for `rankCorrelation`'s re-ranking of days whose valid stocks differ; reuse it across calls. */
export class RankScratch {
  dropA = new Int32Array(0);
  dropB = new Int32Array(0);
  shiftA = new Int32Array(0);
  shiftB = new Int32Array(0);
  constructor(N = 0) {
    this.fit(N);
  }
  /** Room for N stocks. */
  fit(N: number): void {
    if (this.dropA.length >= N) return;
    this.dropA = new Int32Array(N);
    this.dropB = new Int32Array(N);
    this.shiftA = new Int32Array(2 * N + 1);
    this.shiftB = new Int32Array(2 * N + 1);
  }
}

/**
 * Exact factor correlation of two ranked factors over their days: the mean over days of the Spearman correlation
 * on the stocks both have, counting a day when at least `minStocks` stocks have both and neither factor is
 * constant on them; NaN when no day counts. Equals `factorCorrelation`'s cell for the pair over the same days.
 */
export function rankCorrelation(a: RankedDays, b: RankedDays, minStocks: number, scratch: RankScratch = new RankScratch()): number {
  return meanCorrelation(a, b, minStocks, scratch, -1);
}

/**
 * Whether |rankCorrelation(a, b, minStocks)| > threshold, the pool rule's question, answered as soon as the days
 * left cannot change it: with a sum S over u counted days and r days to go (each a correlation in [-1, 1], or not
 * counted), the final mean lies between (|S| - r) / (u + r) and (|S| + r) / (u + r). A pair far below the
 * threshold (most of a pool) is settled after about half its days. Answers within 1e-9 of the threshold wait for
 * the last day, so the answer is the full computation's.
 */
export function correlatedAbove(a: RankedDays, b: RankedDays, minStocks: number, threshold: number, scratch: RankScratch = new RankScratch()): boolean {
  return Math.abs(meanCorrelation(a, b, minStocks, scratch, threshold)) > threshold;
}

/**
 * The mean daily correlation; with a `threshold` >= 0, 0 or Infinity as soon as the days left cannot take its
 * magnitude above, or back to, the threshold. One loop for both, the day's work written out in it: as a
 * function of its own it ran half as fast on days whose valid stocks differ.
 */
function meanCorrelation(a: RankedDays, b: RankedDays, minStocks: number, scratch: RankScratch, threshold: number): number {
  if (a.N !== b.N || a.first !== b.first || a.last !== b.last) {
    throw new RangeError(`rankCorrelation: days ${a.first}..${a.last} of ${a.N} stocks against ${b.first}..${b.last} of ${b.N}`);
  }
  const N = a.N;
  scratch.fit(N);
  const { dropA, dropB } = scratch;
  const ka = a.keys, kb = b.keys;
  const least = Math.max(2, minStocks);
  const below = threshold - 1e-9, above = threshold + 1e-9;
  let sum = 0;
  let used = 0;
  for (let k = 0, days = a.count.length; k < days; k++) {
    const na = a.count[k]!, nb = b.count[k]!;
    let c = NaN;
    if (na >= least && nb >= least) {
      const off = k * N;
      let dot = 0;
      let m = 0, da = 0, db = 0;
      // The keys of the stocks only one side has are kept: they say how that side's ranks shift on the others.
      for (let j = off, e = off + N; j < e; j++) {
        const x = ka[j]!, y = kb[j]!;
        dot += x * y;
        if (x !== 0) {
          if (y !== 0) m++;
          else dropA[da++] = x;
        } else if (y !== 0) dropB[db++] = y;
      }
      if (m >= least) {
        if (da > 0 || db > 0) c = commonCorrelation(ka, kb, off, N, na, nb, m, da, db, scratch);
        // The mean key is n + 1 on n stocks, so the centred cross sum is dot - m (m + 1)^2.
        else if (a.spread[k] !== 0 && b.spread[k] !== 0) c = (dot - m * (m + 1) ** 2) / Math.sqrt(a.spread[k]! * b.spread[k]!);
      }
    }
    if (!Number.isNaN(c)) {
      sum += c;
      used++;
    }
    const left = days - 1 - k;
    if (threshold >= 0 && left > 0) {
      const s = Math.abs(sum);
      if (s + left < below * (used + left)) return 0;
      if (s - left > above * (used + left)) return Infinity;
    }
  }
  return used > 0 ? sum / used : NaN;
}

/**
 * Spearman correlation of one day on the m stocks both factors have (their masks differ), NaN when either is
 * constant there. On those stocks a side's key drops by twice the number of its left-out stocks with smaller keys
 * plus the number with an equal key (twice the average rank among the rest): a step function of the key, made
 * into a table from the left-out keys, sorted.
 */
function commonCorrelation(ka: Uint16Array | Uint32Array, kb: Uint16Array | Uint32Array, off: number, N: number, na: number, nb: number, m: number, da: number, db: number, scratch: RankScratch): number {
  const ta = da > 0 ? shiftTable(scratch.dropA, da, na, scratch.shiftA) : null;
  const tb = db > 0 ? shiftTable(scratch.dropB, db, nb, scratch.shiftB) : null;
  let dot = 0, sa = 0, sb = 0;
  for (let j = off, e = off + N; j < e; j++) {
    const x = ka[j]!, y = kb[j]!;
    if (x === 0 || y === 0) continue;
    const rx = ta ? x - ta[x]! : x;
    const ry = tb ? y - tb[y]! : y;
    dot += rx * ry;
    sa += rx * rx;
    sb += ry * ry;
  }
  const centre = m * (m + 1) ** 2;
  sa -= centre;
  sb -= centre;
  if (sa === 0 || sb === 0) return NaN;
  return (dot - centre) / Math.sqrt(sa * sb);
}

/** The shift of every key 0..2n of a side with n stocks whose left-out keys are drop[0..d). */
function shiftTable(drop: Int32Array, d: number, n: number, table: Int32Array): Int32Array {
  const top = 2 * n;
  if (d <= SORTED_DROPS) {
    // A few left out (the usual case): sort them and fill the steps between them.
    const left = drop.subarray(0, d).sort();
    let from = 0;
    for (let i = 0; i < d; ) {
      const key = left[i]!;
      let e = i + 1;
      while (e < d && left[e] === key) e++;
      table.fill(2 * i, from, key);
      table[key] = 2 * i + (e - i);
      from = key + 1;
      i = e;
    }
    table.fill(2 * d, from, top + 1);
    return table;
  }
  // Many: count them by key, then a running sum.
  table.fill(0, 0, top + 1);
  for (let i = 0; i < d; i++) table[drop[i]!]++;
  let below = 0;
  for (let key = 0; key <= top; key++) {
    const c = table[key]!;
    table[key] = 2 * below + c;
    below += c;
  }
  return table;
}

/** Up to this many left-out stocks a shift table is made by sorting them, above it by counting. */
const SORTED_DROPS = 64;
