/**
 * The page side of bench/webgl_paths_bench.ts: bundled for the browser, it times the WebGL kernels' two ways of
 * ranking a cross-section (counting, and sorting with kernels/webgl/bitonic.ts) on seeded random data, from
 * tensors on the GPU to the result read back, and returns the medians.
 */
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../src/eval/backend.ts';
import { mulberry32 } from '../src/util/rng.ts';
import { rankByCount, rankBySort } from '../kernels/webgl/rank.ts';
import { METRIC_COUNT_MAX, dailyMetricBlocks, dailyMetricsWebGl } from '../kernels/webgl/daily_metrics.ts';
import type { WebGlBackendLike } from '../kernels/webgl/program.ts';
import { timeRuns } from './timing.ts';
import { corrSortWidthGl, factorCorrWebGl } from '../kernels/webgl/factor_corr.ts';

export interface PathsRequest {
  readonly rank: ReadonlyArray<readonly [T: number, N: number]>;
  readonly metrics: ReadonlyArray<readonly [F: number, D: number, N: number]>;
  readonly corr: ReadonlyArray<readonly [F: number, D: number, N: number]>;
  readonly runs: number;
}

export interface PathsTiming {
  readonly what: string;
  readonly countMs: number;
  readonly sortMs: number;
}

async function median(runs: number, once: () => Promise<void>): Promise<number> {
  return (await timeRuns(runs, once)).medianMs;
}

async function readAndDispose(info: tf.TensorInfo): Promise<void> {
  const t = tf.engine().makeTensorFromTensorInfo(info);
  await t.data();
  t.dispose();
}

async function timePaths(req: PathsRequest): Promise<{ renderer: string; timings: PathsTiming[] }> {
  await initBackend('webgl');
  if (tf.getBackend() !== 'webgl') throw new Error(`webgl did not start (on ${tf.getBackend()})`);
  const gl = tf.backend() as unknown as WebGlBackendLike;
  const rng = mulberry32(5);
  const timings: PathsTiming[] = [];
  for (const [T, N] of req.rank) {
    const x = tf.tensor2d(Float32Array.from({ length: T * N }, () => Math.round(rng() * 1000) / 10), [T, N]);
    const args = { backend: gl, inputs: [x], T, N, window: 0 };
    const countMs = await median(req.runs, () => readAndDispose(rankByCount(args)));
    const sortMs = await median(req.runs, () => readAndDispose(rankBySort(args)));
    x.dispose();
    timings.push({ what: `rank, ${T} bars x ${N} stocks`, countMs, sortMs });
  }
  for (const [F, D, N] of req.metrics) {
    const factors = tf.tensor3d(Float32Array.from({ length: F * D * N }, () => rng() - 0.5), [F, D, N]);
    const label = tf.tensor2d(Float32Array.from({ length: D * N }, () => (rng() - 0.5) / 10), [D, N]);
    const attrs = { groups: 10, minStocks: 10 };
    const plan = dailyMetricBlocks(F, D, N);
    if (!plan.S) throw new Error(`af_daily_metrics on ${N} stocks would count either way (sorting starts above ${METRIC_COUNT_MAX})`);
    const countMs = await median(req.runs, () => readAndDispose(dailyMetricsWebGl(gl, { factors, label }, attrs, { S: 0, fb: F })));
    const sortMs = await median(req.runs, () => readAndDispose(dailyMetricsWebGl(gl, { factors, label }, attrs, plan)));
    tf.dispose([factors, label]);
    timings.push({ what: `af_daily_metrics, ${F} factors x ${D} days x ${N} stocks, 10 groups`, countMs, sortMs });
  }
  for (const [F, D, N] of req.corr) {
    // No holes: every pair-day takes the sort path where it is on.
    const factors = tf.tensor3d(Float32Array.from({ length: F * D * N }, () => rng() - 0.5), [F, D, N]);
    const S = corrSortWidthGl(F, D, N);
    if (!S) throw new Error(`af_factor_corr on ${F} x ${D} x ${N} would count either way`);
    const countMs = await median(req.runs, () => readAndDispose(factorCorrWebGl(gl, { factors }, { minStocks: 10 }, 0)));
    const sortMs = await median(req.runs, () => readAndDispose(factorCorrWebGl(gl, { factors }, { minStocks: 10 }, S)));
    factors.dispose();
    timings.push({ what: `af_factor_corr, ${F} factors x ${D} days x ${N} stocks, no holes`, countMs, sortMs });
  }
  const ctx = document.createElement('canvas').getContext('webgl2');
  const dbg = ctx?.getExtension('WEBGL_debug_renderer_info');
  const renderer = ctx ? String(ctx.getParameter(dbg ? dbg.UNMASKED_RENDERER_WEBGL : ctx.RENDERER)) : '?';
  return { renderer, timings };
}

(globalThis as { timePaths?: typeof timePaths }).timePaths = timePaths;
