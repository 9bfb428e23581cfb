/**
 * Rolling maximum / minimum and their positions, behind ts_Max, ts_Min, ts_ArgMax and ts_ArgMin, by the van
 * Herk / Gil-Werman scheme: the bars are cut into blocks of n, so every window is the tail of one block
 * followed by the head of the next. A backward pass over each block stores its suffix maxima, a forward pass
 * over the next block keeps running prefix maxima, and each cell combines one of each: a fixed three
 * comparisons per cell whatever the data, where a monotonic deque or "rescan when the maximum leaves" cost
 * more on trending series (measured: rescanning was no faster on the real factors, with 15-25% of cells
 * rescanning). The comparisons are made on int32 keys (see `key`) and turned into all-ones or all-zeros masks
 * that select with xor and and, rather than branched on, since on real data they are unpredictable: measured
 * about 1.6 times faster on the real factors than blending float64 values with 0/1 factors, which in turn
 * beat branches. The extreme is read back from its key, so it is stored bit for bit (except that a -0 comes
 * back as +0). Ties go to the most recent bar (the later block wins ties, and within a block the later bar),
 * the minimum is the maximum of the complemented keys, and missing bars enter as the lowest int32, below
 * every key (their windows are masked by the run length).
 */
const LOW = -2147483648;
/** The int32 bit pattern of a float32 quiet NaN. */
const NAN_BITS = 0x7fc00000;

/**
 * Writes, for `sign` = 1 the window maximum and for `sign` = -1 the minimum, or with `arg` the number of bars
 * since that extreme (0 = the current bar).
 */
export function rollingExtreme(
  X: Float32Array, T: number, N: number, n: number, out: Float32Array, sign: number, arg: boolean,
): void {
  if (n > T) {
    out.fill(NaN); // no window is ever complete, and the block buffers would only waste memory
    return;
  }
  // Keys: the float32 bits as int32, with the low 31 bits flipped for negative values, order like the values
  // (-0 is first made +0 so that they tie); complemented for the minimum. `bitsOf` turns a key back.
  const flip = sign > 0 ? 0 : -1;
  const XB = new Int32Array(X.buffer, X.byteOffset, X.length);
  const OB = new Int32Array(out.buffer, out.byteOffset, out.length);
  const run = new Int32Array(N);
  const gv = new Int32Array(N); // running prefix extreme of the current block
  const gp = new Int32Array(N); // and its bar
  const hv = new Int32Array(n * N); // suffix extremes of the previous block, row t - p0 at (t - p0) * N
  const hp = new Int32Array(arg ? n * N : 0);
  for (let b0 = 0; b0 < T; b0 += n) {
    const b1 = b0 + n < T ? b0 + n : T;
    if (b0 > 0) {
      const p0 = b0 - n;
      const lastRow = (b0 - 1) * N, lastH = (n - 1) * N;
      for (let j = 0; j < N; j++) {
        hv[lastH + j] = key(XB[lastRow + j], flip);
        if (arg) hp[lastH + j] = b0 - 1;
      }
      for (let t = b0 - 2; t >= p0; t--) {
        const row = t * N, h = (t - p0) * N;
        for (let j = 0; j < N; j++) {
          const v = key(XB[row + j], flip);
          const nv = hv[h + N + j];
          const c = -(v > nv); // all ones where the earlier bar is strictly larger
          hv[h + j] = nv ^ ((nv ^ v) & c);
          if (arg) {
            const np = hp[h + N + j];
            hp[h + j] = np ^ ((np ^ t) & c);
          }
        }
      }
    }
    for (let t = b0; t < b1; t++) {
      const row = t * N;
      const first = t === b0 ? -1 : 0;
      const useH = t < b0 + n - 1; // the window starts in the previous block
      const h = (t - b0 + 1) * N;
      for (let j = 0; j < N; j++) {
        const i = row + j;
        const v = key(XB[i], flip);
        const r = v === LOW ? 0 : run[j] + 1;
        run[j] = r;
        const gj = gv[j];
        const c = -(v >= gj) | first;
        let g = gj ^ ((gj ^ v) & c);
        gv[j] = g;
        let p = 0;
        if (arg) {
          const pj = gp[j];
          p = pj ^ ((pj ^ t) & c);
          gp[j] = p;
        }
        if (r < n) {
          OB[i] = NAN_BITS;
          continue;
        }
        if (useH) {
          const hh = hv[h + j];
          const d = -(hh > g);
          g = g ^ ((g ^ hh) & d);
          if (arg) {
            const hq = hp[h + j];
            p = p ^ ((p ^ hq) & d);
          }
        }
        if (arg) out[i] = t - p;
        else OB[i] = bitsOf(g, flip);
      }
    }
  }
}

/** The ordered key of float32 bits `b` (NaN and ±Infinity give LOW); `flip` = -1 complements it (minima). */
function key(b: number, flip: number): number {
  if ((b & 0x7f800000) === 0x7f800000) return LOW;
  if (b === LOW) b = 0; // -0
  return (b ^ ((b >> 31) & 0x7fffffff)) ^ flip;
}

/** The float32 bits of the finite value with key `k` (the inverse of `key`, up to the sign of zero). */
function bitsOf(k: number, flip: number): number {
  const b = k ^ flip;
  return b ^ ((b >> 31) & 0x7fffffff);
}
