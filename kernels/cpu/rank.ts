/**
 * Host kernel for the cross-sectional percentile rank. Each bar's present values are sorted once and the
 * sorted order is walked tie group by tie group, so every stock gets the average 1-based rank of its group
 * without comparing pairs. The sort works on the float32 bit patterns, turned into int32 keys whose unsigned
 * order is the numeric order. Two LSD radix passes order the keys by their top 16 bits (sign, exponent and
 * the leading mantissa bits), which leaves only values within a fraction of a percent of each other out of
 * order; an insertion sort finishes those. For a few hundred stocks this is linear, branch-light and about
 * 1.4 times faster than the four radix passes a full sort needs (measured on the real factors), which remain
 * the fallback for a bar whose values crowd into few top-16-bit groups (e.g. values that are nearly equal
 * but not tied), where the insertion sort would go quadratic. Radix passes whose byte is the same for every
 * key are skipped.
 */
import type { HostKernel } from '../../src/ops/types.ts';
import { checkPanels } from './panel.ts';

/** Flips an int32 key's sign bit, so that signed comparisons of flipped keys follow their unsigned order. */
const SIGN = -2147483648;

export const rank: HostKernel = (args) => {
  checkPanels(args, 1);
  const X = args.xs[0], out = args.out, T = args.T, N = args.N;
  const bits = new Int32Array(X.buffer, X.byteOffset, X.length);
  let keys = new Int32Array(N), keys2 = new Int32Array(N);
  let idx = new Int32Array(N), idx2 = new Int32Array(N);
  const hist = new Int32Array(4 * 256);
  for (let t = 0; t < T; t++) {
    const row = t * N;
    hist.fill(0, 512);
    let m = 0;
    for (let j = 0; j < N; j++) {
      let b = bits[row + j];
      if ((b & 0x7f800000) === 0x7f800000) {
        out[row + j] = NaN; // NaN or ±Infinity: missing
        continue;
      }
      if (b << 1 === 0) b = 0; // -0 ties with +0
      // Positive values get the top bit set, negative ones all bits flipped (branch-free: signs are mixed).
      const k = b ^ ((b >> 31) | SIGN);
      keys[m] = k;
      idx[m] = j;
      m++;
      hist[512 + ((k >> 16) & 255)]++;
      hist[768 + ((k >> 24) & 255)]++;
    }
    if (m === 0) continue;
    let top = 0;
    for (let pass = 2; pass < 4; pass++) {
      if (!radixPass(keys, idx, keys2, idx2, hist, pass, m)) continue;
      const tk = keys, ti = idx;
      keys = keys2;
      idx = idx2;
      keys2 = tk;
      idx2 = ti;
      top++;
    }
    // Sorted by the top 16 bits; the insertion sort gives up after a linear number of moves.
    let moves = 0;
    const budget = top === 0 ? -1 : 4 * m; // all keys in one group: straight to the low passes
    for (let q = 1; q < m && moves <= budget; q++) {
      const k = keys[q], ku = k ^ SIGN;
      if (ku >= (keys[q - 1] ^ SIGN)) continue;
      const ix = idx[q];
      let p = q - 1;
      while (p >= 0 && (keys[p] ^ SIGN) > ku) {
        keys[p + 1] = keys[p];
        idx[p + 1] = idx[p];
        p--;
      }
      moves += q - 1 - p;
      keys[p + 1] = k;
      idx[p + 1] = ix;
    }
    if (moves > budget) {
      // Full LSD radix sort of the (partly reordered) keys; it does not depend on their starting order.
      hist.fill(0);
      for (let q = 0; q < m; q++) {
        const k = keys[q];
        hist[k & 255]++;
        hist[256 + ((k >> 8) & 255)]++;
        hist[512 + ((k >> 16) & 255)]++;
        hist[768 + ((k >> 24) & 255)]++;
      }
      for (let pass = 0; pass < 4; pass++) {
        if (!radixPass(keys, idx, keys2, idx2, hist, pass, m)) continue;
        const tk = keys, ti = idx;
        keys = keys2;
        idx = idx2;
        keys2 = tk;
        idx2 = ti;
      }
    }
    for (let g0 = 0; g0 < m; ) {
      const k = keys[g0];
      let g1 = g0 + 1;
      while (g1 < m && keys[g1] === k) g1++;
      const r = (g0 + 1 + g1) / 2 / m;
      for (let q = g0; q < g1; q++) out[row + idx[q]] = r;
      g0 = g1;
    }
  }
};

/**
 * One stable LSD pass on byte `pass` of the first m keys (with their stock indices) into the second pair of
 * arrays, from the byte's counts in `hist`; false, having moved nothing, when every key shares that byte.
 */
function radixPass(
  keys: Int32Array, idx: Int32Array, keys2: Int32Array, idx2: Int32Array,
  hist: Int32Array, pass: number, m: number,
): boolean {
  const h = pass * 256, shift = pass * 8;
  if (hist[h + ((keys[0] >> shift) & 255)] === m) return false;
  let sum = 0;
  for (let d = 0; d < 256; d++) {
    const c = hist[h + d];
    hist[h + d] = sum;
    sum += c;
  }
  for (let q = 0; q < m; q++) {
    const k = keys[q];
    const p = hist[h + ((k >> shift) & 255)]++;
    keys2[p] = k;
    idx2[p] = idx[q];
  }
  return true;
}
