/**
 * Host kernel for the metrics' per-day step: for each factor of a population and each day of a range, the
 * cross-sectional IC and rank IC against the label, the q qcut group means, the all-stock mean, the top and
 * bottom groups' turnover and the day's factor coverage: a few numbers per factor-day (the layout in
 * src/fitness/daily_layout.ts), from which src/fitness/metrics.ts forms every summary. The rules (which days count,
 * qcut with its tie fallback, turnover against the previous used day) are stated in metrics.ts's header.
 *
 * The label is sorted and ranked once per day and shared by every factor whose stocks cover it; each factor-day
 * is one radix sort of the float32 bit patterns followed by linear walks (ranks, qcut, sums). Sums run in
 * float64; `out` may be float64 (the host API) or float32 (the tensor).
 */
import { bitsOf, FloatSorter } from './radix_sort.ts';
import { COL, dailyWidth } from '../../src/fitness/daily_layout.ts';

export interface DailyMetricsArgs {
  /** Daily factor matrices `[D, N]`, one per factor. */
  readonly factors: readonly Float32Array[];
  /** Label (forward return) `[D, N]`. */
  readonly label: Float32Array;
  readonly N: number;
  /** Groups q. */
  readonly q: number;
  readonly minStocks: number;
  /** Day range, inclusive. */
  readonly first: number;
  readonly last: number;
  /** `[F, last - first + 1, dailyWidth(q)]`, every cell written. */
  readonly out: Float64Array | Float32Array;
}

/** Each day's label-valid stocks sorted by label, and their average ranks, computed once and shared. */
interface LabelOrder {
  order: Int32Array[];
  rank: Float64Array[];
}

function labelOrder(label: Float32Array, N: number, first: number, last: number, sorter: FloatSorter): LabelOrder {
  const order: Int32Array[] = [];
  const rank: Float64Array[] = [];
  const bits = bitsOf(label);
  const idx = new Int32Array(N);
  for (let k = first; k <= last; k++) {
    const off = k * N;
    let n = 0;
    for (let j = 0; j < N; j++) if (Number.isFinite(label[off + j])) idx[n++] = j;
    const ord = sorter.sort(bits, off, idx, n).slice(0, n);
    order.push(ord);
    const rk = new Float64Array(N);
    averageRanks(label, off, ord, n, rk);
    rank.push(rk);
  }
  return { order, rank };
}

/** Average 1-based ranks of the stocks in `ord` (sorted by v) written to rank[stock]; ties share their mean rank. */
export function averageRanks(v: Float32Array, off: number, ord: Int32Array, n: number, rank: Float64Array): void {
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

/** Reusable per-factor scratch so a population run allocates once. */
export class GroupScratch {
  readonly group: Int32Array;
  readonly edges: Float64Array;
  constructor(N: number, q: number) {
    this.group = new Int32Array(N);
    this.edges = new Float64Array(q + 1);
  }
}

/**
 * The float64 position of qcut edge g of q among n sorted values, as pandas computes it: `(n - 1) * (g / q)`, in
 * that order (other orders round differently). Every backend's kernel places its edges from this value.
 */
export function qcutPosition(n: number, g: number, q: number): number {
  return (n - 1) * (g / q);
}

/** numpy's linear-interpolation lerp, including its t >= 0.5 form, so edges match pandas bit for bit. */
function lerp(a: number, b: number, t: number): number {
  const d = b - a;
  return t >= 0.5 ? b - d * (1 - t) : a + d * t;
}

/**
 * qcut groups (0-based) of the n stocks in `ord` (sorted by factor) into s.group[stock]; see metrics.ts for the
 * tie fallback.
 */
export function assignGroups(f: Float32Array, off: number, ord: Int32Array, n: number, q: number, s: GroupScratch): void {
  const edges = s.edges;
  for (let g = 0; g <= q; g++) {
    const pos = qcutPosition(n, g, q);
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

export function dailyMetrics(args: DailyMetricsArgs): void {
  const { factors, label, N, q, minStocks, first, last, out } = args;
  const nDays = Math.max(0, last - first + 1);
  const W = dailyWidth(q);
  if (out.length < factors.length * nDays * W) throw new RangeError(`dailyMetrics: output holds ${out.length} cells, needs ${factors.length * nDays * W}`);
  const sorter = new FloatSorter(N);
  const lo = labelOrder(label, N, first, last, sorter);
  const idx = new Int32Array(N);
  const rankF = new Float64Array(N);
  const rankLScratch = new Float64Array(N);
  const prevTop = new Int32Array(N);
  const prevBottom = new Int32Array(N);
  const gSum = new Float64Array(q);
  const gCnt = new Int32Array(q);
  const gs = new GroupScratch(N, q);
  const group = gs.group;
  for (let fi = 0; fi < factors.length; fi++) {
    const f = factors[fi];
    const bits = bitsOf(f);
    // Stamps (index of the last used day a stock was in raw group q / raw group 1) avoid clearing flags daily.
    prevTop.fill(-1);
    prevBottom.fill(-1);
    let used = 0;
    let prevTopN = 0;
    let prevBottomN = 0;
    for (let k = first; k <= last; k++) {
      const off = k * N;
      const o = (fi * nDays + (k - first)) * W;
      let covered = 0;
      for (let j = 0; j < N; j++) if (Number.isFinite(f[off + j])) covered++;
      for (let c = 0; c < W; c++) out[o + c] = NaN;
      out[o + COL.used] = 0;
      out[o + COL.covered] = covered;
      // Stocks with both values, in label order: label ranks come from a linear walk, not a sort.
      const lord = lo.order[k - first];
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
      if (n < minStocks || label[off + idx[0]] === label[off + idx[n - 1]]) continue;
      const ord = sorter.sort(bits, off, idx, n);
      if (f[off + ord[0]] === f[off + ord[n - 1]]) continue;
      let rankL = lo.rank[k - first];
      if (n !== lord.length) {
        rankL = rankLScratch;
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

      assignGroups(f, off, ord, n, q, gs);
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
      out[o + COL.used] = 1;
      out[o + COL.ic] = sxy / Math.sqrt(sxx * syy);
      out[o + COL.rankIc] = rxy / Math.sqrt(rxx * ryy);
      out[o + COL.market] = ml;
      const topN = gCnt[q - 1];
      const bottomN = gCnt[0];
      const havePrev = used > 0;
      out[o + COL.turnTop] = havePrev && prevTopN > 0 && topN > 0 ? 1 - stayTop / topN : NaN;
      out[o + COL.turnBottom] = havePrev && prevBottomN > 0 && bottomN > 0 ? 1 - stayBottom / bottomN : NaN;
      for (let g = 0; g < q; g++) out[o + COL.groups + g] = gCnt[g] > 0 ? gSum[g] / gCnt[g] : NaN;
      prevTopN = topN;
      prevBottomN = bottomN;
      used++;
    }
  }
}
