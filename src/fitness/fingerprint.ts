/**
 * Factor fingerprints, for the miner's novelty term: a factor's cross-sectional ranks on a few sample days, each
 * day's ranks centred and scaled to unit length. The mean over days of two fingerprints' daily dot products is
 * then their mean daily Spearman correlation when both have the same valid stocks on every day, and a little
 * shrunk towards zero where they do not (a stock one factor lacks counts as 0 for the other). That costs a few
 * multiply-adds per stock-day per pair instead of a re-rank per pair, so a whole population can be compared with
 * a pool every generation; the pool rule itself uses the exact `factorCorrelation`.
 *
 * A day with fewer than `minStocks` valid stocks, or on which the factor is constant, is all zeros, and
 * `fingerprintCorrelation` leaves it out, as the metrics skip such days.
 *
 * Wide universes are sampled across stocks as well as days: every k-th stock, at most FINGERPRINT_STOCKS of them.
 * A Spearman correlation estimated on 500 stocks is off by about 0.04 on one day and less over 30, which the
 * novelty discount does not notice; comparing a factor with a 100-member pool on all 5,000 stocks of a wide
 * panel cost 15 ms on the host, several times what a GPU takes to score it.
 */
import { averageRanks } from '../../kernels/cpu/daily_metrics.ts';
import { bitsOf, FloatSorter } from '../../kernels/cpu/radix_sort.ts';

/** The most stocks a fingerprint day holds. */
export const FINGERPRINT_STOCKS = 500;

/** A fingerprint takes every k-th stock of a panel of N: k = 1 up to FINGERPRINT_STOCKS stocks. */
export function fingerprintStride(N: number): number {
  return Math.max(1, Math.ceil(N / FINGERPRINT_STOCKS));
}

/** How many stocks a fingerprint day of a panel of N holds. */
export function fingerprintWidth(N: number): number {
  return Math.ceil(N / fingerprintStride(N));
}

/** Columns 0, k, 2k, ... of the `rows` rows of `values` `[rows, N]`. */
export function strideColumns(values: Float32Array, rows: number, N: number, k: number): Float32Array {
  const M = Math.ceil(N / k);
  const out = new Float32Array(rows * M);
  for (let r = 0; r < rows; r++) for (let c = 0; c < M; c++) out[r * M + c] = values[r * N + c * k]!;
  return out;
}

/**
 * Fingerprints of F factors from their values `[F, R, N]` on the R sample days of a panel of N stocks: every
 * fingerprintStride(N)-th stock, so `[F, R, fingerprintWidth(N)]`.
 */
export function sampledFingerprints(values: Float32Array, F: number, R: number, N: number, minStocks: number): Float32Array {
  const k = fingerprintStride(N);
  return fingerprints(k > 1 ? strideColumns(values, F * R, N, k) : values, F, R, fingerprintWidth(N), minStocks);
}

/**
 * Fingerprints of F factors given their values `[F, R, N]` on R sample days; returns `[F, R, N]` with each
 * (factor, day) row as described above.
 */
export function fingerprints(values: Float32Array, F: number, R: number, N: number, minStocks: number): Float32Array {
  if (values.length !== F * R * N) throw new RangeError(`fingerprints: ${values.length} values, expected ${F} x ${R} x ${N}`);
  const out = new Float32Array(F * R * N);
  const bits = bitsOf(values);
  const sorter = new FloatSorter(N);
  const idx = new Int32Array(N);
  const rank = new Float64Array(N);
  for (let row = 0; row < F * R; row++) {
    const off = row * N;
    let n = 0;
    for (let j = 0; j < N; j++) if (Number.isFinite(values[off + j])) idx[n++] = j;
    if (n < Math.max(2, minStocks)) continue;
    const ord = sorter.sort(bits, off, idx, n);
    if (values[off + ord[0]] === values[off + ord[n - 1]]) continue;
    averageRanks(values, off, ord, n, rank);
    const mean = (n + 1) / 2;
    let ss = 0;
    for (let i = 0; i < n; i++) {
      const d = rank[idx[i]] - mean;
      ss += d * d;
    }
    const scale = 1 / Math.sqrt(ss);
    for (let i = 0; i < n; i++) {
      const j = idx[i];
      out[off + j] = (rank[j] - mean) * scale;
    }
  }
  return out;
}

/**
 * Approximate mean daily Spearman correlation of two fingerprints of R days x N stocks (see the file header),
 * over the days on which both are defined; NaN when there is none.
 */
export function fingerprintCorrelation(a: Float32Array, b: Float32Array, R: number): number {
  if (a.length !== b.length || a.length % R !== 0) throw new RangeError(`fingerprintCorrelation: lengths ${a.length} and ${b.length} for ${R} days`);
  const N = a.length / R;
  let sum = 0;
  let days = 0;
  for (let d = 0; d < R; d++) {
    let s = 0, na = 0, nb = 0;
    for (let i = d * N, e = i + N; i < e; i++) {
      const x = a[i], y = b[i];
      s += x * y;
      na += x * x;
      nb += y * y;
    }
    if (na > 0 && nb > 0) {
      sum += s;
      days++;
    }
  }
  return days > 0 ? sum / days : NaN;
}
