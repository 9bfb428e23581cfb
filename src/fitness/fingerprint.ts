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
import * as tf from '@tensorflow/tfjs-core';
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
  return fingerprintCorrelations(a, [b], R)[0]!;
}

/**
 * `fingerprintCorrelation` of one fingerprint with each of `refs`, into `out`. The novelty term compares a
 * population with a whole pool, so the refs are taken four at a time and each load of `a` feeds four sums: about
 * twice as fast as pair by pair, with the same sums in the same order (a day's products, then the days).
 */
export function fingerprintCorrelations(a: Float32Array, refs: readonly Float32Array[], R: number, out = new Float64Array(refs.length)): Float64Array {
  for (const b of refs) {
    if (a.length !== b.length || a.length % R !== 0) throw new RangeError(`fingerprintCorrelation: lengths ${a.length} and ${b.length} for ${R} days`);
  }
  const N = a.length / R;
  // A day is defined when its row is not all zeros (a defined row has unit length).
  const liveA = liveDays(a, R, N);
  for (let q = 0; q < refs.length; q += 4) {
    const w = Math.min(4, refs.length - q);
    const b0 = refs[q]!, b1 = refs[q + (w > 1 ? 1 : 0)]!, b2 = refs[q + (w > 2 ? 2 : 0)]!, b3 = refs[q + (w > 3 ? 3 : 0)]!;
    const live = [b0, b1, b2, b3].map((b) => liveDays(b, R, N));
    const sums = new Float64Array(4), days = new Int32Array(4);
    for (let d = 0; d < R; d++) {
      if (!liveA[d]) continue;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let i = d * N, e = i + N; i < e; i++) {
        const x = a[i]!;
        s0 += x * b0[i]!;
        s1 += x * b1[i]!;
        s2 += x * b2[i]!;
        s3 += x * b3[i]!;
      }
      const dots = [s0, s1, s2, s3];
      for (let k = 0; k < 4; k++) {
        if (!live[k]![d]) continue;
        sums[k] += dots[k]!;
        days[k]!++;
      }
    }
    for (let k = 0; k < w; k++) out[q + k] = days[k]! > 0 ? sums[k]! / days[k]! : NaN;
  }
  return out;
}

/** Prints multiplied against the references at a time by `fingerprintCorrelationMatrix`. */
const MATRIX_ROWS = 64;

/**
 * `fingerprintCorrelations` of every print with every reference, `[P, Q]` row-major, by matrix products on the
 * active backend, for a device: the novelty term compares a whole population with the pool every generation,
 * which on the host (0.7 ns a stock-day, about 0.75 s for 500 texts against 150 references of 30 days x 500
 * stocks here) would take about as long as a GPU should need to score the population. A day
 * that either print lacks is all zeros in it, so the product of the whole prints is the sum of the daily products
 * over the days both define; dividing by how many those are gives the mean. The sums run in float32 there.
 */
export async function fingerprintCorrelationMatrix(prints: readonly Float32Array[], refs: readonly Float32Array[], R: number): Promise<Float64Array> {
  const P = prints.length, Q = refs.length;
  const out = new Float64Array(P * Q);
  if (P === 0 || Q === 0) return out;
  const L = refs[0]!.length;
  for (const f of [...prints, ...refs]) {
    if (f.length !== L || L % R !== 0) throw new RangeError(`fingerprintCorrelation: lengths ${f.length} and ${L} for ${R} days`);
  }
  const N = L / R;
  const liveRefs = refs.map((b) => liveDays(b, R, N));
  const stack = (fs: readonly Float32Array[]) => {
    const all = new Float32Array(fs.length * L);
    fs.forEach((f, i) => all.set(f, i * L));
    return tf.tensor2d(all, [fs.length, L]);
  };
  const B = stack(refs);
  try {
    for (let p0 = 0; p0 < P; p0 += MATRIX_ROWS) {
      const part = prints.slice(p0, p0 + MATRIX_ROWS);
      const dots = tf.tidy(() => tf.matMul(stack(part), B, false, true));
      let d: Float32Array;
      try {
        d = (await dots.data()) as Float32Array;
      } finally {
        dots.dispose();
      }
      part.forEach((a, i) => {
        const live = liveDays(a, R, N);
        for (let q = 0; q < Q; q++) {
          let days = 0;
          for (let r = 0; r < R; r++) days += live[r]! & liveRefs[q]![r]!;
          out[(p0 + i) * Q + q] = days > 0 ? d[i * Q + q]! / days : NaN;
        }
      });
    }
  } finally {
    B.dispose();
  }
  return out;
}

/** Which of a fingerprint's R days of N stocks are defined (not all zeros). */
function liveDays(f: Float32Array, R: number, N: number): Uint8Array {
  const live = new Uint8Array(R);
  for (let d = 0; d < R; d++) {
    for (let i = d * N, e = i + N; i < e; i++) {
      if (f[i] !== 0) {
        live[d] = 1;
        break;
      }
    }
  }
  return live;
}
