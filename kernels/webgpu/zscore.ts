/**
 * WebGPU kernel for the cross-sectional z-score, (x - mean) / std with the sample (n - 1) std; NaN for a bar
 * with fewer than two values or whose values are all equal. One workgroup per bar, four sweeps over the bar
 * with shared-memory tree reductions between them: count, minimum and maximum; the sum; the squared
 * deviations from the mean (two passes, not a sum of squares, so price-sized values keep their digits); the
 * z-scores. "All equal" is decided by minimum == maximum, exactly, rather than by a variance that rounding may
 * leave slightly positive. Values are divided by a power of two that brings the largest |x| to [1, 2), an
 * exact scaling that cancels in the z-score and keeps the float32 sums of squares from overflowing where the
 * host's float64 ones would not.
 */
import type { WebGpuKernel } from '../../src/ops/types.ts';
import { reduceTree, ROW_WORKGROUP, ROW_PROLOGUE, runRows } from './program.ts';

const W = ROW_WORKGROUP;

export const zscore: WebGpuKernel = (args) =>
  runRows(args, 'zscore', args.T, `
    var<workgroup> af_ra : array<f32, ${W}>;
    var<workgroup> af_rb : array<f32, ${W}>;
    var<workgroup> af_rc : array<f32, ${W}>;

    fn main(index : i32) {
      ${ROW_PROLOGUE}
      var cnt = 0.0;
      var lo = 3.0e38;
      var hi = -3.0e38;
      if (live) {
        for (var j = lid; j < N; j += ${W}) {
          let v = X[row + j];
          if (!af_missing(v)) {
            cnt += 1.0;
            lo = min(lo, v);
            hi = max(hi, v);
          }
        }
      }
      af_ra[lid] = cnt;
      af_rb[lid] = lo;
      af_rc[lid] = hi;
      ${reduceTree('af_ra[lid] += af_ra[lid + w]; af_rb[lid] = min(af_rb[lid], af_rb[lid + w]); af_rc[lid] = max(af_rc[lid], af_rc[lid + w]);')}
      let m = af_ra[0];
      let rlo = af_rb[0];
      let rhi = af_rc[0];
      workgroupBarrier();
      let bad = m < 2.0 || rlo == rhi;
      let sc = af_pow2(-af_scale_exp(max(abs(rlo), abs(rhi))));
      var s = 0.0;
      if (live && !bad) {
        for (var j = lid; j < N; j += ${W}) {
          let v = X[row + j];
          if (!af_missing(v)) { s += v * sc; }
        }
      }
      af_ra[lid] = s;
      ${reduceTree('af_ra[lid] += af_ra[lid + w];')}
      let mean = af_ra[0] / max(m, 1.0);
      workgroupBarrier();
      var q = 0.0;
      if (live && !bad) {
        for (var j = lid; j < N; j += ${W}) {
          let v = X[row + j];
          if (!af_missing(v)) {
            let d = v * sc - mean;
            q += d * d;
          }
        }
      }
      af_ra[lid] = q;
      ${reduceTree('af_ra[lid] += af_ra[lid + w];')}
      let sd = sqrt(af_ra[0] / max(m - 1.0, 1.0));
      if (live) {
        for (var j = lid; j < N; j += ${W}) {
          let v = X[row + j];
          var o = uniforms.NAN;
          if (!bad && !af_missing(v)) { o = af_store((v * sc - mean) / sd); }
          result[row + j] = o;
        }
      }
    }`);
