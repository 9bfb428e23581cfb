/**
 * Host kernel for factor-to-factor correlation: the mean over days of the cross-sectional Spearman correlation
 * of every pair of factors, pairwise-complete as pandas' `corr(method='spearman')` (rules in
 * src/fitness/metrics.ts). Factors sharing the day's valid-stock set (the usual case) are ranked once and
 * correlated as dot products of normalised ranks. For two different valid-stock sets, each set's factors are
 * ranked once on the common stocks (a set that loses only a few stocks to it shifts its own ranks by the lost
 * stocks below; otherwise its sorted order is walked without them), then correlated as dot products again.
 */
import { bitsOf, FloatSorter } from './radix_sort.ts';
import { averageRanks } from './daily_metrics.ts';

export interface FactorCorrelationArgs {
  /** Daily factor matrices `[D, N]`. */
  readonly factors: readonly Float32Array[];
  readonly N: number;
  readonly minStocks: number;
  /** Day range, inclusive. */
  readonly first: number;
  readonly last: number;
  /** `[F, F]` row-major, every cell written: 1 on the diagonal, NaN for a pair without a usable day. */
  readonly out: Float64Array | Float32Array;
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
/** Most stocks a mask may lose to a common set for its members' ranks to be shifted rather than recomputed. */
const MAX_SHIFTED = 12;

export function factorCorrelationKernel(args: FactorCorrelationArgs): void {
  const { factors, N, minStocks, first, last, out } = args;
  const F = factors.length;
  const sum = new Float64Array(F * F);
  const cnt = new Float64Array(F * F);
  const sorter = new FloatSorter(N);
  const bits = factors.map(bitsOf);
  const idx = new Int32Array(N);
  const rankA = new Float64Array(N);
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
  const reps = new Int32Array(F);
  const memberCount = new Int32Array(F);
  const memberStart = new Int32Array(F);
  const memberList = new Int32Array(F);
  const common = new Uint8Array(N);
  const commonStocks = new Int32Array(N);
  const posInCommon = new Int32Array(N);
  const filtered = new Int32Array(N);
  const list1 = new Int32Array(F), rows1 = new Int32Array(F), list2 = new Int32Array(F), rows2 = new Int32Array(F);
  const z1 = new Float64Array(F * N), z2 = new Float64Array(F * N);
  // Own-mask average ranks by stock, and the stocks of a mask left out of a common set with their values.
  const ownRank = new Float64Array(F * N);
  const excluded = new Int32Array(MAX_SHIFTED);
  const exVal = new Float64Array(MAX_SHIFTED);
  let off = 0;
  /**
   * The usable members of group g on the m common stocks: their factor indices into `list` and the offsets of
   * their normalised rank rows into `rows` (rows of `z` when the common stocks are g's whole mask, else fresh rows
   * of `zs` in common-stock order). Returns how many; a member constant on the common stocks is left out.
   */
  const sideRows = (g: number, m: number, list: Int32Array, rows: Int32Array, zs: Float64Array): number => {
    let L = 0;
    const whole = m === nOf[g];
    // Few stocks of g's mask outside the common set: shift each member's own ranks instead of re-ranking.
    const dropped = nOf[g] - m;
    if (!whole && dropped <= MAX_SHIFTED) {
      for (let j = 0, d = 0; j < N && d < dropped; j++) if (valid[g * N + j] && !common[j]) excluded[d++] = j;
    }
    for (let e = memberStart[g], end = e + memberCount[g]; e < end; e++) {
      const a = memberList[e];
      if (whole || dropped <= MAX_SHIFTED) {
        if (!live[a]) continue;
        if (!whole && !shiftedRow(factors[a], a, m, dropped, zs, L * N)) continue;
        list[L] = a;
        rows[L++] = whole ? a * N : L * N - N;
        continue;
      }
      const f = factors[a];
      const n = filteredRanks(f, off, ords.subarray(a * N, a * N + nOf[a]), nOf[a], common, 0, rankA, filtered, block);
      if (n !== m || f[off + filtered[0]] === f[off + filtered[m - 1]]) continue;
      const mr = (m + 1) / 2;
      let ss = 0;
      for (let i = 0; i < m; i++) ss += (rankA[commonStocks[i]] - mr) ** 2;
      const inv = 1 / Math.sqrt(ss);
      const row = L * N;
      for (let i = 0; i < m; i++) zs[row + i] = (rankA[commonStocks[i]] - mr) * inv;
      list[L] = a;
      rows[L++] = row;
    }
    return L;
  };
  /**
   * Writes factor a's normalised centred ranks on the m common stocks into zs[row..]: its own-mask average rank
   * less, per dropped stock, 1 if that stock's value is below (½ if tied), which is exactly its average rank among
   * the common stocks. False when the factor is constant on them.
   */
  const shiftedRow = (f: Float32Array, a: number, m: number, dropped: number, zs: Float64Array, row: number): boolean => {
    // The dropped stocks' values, sorted (a handful: insertion sort).
    for (let d = 0; d < dropped; d++) {
      const x = f[off + excluded[d]];
      let p = d - 1;
      while (p >= 0 && exVal[p] > x) {
        exVal[p + 1] = exVal[p];
        p--;
      }
      exVal[p + 1] = x;
    }
    // Walking a's sorted order keeps the count of dropped values below the current one monotone, so the
    // branches here almost always go the same way.
    const ord = ords.subarray(a * N, a * N + nOf[a]);
    const mr = (m + 1) / 2;
    let below = 0;
    let ss = 0;
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < ord.length; i++) {
      const j = ord[i];
      if (!common[j]) continue;
      const v = f[off + j];
      while (below < dropped && exVal[below] < v) below++;
      let tied = below;
      while (tied < dropped && exVal[tied] === v) tied++;
      const r = ownRank[a * N + j] - below - 0.5 * (tied - below) - mr;
      zs[row + posInCommon[j]] = r;
      ss += r * r;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    if (!(lo < hi)) return false;
    const inv = 1 / Math.sqrt(ss);
    for (let i = 0; i < m; i++) zs[row + i] *= inv;
    return true;
  };
  for (let k = first; k <= last; k++) {
    off = k * N;
    live.fill(0);
    memberCount.fill(0);
    // Group factors by identical valid-stock sets; groupOf[a] is the first factor of a's group (-1: unusable).
    for (let a = 0; a < F; a++) {
      groupOf[a] = -1;
      nOf[a] = 0;
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
      ord.set(sorter.sort(bits[a], off, idx, n).subarray(0, n));
      // Normalised centred ranks over the factor's own mask, in stock order: same-mask pairs are one dot product.
      if (n < minStocks || f[off + ord[0]] === f[off + ord[n - 1]]) continue;
      averageRanks(f, off, ord, n, rankA);
      const mr = (n + 1) / 2;
      let ss = 0;
      for (let i = 0; i < n; i++) ss += (rankA[idx[i]] - mr) ** 2;
      const inv = 1 / Math.sqrt(ss);
      const row = a * N;
      for (let i = 0; i < n; i++) {
        const j = idx[i];
        z[row + i] = (rankA[j] - mr) * inv;
        ownRank[row + j] = rankA[j];
      }
      live[a] = 1;
    }
    // Pairs from groups with different masks, group pair by group pair: each side's members are ranked once on
    // the two masks' common stocks (or keep their own-mask ranks when that is all of their mask, as for a
    // factor whose missing stocks include the other's), then correlated as dot products.
    let G = 0;
    for (let a = 0; a < F; a++) if (groupOf[a] === a) reps[G++] = a;
    for (let a = 0; a < F; a++) memberCount[groupOf[a]]++;
    for (let x = 0, at = 0; x < G; x++) {
      memberStart[reps[x]] = at;
      at += memberCount[reps[x]];
      memberCount[reps[x]] = 0;
    }
    for (let a = 0; a < F; a++) {
      const g = groupOf[a];
      memberList[memberStart[g] + memberCount[g]++] = a;
    }
    for (let x = 0; x < G; x++) {
      const g1 = reps[x];
      for (let y = x + 1; y < G; y++) {
        const g2 = reps[y];
        let m = 0;
        for (let j = 0; j < N; j++) {
          const both = valid[g1 * N + j] & valid[g2 * N + j];
          common[j] = both;
          if (both) {
            posInCommon[j] = m;
            commonStocks[m++] = j;
          }
        }
        if (m < minStocks) continue;
        const L1 = sideRows(g1, m, list1, rows1, z1);
        if (L1 === 0) continue;
        const L2 = sideRows(g2, m, list2, rows2, z2);
        if (L2 === 0) continue;
        const b1 = m === nOf[g1] ? z : z1;
        const b2 = m === nOf[g2] ? z : z2;
        for (let p = 0; p < L1; p++) {
          const a = list1[p], ra = rows1[p];
          for (let t = 0; t < L2; t++) {
            const b = list2[t], rb = rows2[t];
            let d = 0;
            for (let i = 0; i < m; i++) d += b1[ra + i] * b2[rb + i];
            const cell = a < b ? a * F + b : b * F + a;
            sum[cell] += d;
            cnt[cell]++;
          }
        }
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
  for (let a = 0; a < F; a++) {
    out[a * F + a] = 1;
    for (let b = a + 1; b < F; b++) {
      const v = cnt[a * F + b] > 0 ? sum[a * F + b] / cnt[a * F + b] : NaN;
      out[a * F + b] = v;
      out[b * F + a] = v;
    }
  }
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
