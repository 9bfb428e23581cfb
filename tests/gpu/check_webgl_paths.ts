/**
 * The WebGL kernels' two ways of ranking a cross-section, run side by side on the same data in the browser page
 * (tests/browser/kernels_page.ts, WebGL only): counting and sorting (kernels/webgl/bitonic.ts) must give the same
 * bits, for the rank operator, for `af_daily_metrics`, whose sort path also goes in blocks of factors, here
 * forced small so that a block boundary falls inside a population, and for `af_factor_corr`, whose sort path
 * still counts the pair-days where the two factors' holes differ. Each result is also compared with the host
 * kernel, so a path that agreed with the other only by sharing a mistake still fails.
 */
import * as tf from '@tensorflow/tfjs-core';
import { mulberry32 } from '../../src/util/rng.ts';
import { OPS } from '../../src/ops/table.ts';
import { rankByCount, rankBySort } from '../../kernels/webgl/rank.ts';
import { dailyMetricsWebGl, type DailyPlan } from '../../kernels/webgl/daily_metrics.ts';
import { factorCorrWebGl } from '../../kernels/webgl/factor_corr.ts';
import { sortWidthGl } from '../../kernels/webgl/bitonic.ts';
import type { WebGlBackendLike } from '../../kernels/webgl/program.ts';
import { compareCells, hardPanel, type CheckReport } from './check_kernels.ts';
import { compareDailyMetricsBy, compareFactorCorr, population } from './check_metrics.ts';

async function read(info: tf.TensorInfo): Promise<Float32Array> {
  const t = tf.engine().makeTensorFromTensorInfo(info);
  const data = (await t.data()) as Float32Array;
  t.dispose();
  return data;
}

function differing(a: Float32Array, b: Float32Array): number {
  return a.reduce((n, v, i) => n + (Object.is(v, b[i]) ? 0 : 1), 0);
}

export async function checkWebGlPaths(seed: number): Promise<CheckReport> {
  const gl = tf.backend() as unknown as WebGlBackendLike;
  const rng = mulberry32(seed);
  const failures: string[] = [];
  let runs = 0, cells = 0;

  const rankOp = OPS.find((op) => op.name === 'rank')!;
  for (const [T, N] of [[24, 150], [6, 300]]) {
    const xs = hardPanel(rng, T, N, true);
    const want = new Float32Array(T * N);
    rankOp.kernels.cpu({ xs: [xs], T, N, window: 0, out: want });
    const x = tf.tensor2d(xs, [T, N]);
    const args = { backend: gl, inputs: [x], T, N, window: 0 };
    const counted = await read(rankByCount(args));
    const sorted = await read(rankBySort(args));
    x.dispose();
    runs += 2;
    cells += 2 * want.length;
    const what = `rank on ${T}x${N}`;
    if (differing(counted, sorted)) failures.push(`${what}: count and sort differ in ${differing(counted, sorted)} cells`);
    const diff = compareCells(sorted, want, T, N);
    if (diff) failures.push(`${what} (sort): ${diff}`);
  }

  for (const [F, D, N, q] of [[7, 6, 150, 5], [3, 5, 300, 10]]) {
    const p = population(rng, `${F}x${D}x${N}`, F, D, N, [0, 1, 2, 3, 4, 5, 6]);
    const S = sortWidthGl(N);
    const plans: Array<[string, DailyPlan]> = [['count', { S: 0, fb: F }], ['sort', { S, fb: F }], ['sort by 1', { S, fb: 1 }], ['sort by 2', { S, fb: 2 }]];
    let reference: Float32Array | undefined;
    for (const [name, plan] of plans) {
      const what = `af_daily_metrics (${name}) on ${p.label}`;
      const { diff, got } = await compareDailyMetricsBy(p, q, 10, (factors, label) =>
        tf.engine().makeTensorFromTensorInfo(dailyMetricsWebGl(gl, { factors, label }, { groups: q, minStocks: 10 }, plan)));
      runs++;
      cells += got.length;
      if (diff) failures.push(`${what}: ${diff}`);
      if (!reference) reference = got;
      else if (differing(reference, got)) failures.push(`${what}: ${differing(reference, got)} cells differ from counting`);
    }
  }
  // Holes in some factors and not others make most pair-days count; without holes every pair-day sorts.
  for (const holes of [true, false]) {
    const p = population(rng, `${holes ? 'holey' : 'dense'} 5x4x200`, 5, 4, 200, [0, 1, 5, 2, 6], holes);
    const factors = tf.tensor3d(p.factors, [p.F, p.D, p.N]);
    const [counted, sorted] = await Promise.all([0, sortWidthGl(p.N)].map((S) => read(factorCorrWebGl(gl, { factors }, { minStocks: 10 }, S))));
    factors.dispose();
    runs += 2;
    cells += counted!.length + sorted!.length;
    const what = `af_factor_corr on ${p.label}`;
    if (differing(counted!, sorted!)) failures.push(`${what}: count and sort differ in ${differing(counted!, sorted!)} cells`);
    const diff = compareFactorCorr(p, sorted!, 10, 0, p.D - 1);
    if (diff) failures.push(`${what} (sort): ${diff}`);
  }
  return { backend: 'webgl', runs, cells, failures };
}
