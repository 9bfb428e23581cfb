/**
 * Sorting for the cross-sectional kernels (rank, the metrics' per-day ranks and groups): orders a few hundred
 * stocks by their float32 values without comparisons. The float32 bit patterns become int32 keys whose unsigned
 * order is the numeric order. Two LSD radix passes order the keys by their top 16 bits (sign, exponent and the
 * leading mantissa bits), which leaves only values within a fraction of a percent of each other out of order; an
 * insertion sort finishes those. On real factors this is about 1.4 times faster than the four radix passes a
 * full sort needs, which remain the fallback for a row whose values crowd into few top-16-bit groups (nearly
 * equal but not tied values), where the insertion sort would go quadratic. Passes whose byte is the same for
 * every key are skipped. The sort is stable, so tied stocks stay in stock order.
 */

/** Flips an int32 key's sign bit, so that signed comparisons of flipped keys follow their unsigned order. */
const SIGN = -2147483648;

/** The int32 view of a float32 array's bits (same buffer), which `FloatSorter.sort` reads. */
export function bitsOf(values: Float32Array): Int32Array {
  return new Int32Array(values.buffer, values.byteOffset, values.length);
}

/** Reusable scratch for sorting up to `capacity` stocks at a time. */
export class FloatSorter {
  private keys: Int32Array;
  private keys2: Int32Array;
  private idx: Int32Array;
  private idx2: Int32Array;
  private readonly hist = new Int32Array(4 * 256);

  constructor(capacity: number) {
    this.keys = new Int32Array(capacity);
    this.keys2 = new Int32Array(capacity);
    this.idx = new Int32Array(capacity);
    this.idx2 = new Int32Array(capacity);
  }

  /**
   * Orders stocks[0..m) by value ascending. `bits` is `bitsOf(values)`, the value of stock j is at `off + j`, and
   * every value sorted must be finite; -0 sorts with +0. Returns scratch holding the order in [0, m): valid until
   * the next call, so callers that keep it copy it.
   */
  sort(bits: Int32Array, off: number, stocks: Int32Array, m: number): Int32Array {
    const hist = this.hist;
    let keys = this.keys, idx = this.idx;
    hist.fill(0, 512);
    for (let i = 0; i < m; i++) {
      const j = stocks[i];
      let b = bits[off + j];
      if (b << 1 === 0) b = 0;
      // Positive values get the top bit set, negative ones all bits flipped (branch-free: signs are mixed).
      const k = b ^ ((b >> 31) | SIGN);
      keys[i] = k;
      idx[i] = j;
      hist[512 + ((k >> 16) & 255)]++;
      hist[768 + ((k >> 24) & 255)]++;
    }
    if (m === 0) return idx;
    const top = this.passes(2, m);
    keys = this.keys;
    idx = this.idx;
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
      // Full LSD radix sort of the partly reordered keys. The insertion sort only moved keys past strictly
      // greater ones, so equal keys are still in stock order and these stable passes keep them so.
      hist.fill(0);
      for (let q = 0; q < m; q++) {
        const k = keys[q];
        hist[k & 255]++;
        hist[256 + ((k >> 8) & 255)]++;
        hist[512 + ((k >> 16) & 255)]++;
        hist[768 + ((k >> 24) & 255)]++;
      }
      this.passes(0, m);
    }
    return this.idx;
  }

  /**
   * Stable LSD passes on bytes from..3 of the first m keys, each from the first pair of arrays into the second,
   * which then becomes the first; returns how many passes moved anything.
   */
  private passes(from: number, m: number): number {
    let moved = 0;
    for (let pass = from; pass < 4; pass++) {
      if (!radixPass(this.keys, this.idx, this.keys2, this.idx2, this.hist, pass, m)) continue;
      const tk = this.keys, ti = this.idx;
      this.keys = this.keys2;
      this.idx = this.idx2;
      this.keys2 = tk;
      this.idx2 = ti;
      moved++;
    }
    return moved;
  }
}

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
