/**
 * WebGPU kernel for the cross-sectional `scale`, x / sum|x| at each bar; NaN for a bar whose present values are
 * all zero, or that has none. One workgroup per bar, three sweeps over the bar with shared-memory tree
 * reductions between them: the largest |x|, then the sum of |x| divided by a power of two that brings that
 * largest to [1, 2), then the quotients. The scaling is exact and cancels in the quotient; it keeps the float32
 * sum from overflowing where the host's float64 sum would not (large volumes times large volumes) and keeps
 * tiny values out of subnormals. Each thread sums a strided part of the row before the tree, so rounding grows
 * with N / 256 + log2(256) rather than N.
 */
import type { WebGpuKernel } from '../../src/ops/types.ts';
import { reduceTree, ROW_WORKGROUP, ROW_PROLOGUE, runRows } from './program.ts';

const W = ROW_WORKGROUP;

export const scale: WebGpuKernel = (args) =>
  runRows(args, 'scale', args.T, `
    var<workgroup> af_ra : array<f32, ${W}>;

    fn main(index : i32) {
      ${ROW_PROLOGUE}
      var big = 0.0;
      if (live) {
        for (var j = lid; j < N; j += ${W}) {
          let v = X[row + j];
          if (!af_missing(v)) { big = max(big, abs(v)); }
        }
      }
      af_ra[lid] = big;
      ${reduceTree('af_ra[lid] = max(af_ra[lid], af_ra[lid + w]);')}
      let top = af_ra[0];
      workgroupBarrier();
      let sc = af_pow2(-af_scale_exp(top));
      var s = 0.0;
      if (live) {
        for (var j = lid; j < N; j += ${W}) {
          let v = X[row + j];
          if (!af_missing(v)) { s += abs(v) * sc; }
        }
      }
      af_ra[lid] = s;
      ${reduceTree('af_ra[lid] += af_ra[lid + w];')}
      let sum = af_ra[0];
      if (live) {
        for (var j = lid; j < N; j += ${W}) {
          let v = X[row + j];
          var o = uniforms.NAN;
          if (top > 0.0 && !af_missing(v)) { o = af_store(v * sc / sum); }
          result[row + j] = o;
        }
      }
    }`);
