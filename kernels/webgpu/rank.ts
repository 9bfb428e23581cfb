/**
 * WebGPU kernel for the cross-sectional percentile rank: the average 1-based rank of a stock's tie group among
 * the stocks with a value at that bar, divided by their number. No sort: each workgroup takes one tile of
 * ROW_WORKGROUP stocks of one bar (one thread per stock) and walks the whole bar in chunks of the same width
 * staged in workgroup memory, every thread counting the values below its own and equal to it. That is O(N^2)
 * compare-and-adds per bar, but they are integer ops on data in shared memory read by all threads at once (a
 * broadcast), about 1e11 for 5000 bars x 4800 stocks: tens of milliseconds on a current GPU, and a row of
 * 4800 values would not fit the 16 KiB of workgroup memory a portable sort could rely on. With lt below and
 * eq equal (itself included), the average rank is lt + (eq + 1) / 2, so ties need no second pass.
 *
 * Values are compared as order-preserving u32 keys (sign bit flipped for positives, all bits for negatives,
 * -0 first made +0 so it ties with +0): integer comparisons are exact and immune to a compiler assuming no
 * NaN, and a missing value gets the key 0xffffffff, above every finite key, so it never counts as below a
 * present value. The number of present stocks is summed with a workgroup atomic while the chunks are staged.
 */
import type { WebGpuKernel } from '../../src/ops/types.ts';
import { ROW_WORKGROUP, runRows } from './program.ts';

const W = ROW_WORKGROUP;

export const rank: WebGpuKernel = (args) => {
  const tiles = Math.ceil(args.N / W);
  return runRows(args, 'rank', args.T * tiles, `
    var<workgroup> af_keys : array<u32, ${W}>;
    var<workgroup> af_present : atomic<u32>;

    fn af_key(v : f32) -> u32 {
      if (af_missing(v)) { return 0xffffffffu; }
      let b = select(bitcast<u32>(v), 0u, v == 0.0);
      return select(b | 0x80000000u, ~b, (b & 0x80000000u) != 0u);
    }

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
};
