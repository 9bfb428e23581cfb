/**
 * WebGPU kernel for the cross-sectional percentile rank: the average 1-based rank of a stock's tie group among
 * the stocks with a value at that bar, divided by their number. With lt values below a stock's and eq equal to
 * it (itself included), that is (lt + (eq + 1) / 2) / m, so ties need no second pass. Two ways to get lt and eq,
 * with bit-identical results:
 *
 * - Sort, for bars wider than one workgroup whose keys (N rounded up to a multiple of the workgroup size) fit
 *   the device's workgroup memory (tfjs asks for the adapter's limit; 32 KiB holds 8,192 stocks). One workgroup
 *   per bar stages the keys in shared memory, sorts them and binary-searches each stock's key (bitonic.ts).
 *   (Mesa's llvmpipe still compiles it slowly for many keys: about half a minute at 8,192.)
 * - Count, for narrow bars and bars too wide to sort: each workgroup takes one tile of ROW_WORKGROUP stocks of
 *   one bar and walks the whole bar in chunks staged in workgroup memory, every thread counting the values
 *   below and equal to its own: O(N^2) integer compare-and-adds per bar, on data in shared memory.
 *
 * Values are compared as order-preserving u32 keys (sign bit flipped for positives, all bits for negatives,
 * -0 first made +0 so it ties with +0): integer comparisons are exact and immune to a compiler assuming no
 * NaN, and a missing value gets the key 0xffffffff, above every finite key, so it sorts last and never counts
 * as below a present value. The number of present stocks: the sort's first missing key's position, or a
 * workgroup atomic summed while staging for the count.
 */
import type { WebGpuKernel } from '../../src/ops/types.ts';
import { ROW_WORKGROUP, ROW_PROLOGUE, runRows, workgroupStorageBytes } from './program.ts';
import { bitonicSortWgsl, checkedCapacity, keyAt, sortCapacity, sortKeysWgsl, sortWidth, sortedBoundWgsl } from './bitonic.ts';

const W = ROW_WORKGROUP;

const KEY = `
    fn af_key(v : f32) -> u32 {
      if (af_missing(v)) { return 0xffffffffu; }
      let b = select(bitcast<u32>(v), 0u, v == 0.0);
      return select(b | 0x80000000u, ~b, (b & 0x80000000u) != 0u);
    }`;

/** The sort path's network width for N stocks, or 0 when the keys would not fit the device's workgroup memory. */
export function rankSortWidth(N: number, storageBytes: number): number {
  return 4 * sortCapacity(N, W) <= storageBytes ? sortWidth(N, W) : 0;
}

export const rank: WebGpuKernel = (args) => {
  // A bar of at most one tile is counted in a single pass, cheaper than the sort's log2(S)(log2(S)+1)/2 barriers.
  const S = args.N > W ? rankSortWidth(args.N, workgroupStorageBytes(args.backend)) : 0;
  return S ? rankBySort(args, S) : rankByCount(args);
};

export function rankBySort(args: Parameters<WebGpuKernel>[0], S: number) {
  const C = checkedCapacity(args.N, W, S, 'rank');
  return runRows(args, `rank_sort_${C}`, args.T, `
    ${sortKeysWgsl('af_keys', C)}
    ${KEY}
    ${sortedBoundWgsl('af_bound', 'af_keys', C)}

    fn main(index : i32) {
      ${ROW_PROLOGUE}
      for (var i = u32(lid); i < ${C}u; i += ${W}u) {
        var key = 0xffffffffu;
        if (live && i < u32(N)) { key = af_key(X[row + i32(i)]); }
        ${keyAt('af_keys', 'i')} = key;
      }
      ${bitonicSortWgsl('af_keys', 'uniforms.S', C, 'u32(lid)', W)}
      // Missing values and the padding sort last, so the present ones are the keys before the first of them.
      let m = af_bound(0xffffffffu, false);
      if (!live) { return; }
      for (var i = lid; i < N; i += ${W}) {
        let mine = af_key(X[row + i]);
        let lt = af_bound(mine, false);
        let eq = af_bound(mine, true) - lt;
        // (2 lt + eq + 1) / (2 m): integers exact in float32 up to 2^24, one rounding in the division.
        result[row + i] = select(f32(2u * lt + eq + 1u) / f32(2u * m), uniforms.NAN, mine == 0xffffffffu);
      }
    }`, { decl: 'S : u32,', values: [{ type: 'uint32', data: [S] }] });
}

export function rankByCount(args: Parameters<WebGpuKernel>[0]) {
  const tiles = Math.ceil(args.N / W);
  return runRows(args, 'rank', args.T * tiles, `
    var<workgroup> af_keys : array<u32, ${W}>;
    var<workgroup> af_present : atomic<u32>;
    ${KEY}

    fn main(index : i32) {
      let T = uniforms.outShape.x;
      let N = uniforms.outShape.y;
      let tiles = (N + ${W - 1}) / ${W};
      let g = af_group();
      let bar = g / tiles;
      let live = bar < T;
      let lid = i32(localId.x);
      let j = (g - bar * tiles) * ${W} + lid;
      let row = bar * N;
      var mine = 0xffffffffu;
      if (live && j < N) { mine = af_key(X[row + j]); }
      var lt = 0u;
      var eq = 0u;
      // The loop bounds depend on uniforms only, so every thread reaches every barrier.
      for (var c = 0; c < N; c += ${W}) {
        var key = 0xffffffffu;
        if (live && c + lid < N) { key = af_key(X[row + c + lid]); }
        af_keys[lid] = key;
        if (key != 0xffffffffu) { atomicAdd(&af_present, 1u); }
        workgroupBarrier();
        let len = min(${W}, N - c);
        for (var q = 0; q < len; q++) {
          let o = af_keys[q];
          lt += select(0u, 1u, o < mine);
          eq += select(0u, 1u, o == mine);
        }
        workgroupBarrier();
      }
      let m = atomicLoad(&af_present);
      if (live && j < N) {
        // (2 lt + eq + 1) / (2 m): integers exact in float32 up to 2^24, one rounding in the division.
        result[row + j] = select(f32(2u * lt + eq + 1u) / f32(2u * m), uniforms.NAN, mine == 0xffffffffu);
      }
    }`);
}
