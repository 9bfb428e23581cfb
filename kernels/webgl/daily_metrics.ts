/**
 * WebGL kernel for `af_daily_metrics`: population `[F, D, N]` and label `[D, N]` to one row per factor-day
 * (src/fitness/daily_layout.ts), with the CPU kernel's rules (kernels/cpu/daily_metrics.ts). Three fragment
 * programs from metric_programs.ts: the qcut edge values per factor-day, the rows (turnover columns holding group
 * sizes), then the turnover against the previous used day. Cross-sections wider than METRIC_COUNT_MAX stocks
 * are first sorted per factor-day (bitonic.ts), so ranks are binary searches rather than counts over the
 * cross-section; the sorted rows take F x days x 2 x S texels, so the factors go in blocks that keep them under
 * SORT_TEXELS, each block's final program copying the earlier blocks' rows. A single factor too large for that
 * budget is counted instead.
 */
import type { KernelFunc, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import { COL } from '../../src/fitness/daily_layout.ts';
import { dailyMetricArgs } from '../../src/fitness/metric_args.ts';
import type { WebGlBackendLike, WebGlProgram } from './program.ts';
import { sortRows, sortWidthGl } from './bitonic.ts';
import { edgesProgram, finishProgram, rowsProgram, sortInputProgram, type DailyBlock } from './metric_programs.ts';

/** The widest cross-section the metric kernels (this one and factor_corr.ts) count rather than sort. */
export const METRIC_COUNT_MAX = 64;
/** The most texels of sorted rows alive at once (64 MiB of float32; the sort holds two). */
export const SORT_TEXELS = 1 << 24;

/** How a population is ranked: the sort's padded width S (0 to count) and the factors per block. */
export interface DailyPlan {
  readonly S: number;
  readonly fb: number;
}

/** The sort's padded width and factors per block for a population, or 0 and all factors to count. */
export function dailyMetricBlocks(F: number, nDays: number, N: number): DailyPlan {
  const S = sortWidthGl(N);
  const fb = Math.min(F, Math.floor(SORT_TEXELS / (nDays * 2 * S)));
  return N > METRIC_COUNT_MAX && fb >= 1 ? { S, fb } : { S: 0, fb: F };
}

export const daily_metrics_webgl: KernelFunc = ({ inputs, backend, attrs }) => dailyMetricsWebGl(backend as unknown as WebGlBackendLike, inputs, attrs ?? {});

/** The kernel with its plan chosen by the caller (the tests run every plan on one population). */
export function dailyMetricsWebGl(gl: WebGlBackendLike, inputs: NamedTensorInfoMap, attrs: NamedAttrMap, plan?: DailyPlan): TensorInfo {
  const { factors, label, F, N, q, minStocks, first, nDays } = dailyMetricArgs(inputs, attrs);
  // An empty output short-circuits before any input is read.
  if (F * nDays === 0) {
    return gl.runWebGLProgram(finishProgram({ F, fb: F, nDays, N, q, S: 0 }, COL, false), [factors, label, factors, factors], 'float32', [[minStocks], [first], [0]]);
  }
  const { S, fb: FB } = plan ?? dailyMetricBlocks(F, nDays, N);
  let out: TensorInfo | undefined;
  for (let f0 = 0; f0 < F; f0 += FB) {
    const b: DailyBlock = { F, fb: Math.min(FB, F - f0), nDays, N, q, S };
    const uniforms = [[minStocks], [first], [f0]];
    const run = (program: WebGlProgram, xs: TensorInfo[]) => gl.runWebGLProgram(program, xs, 'float32', uniforms);
    const sorted: TensorInfo[] = [];
    if (S) {
      const keys = run(sortInputProgram(b), [factors, label]);
      sorted.push(sortRows(gl, keys));
      gl.disposeData(keys.dataId);
    }
    const edges = run(edgesProgram(b), [factors, label, ...sorted]);
    const rows = run(rowsProgram(b, COL), [factors, label, edges, ...sorted]);
    const chained = out !== undefined;
    const next = run(finishProgram(b, COL, chained), [factors, label, edges, rows, ...sorted, ...(out ? [out] : [])]);
    for (const t of [edges, rows, ...sorted, ...(out ? [out] : [])]) gl.disposeData(t.dataId);
    out = next;
  }
  return out!;
}
