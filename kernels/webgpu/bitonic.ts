/**
 * Shared WGSL for ranking a cross-section by sorting it in workgroup memory (rank.ts, metric_programs.ts): a
 * bitonic network over u32 order keys, and the binary search that turns a sorted array into a key's count of
 * smaller and equal keys. Sorting N keys with a network of power-of-two width S costs log2(S)(log2(S)+1)/2
 * stages of at most N/2 compare-exchanges, then log2(N) steps per stock, against the N² compare-and-adds of counting: about 0.4 million operations for a
 * 5,000-stock cross-section instead of 25 million. Returned as text because WGSL cannot pass workgroup arrays of
 * different sizes to one function portably; both pieces read the array and its width by name.
 */

/**
 * A workgroup array for C keys (C a multiple of 4), packed four to a vec4: Mesa's llvmpipe compiles a shader's
 * workgroup arrays at a cost that grows faster than their element count (a 2,048-element u32 array took 14 s,
 * the same keys as 512 vec4s 1.4 s), and GPUs address workgroup memory by the word either way.
 */
export function sortKeysWgsl(name: string, C: number): string {
  return `var<workgroup> ${name} : array<vec4<u32>, ${C / 4}>;`;
}

/** The key at position `i` (a u32 expression) of an array declared by sortKeysWgsl, as a reference. */
export function keyAt(keys: string, i: string): string {
  return `${keys}[(${i}) >> 2u][(${i}) & 3u]`;
}

/** The sorting network's width for N keys: the next power of two, at least `min`. */
export function sortWidth(N: number, min: number): number {
  let S = min;
  while (S < N) S *= 2;
  return S;
}

/**
 * How many keys the workgroup array holds for N keys: N rounded up to a multiple of `step` (a power of two, so
 * never more than the network's width), not the network's power-of-two width. The network treats positions
 * past the array as holding the largest key, which never moves (sortKeysWgsl's callers fill the array's own
 * tail with it too); so 5,000 stocks take 20 KiB of keys instead of 32, and fit beside a kernel's other arrays
 * in the 32 KiB of workgroup memory most adapters give (browsers, Mesa), not only in NVIDIA's 48.
 */
export function sortCapacity(N: number, step: number): number {
  return Math.max(step, Math.ceil(N / step) * step);
}

/** sortCapacity for a network of width S chosen by a caller, which must be a power of two that holds it. */
export function checkedCapacity(N: number, step: number, S: number, who: string): number {
  const C = sortCapacity(N, step);
  if (S < C || (S & (S - 1)) !== 0) throw new RangeError(`${who}: sort width ${S} is not a power of two holding ${N} stocks`);
  return C;
}

/**
 * Statements that sort the first `C` keys of `keys` (declared by sortKeysWgsl with C) ascending in place. `S`
 * is the network's power-of-two width (>= C), an expression the whole workgroup agrees on (a uniform, so every
 * thread reaches every barrier; as a uniform rather than a constant it also keeps compilers from unrolling the
 * network, which took Mesa's llvmpipe minutes at S = 8192); `lid` is the thread's index (u32) and `threads` the
 * workgroup size. The network sorts every block ascending: merging two sorted runs first compares each key of
 * the lower run with its mirror image in the upper one, then half-cleans. With every comparison ascending, a
 * position at or past C (a virtual largest key) never has to move, so pairs that reach it are skipped and only
 * C keys need memory. Ends with a barrier, so the sorted keys are visible to every thread.
 */
export function bitonicSortWgsl(keys: string, S: string, C: number, lid: string, threads: number): string {
  return /* wgsl */ `
      workgroupBarrier();
      for (var k = 2u; k <= ${S}; k *= 2u) {
        for (var j = k / 2u; j > 0u; j /= 2u) {
          for (var i = ${lid}; i < ${C}u; i += ${threads}u) {
            let l = select(i ^ j, i ^ (k - 1u), j == k / 2u);
            if (l > i && l < ${C}u) {
              let a = ${keyAt(keys, 'i')};
              let b = ${keyAt(keys, 'l')};
              if (a > b) {
                ${keyAt(keys, 'i')} = b;
                ${keyAt(keys, 'l')} = a;
              }
            }
          }
          workgroupBarrier();
        }
      }`;
}

/**
 * A module-scope function `name(k, strict)`: the first position among the C sorted keys of `keys` holding a key
 * >= k (> k when strict). So a key's smaller keys number name(k, false), its equal ones name(k, true) minus that.
 */
export function sortedBoundWgsl(name: string, keys: string, C: number): string {
  return /* wgsl */ `
    fn ${name}(k : u32, strict : bool) -> u32 {
      var lo = 0u;
      var hi = ${C}u;
      while (lo < hi) {
        let mid = (lo + hi) / 2u;
        let o = ${keyAt(keys, 'mid')};
        if (o < k || (strict && o == k)) { lo = mid + 1u; } else { hi = mid; }
      }
      return lo;
    }`;
}
