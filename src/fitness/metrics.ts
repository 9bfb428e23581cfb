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
 * Speed: the label is sorted and ranked once per day and shared by every factor whose stocks cover it; each
 * factor-day is one radix sort of the float32 bit patterns followed by linear walks (ranks, qcut, sums), so 97
 * factors × 300 days × 300 stocks take about 0.5 s on two shared cores (bench/metrics_bench.ts). Everything is a
 * plain per-day loop so a GPU kernel can mirror it later.
 */

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

interface Resolved {
  q: number;
  minStocks: number;
  first: number;
  last: number;
}

function resolve(D: number, opts: MetricOptions | undefined): Resolved {
  const q = Math.max(1, Math.floor(opts?.groups ?? 5));
  const minStocks = Math.max(2, Math.floor(opts?.minStocks ?? 10));
  let first = 0;
  let last = D - 1;
  if (opts?.rows) {
    first = Math.max(0, Math.floor(opts.rows[0]));
    last = Math.min(D - 1, Math.floor(opts.rows[1]));
  }
  return { q, minStocks, first, last };
}

/**
 * Sorting scratch: an LSD radix sort (four 8-bit passes, constant bytes skipped) of the float32 values'
 * order-preserving bit patterns, carrying stock indices. A few hundred keys per factor-day make this several times
 * faster than a native typed-array sort, and it is the shape a GPU kernel would use too.
 */
class Sorter {
  private readonly ka: Uint32Array;
  private readonly kb: Uint32Array;
  private readonly ia: Int32Array;
  private readonly ib: Int32Array;
  private readonly count = new Int32Array(256 * 4);
  private lastV: Float32Array | null = null;
  private lastBits: Uint32Array<ArrayBufferLike> = new Uint32Array(0);

  constructor(N: number) {
    this.ka = new Uint32Array(N);
    this.kb = new Uint32Array(N);
    this.ia = new Int32Array(N);
    this.ib = new Int32Array(N);
  }

  /** Sorts stocks idx[0..n) by v[off + idx[i]] ascending into `out` (stock indices); v finite at those stocks. */
  sort(v: Float32Array, off: number, idx: Int32Array, n: number, out: Int32Array): void {
    // Reading the bits through a view of the same buffer avoids a float store and reload per key.
    if (v !== this.lastV) {
      this.lastV = v;
      this.lastBits = new Uint32Array(v.buffer, v.byteOffset, v.length);
    }
    const bits = this.lastBits;
    let ka = this.ka;
    let kb = this.kb;
    let ia = this.ia;
    let ib = this.ib;
    const count = this.count;
    count.fill(0);
    for (let i = 0; i < n; i++) {
      const j = idx[i];
      const b = bits[off + j];
      // Flip negatives entirely and set the sign bit of positives: unsigned order then equals numeric order.
      const u = b & 0x80000000 ? ~b >>> 0 : (b | 0x80000000) >>> 0;
      ka[i] = u;
      ia[i] = j;
      count[u & 255]++;
      count[256 + ((u >>> 8) & 255)]++;
      count[512 + ((u >>> 16) & 255)]++;
      count[768 + (u >>> 24)]++;
    }
    for (let p = 0; p < 4; p++) {
      const base = p * 256;
      const shift = p * 8;
      // A byte all keys share leaves the order unchanged.
      if (n === 0 || count[base + ((ka[0] >>> shift) & 255)] === n) continue;
      let sum = 0;
      for (let c = 0; c < 256; c++) {
        const t = count[base + c];
        count[base + c] = sum;
        sum += t;
      }
      for (let i = 0; i < n; i++) {
        const u = ka[i];
        const d = count[base + ((u >>> shift) & 255)]++;
        kb[d] = u;
        ib[d] = ia[i];
      }
      const tk = ka;
      ka = kb;
      kb = tk;
      const ti = ia;
      ia = ib;
      ib = ti;
    }
    for (let i = 0; i < n; i++) out[i] = ia[i];
  }
}

/** Each day's label-valid stocks sorted by label, computed once and shared by every factor. */
interface LabelOrder {
  order: Int32Array[];
  /** Average ranks by stock over the label-valid stocks, reused whenever a factor covers all of them. */
  rank: Float64Array[];
}

function labelOrder(label: Float32Array, N: number, r: Resolved, sorter: Sorter): LabelOrder {
  const order: Int32Array[] = [];
  const rank: Float64Array[] = [];
  const idx = new Int32Array(N);
  for (let k = r.first; k <= r.last; k++) {
    const off = k * N;
    let n = 0;
    for (let j = 0; j < N; j++) if (Number.isFinite(label[off + j])) idx[n++] = j;
    const out = new Int32Array(n);
    sorter.sort(label, off, idx, n, out);
    order.push(out);
    const rk = new Float64Array(N);
    averageRanks(label, off, out, n, rk);
    rank.push(rk);
  }
  return { order, rank };
}

/** Average 1-based ranks of the stocks in `ord` (sorted by v) written to rank[stock]; ties share their mean rank. */
function averageRanks(v: Float32Array, off: number, ord: Int32Array, n: number, rank: Float64Array): void {
  let i = 0;
  while (i < n) {
    const x = v[off + ord[i]];
    let e = i + 1;
    while (e < n && v[off + ord[e]] === x) e++;
    const r = (i + 1 + e) / 2;
    for (let t = i; t < e; t++) rank[ord[t]] = r;
    i = e;
  }
}

/** Per-factor results over the range, in raw (not direction-adjusted) group order. */
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

/** Reusable per-factor scratch so a population run allocates once. */
class Scratch {
  readonly idx: Int32Array;
  readonly ord: Int32Array;
  readonly rankF: Float64Array;
  readonly rankL: Float64Array;
  readonly group: Int32Array;
  /** Index of the last used day a stock was in raw group q / raw group 1 (stamps avoid clearing flags daily). */
  readonly prevTop: Int32Array;
  readonly prevBottom: Int32Array;
  readonly edges: Float64Array;
  readonly gSum: Float64Array;
  readonly gCnt: Int32Array;
  readonly sorter: Sorter;
  constructor(N: number, q: number, sorter: Sorter) {
    this.idx = new Int32Array(N);
    this.ord = new Int32Array(N);
    this.rankF = new Float64Array(N);
    this.rankL = new Float64Array(N);
    this.group = new Int32Array(N);
    this.prevTop = new Int32Array(N);
    this.prevBottom = new Int32Array(N);
    this.edges = new Float64Array(q + 1);
    this.gSum = new Float64Array(q);
    this.gCnt = new Int32Array(q);
    this.sorter = sorter;
  }
}

/** numpy's linear-interpolation lerp, including its t >= 0.5 form, so edges match pandas bit for bit. */
function lerp(a: number, b: number, t: number): number {
  const d = b - a;
  return t >= 0.5 ? b - d * (1 - t) : a + d * t;
}

/**
 * qcut groups (0-based) of the n stocks in `ord` (sorted by factor) into group[stock]; see the file header for
 * the tie fallback.
 */
function assignGroups(f: Float32Array, off: number, ord: Int32Array, n: number, q: number, s: Scratch): void {
  const edges = s.edges;
  for (let g = 0; g <= q; g++) {
    const pos = (n - 1) * (g / q);
    const lo = Math.floor(pos);
    const hi = Math.min(lo + 1, n - 1);
    edges[g] = lerp(f[off + ord[lo]], f[off + ord[hi]], pos - lo);
  }
  let distinct = true;
  for (let g = 0; g < q; g++) if (!(edges[g] < edges[g + 1])) distinct = false;
  const group = s.group;
  if (distinct) {
    let b = 0;
    for (let i = 0; i < n; i++) {
      const x = f[off + ord[i]];
      while (b < q - 1 && x > edges[b + 1]) b++;
      group[ord[i]] = b;
    }
    return;
  }
  let i = 0;
  while (i < n) {
    const x = f[off + ord[i]];
    let e = i + 1;
    while (e < n && f[off + ord[e]] === x) e++;
    const rq = ((i + e - 1) / 2) * q;
    let b = 0;
    for (let g = 1; g < q; g++) if (g * (n - 1) < rq) b++;
    for (let t = i; t < e; t++) group[ord[t]] = b;
    i = e;
  }
}

function runFactor(f: Float32Array, label: Float32Array, N: number, r: Resolved, lo: LabelOrder, s: Scratch): RawRun {
  const q = r.q;
  const nDays = Math.max(0, r.last - r.first + 1);
  const day = new Int32Array(nDays);
  const ic = new Float64Array(nDays);
  const rankIc = new Float64Array(nDays);
  const groups: Float64Array[] = [];
  for (let g = 0; g < q; g++) groups.push(new Float64Array(nDays));
  const market = new Float64Array(nDays);
  const turnTop = new Float64Array(nDays);
  const turnBottom = new Float64Array(nDays);
  const { idx, ord, rankF, group, prevTop, prevBottom, gSum, gCnt } = s;
  prevTop.fill(-1);
  prevBottom.fill(-1);
  let used = 0;
  let covered = 0;
  let havePrev = false;
  let prevTopN = 0;
  let prevBottomN = 0;
  for (let k = r.first; k <= r.last; k++) {
    const off = k * N;
    for (let j = 0; j < N; j++) if (Number.isFinite(f[off + j])) covered++;
    // Stocks with both values, in label order: label ranks come from a linear walk, not a sort.
    const lord = lo.order[k - r.first];
    let n = 0;
    let mf = 0;
    let ml = 0;
    for (let i = 0; i < lord.length; i++) {
      const j = lord[i];
      const x = f[off + j];
      if (Number.isFinite(x)) {
        idx[n++] = j;
        mf += x;
        ml += label[off + j];
      }
    }
    if (n < r.minStocks || label[off + idx[0]] === label[off + idx[n - 1]]) continue;
    s.sorter.sort(f, off, idx, n, ord);
    if (f[off + ord[0]] === f[off + ord[n - 1]]) continue;
    let rankL = lo.rank[k - r.first];
    if (n !== lord.length) {
      rankL = s.rankL;
      averageRanks(label, off, idx, n, rankL);
    }
    averageRanks(f, off, ord, n, rankF);

    mf /= n;
    ml /= n;
    const mr = (n + 1) / 2;
    let sxy = 0, sxx = 0, syy = 0, rxy = 0, rxx = 0, ryy = 0;
    for (let i = 0; i < n; i++) {
      const j = idx[i];
      const x = f[off + j] - mf;
      const y = label[off + j] - ml;
      sxy += x * y;
      sxx += x * x;
      syy += y * y;
      const a = rankF[j] - mr;
      const b = rankL[j] - mr;
      rxy += a * b;
      rxx += a * a;
      ryy += b * b;
    }

    assignGroups(f, off, ord, n, q, s);
    gSum.fill(0);
    gCnt.fill(0);
    // Turnover against the previous used day, for both possible top groups (direction is known only at the end).
    let stayTop = 0;
    let stayBottom = 0;
    for (let i = 0; i < n; i++) {
      const j = idx[i];
      const g = group[j];
      gSum[g] += label[off + j];
      gCnt[g]++;
      if (g === q - 1) {
        if (prevTop[j] === used - 1) stayTop++;
        prevTop[j] = used;
      }
      if (g === 0) {
        if (prevBottom[j] === used - 1) stayBottom++;
        prevBottom[j] = used;
      }
    }
    day[used] = k;
    ic[used] = sxy / Math.sqrt(sxx * syy);
    rankIc[used] = rxy / Math.sqrt(rxx * ryy);
    for (let g = 0; g < q; g++) groups[g][used] = gCnt[g] > 0 ? gSum[g] / gCnt[g] : NaN;
    market[used] = ml;

    const topN = gCnt[q - 1];
    const bottomN = gCnt[0];
    turnTop[used] = havePrev && prevTopN > 0 && topN > 0 ? 1 - stayTop / topN : NaN;
    turnBottom[used] = havePrev && prevBottomN > 0 && bottomN > 0 ? 1 - stayBottom / bottomN : NaN;
    prevTopN = topN;
    prevBottomN = bottomN;
    havePrev = true;
    used++;
  }
  return {
    days: used,
    skipped: nDays - used,
    coverage: nDays > 0 && N > 0 ? covered / (nDays * N) : NaN,
    day: day.slice(0, used),
    ic: ic.slice(0, used),
    rankIc: rankIc.slice(0, used),
    groups: groups.map((g) => g.slice(0, used)),
    market: market.slice(0, used),
    turnTop: turnTop.slice(0, used),
    turnBottom: turnBottom.slice(0, used),
  };
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
  const sorter = new Sorter(N);
  const lo = labelOrder(label, N, r, sorter);
  return summarize(runFactor(factor, label, N, r, lo, new Scratch(N, r.q, sorter)), r.q);
}

/** Many factors against one label in one pass (shares the label's per-day ranks and masks); summaries only. */
export function populationMetrics(factors: readonly Float32Array[], label: Float32Array, D: number, N: number, opts?: MetricOptions): FactorSummary[] {
  const r = resolve(D, opts);
  if (!checkShape(label, D, N)) return factors.map(() => summarize(emptyRun(r), r.q).summary);
  const sorter = new Sorter(N);
  const lo = labelOrder(label, N, r, sorter);
  const s = new Scratch(N, r.q, sorter);
  return factors.map((f) => summarize(checkShape(f, D, N) ? runFactor(f, label, N, r, lo, s) : emptyRun(r), r.q).summary);
}

/** rank_ic for horizons 1..H given labels per horizon. */
export function icDecay(factor: Float32Array, labelsByHorizon: readonly Float32Array[], D: number, N: number, opts?: MetricOptions): number[] {
  const r = resolve(D, opts);
  const sorter = new Sorter(N);
  const s = new Scratch(N, r.q, sorter);
  return labelsByHorizon.map((label) => {
    if (!checkShape(factor, D, N) || !checkShape(label, D, N)) return NaN;
    return meanStd(runFactor(factor, label, N, r, labelOrder(label, N, r, sorter), s).rankIc).mean;
  });
}

/** A cheap fingerprint of a day's valid-stock set, so factors sharing a mask are found without pairwise scans. */
function maskHash(f: Float32Array, off: number, N: number): number {
  let h = 0x811c9dc5;
  for (let j = 0; j < N; j++) {
    if (Number.isFinite(f[off + j])) h = Math.imul(h ^ j, 0x01000193);
  }
  return h >>> 0;
}

function sameMask(a: Float32Array, b: Float32Array, off: number, N: number): boolean {
  for (let j = 0; j < N; j++) if (Number.isFinite(a[off + j]) !== Number.isFinite(b[off + j])) return false;
  return true;
}

/**
 * Mean over days of the cross-sectional Spearman correlation between each pair of factors: an F×F matrix
 * (row-major), 1 on the diagonal. A pair's day counts when at least `minStocks` stocks have both factors and
 * neither is constant on them; NaN where a pair has no such day. Factors sharing the day's valid-stock set (the
 * usual case) are ranked once and correlated as dot products of normalised ranks; pairs whose sets differ are
 * re-ranked on their intersection, which is exact but slower.
 */
export function factorCorrelation(factors: readonly Float32Array[], D: number, N: number, opts?: MetricOptions): Float64Array {
  const r = resolve(D, opts);
  const F = factors.length;
  const sum = new Float64Array(F * F);
  const cnt = new Float64Array(F * F);
  const ok = factors.map((f) => checkShape(f, D, N));
  const sorter = new Sorter(N);
  const idx = new Int32Array(N);
  const rankA = new Float64Array(N);
  const rankB = new Float64Array(N);
  const z = new Float64Array(F * N);
  // Each factor's valid stocks sorted by value for the day: pairs with different masks re-rank by filtered walks.
  const ords = new Int32Array(F * N);
  const valid = new Uint8Array(F * N);
  const hashes = new Float64Array(F);
  const groupOf = new Int32Array(F);
  const live = new Uint8Array(F);
  const nOf = new Int32Array(F);
  const members = new Int32Array(F);
  const block = new Int32Array(N);
  for (let k = r.first; k <= r.last; k++) {
    const off = k * N;
    live.fill(0);
    // Group factors by identical valid-stock sets; groupOf[a] is the first factor of a's group (-1: unusable).
    for (let a = 0; a < F; a++) {
      groupOf[a] = -1;
      nOf[a] = 0;
      if (!ok[a]) continue;
      const f = factors[a];
      hashes[a] = maskHash(f, off, N);
      for (let b = 0; b < a; b++) {
        if (groupOf[b] === b && hashes[b] === hashes[a] && sameMask(f, factors[b], off, N)) {
          groupOf[a] = b;
          break;
        }
      }
      if (groupOf[a] < 0) groupOf[a] = a;
      let n = 0;
      for (let j = 0; j < N; j++) {
        const v = Number.isFinite(f[off + j]);
        valid[a * N + j] = v ? 1 : 0;
        if (v) idx[n++] = j;
      }
      nOf[a] = n;
      if (n < 2) continue;
      const ord = ords.subarray(a * N, a * N + n);
      sorter.sort(f, off, idx, n, ord);
      // Normalised centred ranks over the factor's own mask, in stock order: same-mask pairs are one dot product.
      if (n < r.minStocks || f[off + ord[0]] === f[off + ord[n - 1]]) continue;
      averageRanks(f, off, ord, n, rankA);
      const mr = (n + 1) / 2;
      let ss = 0;
      for (let i = 0; i < n; i++) ss += (rankA[idx[i]] - mr) ** 2;
      const inv = 1 / Math.sqrt(ss);
      const row = a * N;
      for (let i = 0; i < n; i++) z[row + i] = (rankA[idx[i]] - mr) * inv;
      live[a] = 1;
    }
    // Pairs whose masks differ: exact re-ranking on the intersection.
    for (let a = 0; a < F; a++) {
      if (groupOf[a] < 0) continue;
      for (let b = a + 1; b < F; b++) {
        if (groupOf[b] < 0 || groupOf[a] === groupOf[b]) continue;
        const c = pairSpearman(factors[a], factors[b], a, b, off, N, nOf, ords, valid, r.minStocks, rankA, rankB, idx, block);
        if (Number.isNaN(c)) continue;
        sum[a * F + b] += c;
        cnt[a * F + b]++;
      }
    }
    // Pairs sharing a mask: dot products of normalised ranks, four rows at a time so each z_b load feeds four sums.
    for (let g = 0; g < F; g++) {
      if (groupOf[g] !== g) continue;
      let L = 0;
      for (let a = g; a < F; a++) if (groupOf[a] === g && live[a]) members[L++] = a;
      if (L < 2) continue;
      const n = nOf[g];
      for (let p = 0; p < L; p += 4) {
        const m = Math.min(4, L - p);
        for (let x = p; x < p + m; x++) {
          for (let t = x + 1; t < (m === 4 ? p + 4 : L); t++) {
            const a = members[x];
            const b = members[t];
            const ra = a * N;
            const rb = b * N;
            let d = 0;
            for (let i = 0; i < n; i++) d += z[ra + i] * z[rb + i];
            sum[a * F + b] += d;
            cnt[a * F + b]++;
          }
        }
        if (m < 4) continue;
        const a0 = members[p];
        const a1 = members[p + 1];
        const a2 = members[p + 2];
        const a3 = members[p + 3];
        const r0 = a0 * N;
        const r1 = a1 * N;
        const r2 = a2 * N;
        const r3 = a3 * N;
        for (let t = p + 4; t < L; t++) {
          const b = members[t];
          const rb = b * N;
          let d0 = 0, d1 = 0, d2 = 0, d3 = 0;
          for (let i = 0; i < n; i++) {
            const zb = z[rb + i];
            d0 += z[r0 + i] * zb;
            d1 += z[r1 + i] * zb;
            d2 += z[r2 + i] * zb;
            d3 += z[r3 + i] * zb;
          }
          sum[a0 * F + b] += d0;
          sum[a1 * F + b] += d1;
          sum[a2 * F + b] += d2;
          sum[a3 * F + b] += d3;
          cnt[a0 * F + b]++;
          cnt[a1 * F + b]++;
          cnt[a2 * F + b]++;
          cnt[a3 * F + b]++;
        }
      }
    }
  }
  const out = new Float64Array(F * F);
  for (let a = 0; a < F; a++) {
    out[a * F + a] = 1;
    for (let b = a + 1; b < F; b++) {
      const v = cnt[a * F + b] > 0 ? sum[a * F + b] / cnt[a * F + b] : NaN;
      out[a * F + b] = v;
      out[b * F + a] = v;
    }
  }
  return out;
}

/**
 * Average ranks over the intersection of two masks, by walking one factor's sorted order and skipping stocks the
 * other lacks (linear, no re-sort). Returns the intersection size; when `stocks` is given, the intersection's
 * stocks land there in sorted order. `block` is scratch for the current tie block.
 */
function filteredRanks(f: Float32Array, off: number, ord: Int32Array, n: number, other: Uint8Array, oo: number, rank: Float64Array, stocks: Int32Array | null, block: Int32Array): number {
  let m = 0;
  let inBlock = 0;
  let prev = NaN;
  for (let i = 0; i < n; i++) {
    const j = ord[i];
    if (!other[oo + j]) continue;
    const x = f[off + j];
    if (x !== prev) {
      // The previous tie block held positions m-inBlock+1 .. m.
      const rr = m - (inBlock - 1) / 2;
      for (let t = 0; t < inBlock; t++) rank[block[t]] = rr;
      inBlock = 0;
      prev = x;
    }
    block[inBlock++] = j;
    if (stocks) stocks[m] = j;
    m++;
  }
  const rr = m - (inBlock - 1) / 2;
  for (let t = 0; t < inBlock; t++) rank[block[t]] = rr;
  return m;
}

/** Spearman of two factors with different masks on one day over the stocks where both exist; NaN if undefined. */
function pairSpearman(fa: Float32Array, fb: Float32Array, a: number, b: number, off: number, N: number, nOf: Int32Array, ords: Int32Array, valid: Uint8Array, minStocks: number, rankA: Float64Array, rankB: Float64Array, idx: Int32Array, block: Int32Array): number {
  const n = filteredRanks(fa, off, ords.subarray(a * N, a * N + nOf[a]), nOf[a], valid, b * N, rankA, idx, block);
  if (n < minStocks || fa[off + idx[0]] === fa[off + idx[n - 1]]) return NaN;
  const m = filteredRanks(fb, off, ords.subarray(b * N, b * N + nOf[b]), nOf[b], valid, a * N, rankB, null, block);
  if (m !== n) return NaN;
  const mr = (n + 1) / 2;
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < n; i++) {
    const x = rankA[idx[i]] - mr;
    const y = rankB[idx[i]] - mr;
    sxy += x * y;
    sxx += x * x;
    syy += y * y;
  }
  return syy > 0 ? sxy / Math.sqrt(sxx * syy) : NaN;
}

/** The 0-based qcut group of each value (all finite, at least two), as the metrics assign them; for tests and reports. */
export function qcutGroups(values: ArrayLike<number>, q: number): Int32Array {
  const n = values.length;
  const v = Float32Array.from(values);
  const s = new Scratch(n, q, new Sorter(n));
  const idx = Int32Array.from({ length: n }, (_, i) => i);
  s.sorter.sort(v, 0, idx, n, s.ord);
  assignGroups(v, 0, s.ord, n, q, s);
  return s.group.slice(0, n);
}
