/**
 * The composite metric kernels (kernels/composite/daily_metrics.ts, factor_corr.ts, take_rows.ts: standard tfjs
 * ops only, what tfjs-node's `tensorflow` backend runs, CUDA included) against the host kernels, on the tfjs
 * `cpu` and `wasm` backends, with the same hard random populations and tolerances as the WebGPU and WebGL
 * checks (tests/gpu/check_metrics.ts: used flags, coverage and NaN patterns exact, groups and turnover counts
 * exact, float32 accumulation error only), and on real 30-minute bars. Also: wasm's own metric kernels are the
 * host ones reading its memory, and the scoring entry point takes either path.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { checkMetricKernels, population, populationFromBars } from './gpu/check_metrics.ts';
import { populationMetrics, populationMetricsTensor, type FactorSummary } from '../src/fitness/metrics.ts';
import { mulberry32 } from '../src/util/rng.ts';
import { REAL_BARS, realSlice } from './gpu/real_slice.ts';

async function use(backend: string): Promise<void> {
  if (tf.getBackend() !== backend) assert.ok(await tf.setBackend(backend), `could not start ${backend}`);
  await tf.ready();
}

for (const backend of ['cpu', 'wasm']) {
  test(`composite metric kernels match the host kernels on ${backend} (two seeds)`, async () => {
    await use(backend);
    const before = tf.memory().numTensors;
    // Seed 2 has qcut edges that the float64 lerp rounds onto a sorted value: the rounding rule is exercised.
    for (const seed of [1, 2]) {
      const report = await checkMetricKernels(seed, 'composite');
      assert.deepEqual(report.failures, [], `seed ${seed}`);
      assert.equal(report.runs, 27);
    }
    assert.equal(tf.memory().numTensors, before, 'tensors leaked');
  });
}

test('wasm runs the host metric kernels on its own memory', async () => {
  await use('wasm');
  const before = tf.memory().numTensors;
  const report = await checkMetricKernels(3);
  assert.deepEqual(report.failures, []);
  assert.equal(report.runs, 27);
  assert.equal(tf.memory().numTensors, before, 'tensors leaked');
});

test('composite daily metrics split into factor blocks give the same rows as one block', async () => {
  await use('cpu');
  const { dailyMetricsComposite } = await import('../kernels/composite/daily_metrics.ts');
  const p = population(mulberry32(12), 'blocks 5x9x40', 5, 9, 40, [0, 1, 2, 3, 4]);
  const factors = tf.tensor3d(p.factors, [p.F, p.D, p.N]);
  const label = tf.tensor2d(p.y, [p.D, p.N]);
  const attrs = { q: 4, minStocks: 5, first: 1, last: 8 };
  const one = dailyMetricsComposite(factors, label, attrs);
  // 2 factors' days per block: blocks of 2, 2 and 1 factors, turnover never crossing a factor boundary.
  const split = dailyMetricsComposite(factors, label, attrs, 2 * 8 * 40);
  assert.deepEqual(split.shape, [5, 8, 11]);
  assert.deepEqual(Array.from(await split.data()), Array.from(await one.data()));
  tf.dispose([factors, label, one, split]);
});

test('populationMetricsTensor gives the same summaries through the composite', async () => {
  await use('cpu');
  const p = population(mulberry32(5), 'summaries 4x30x60', 4, 30, 60, [0, 1, 5, 2]);
  const factors = tf.tensor3d(p.factors, [p.F, p.D, p.N]);
  const label = tf.tensor2d(p.y, [p.D, p.N]);
  const opts = { groups: 5, minStocks: 8 };
  const viaComposite = await populationMetricsTensor(factors, label, { ...opts, path: 'composite' });
  tf.dispose([factors, label]);
  const views = Array.from({ length: p.F }, (_, f) => p.factors.subarray(f * p.D * p.N, (f + 1) * p.D * p.N));
  const host = populationMetrics(views, p.y, p.D, p.N, opts);
  let compared = 0;
  for (let f = 0; f < p.F; f++) {
    for (const key of Object.keys(host[f]!) as (keyof FactorSummary)[]) {
      const want = host[f]![key] as number;
      const got = viaComposite[f]![key] as number;
      if (Number.isNaN(want)) assert.ok(Number.isNaN(got), `factor ${f} ${key}: want NaN, got ${got}`);
      else {
        assert.ok(Math.abs(got - want) <= 1e-4 * Math.max(1, Math.abs(want)), `factor ${f} ${key}: want ${want}, got ${got}`);
        compared++;
      }
    }
  }
  assert.ok(compared > 30, `only ${compared} finite summary values compared`);
});

test('composite metric kernels match the host kernels on real 30-minute bars', async (t) => {
  const bars = await realSlice(120, 400);
  if (!bars) {
    t.skip(`real data absent (${REAL_BARS}); see ../shared/data/README`);
    return;
  }
  await use('cpu');
  const report = await checkMetricKernels(4, 'composite', [populationFromBars(bars)]);
  assert.deepEqual(report.failures, []);
  assert.equal(report.runs, 32);
});
