/**
 * The WebGPU metric kernels (af_daily_metrics, af_factor_corr, af_take_rows) against the host kernels, through
 * tfjs-backend-webgpu on Deno's WebGPU (a software adapter on machines without a GPU). Node has no WebGPU, so
 * there the test skips and says so; the same checks run in headless Chromium in tests/browser_kernels.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import process from 'node:process';
import * as tf from '@tensorflow/tfjs-core';
import { webgpuOrSkip } from './gpu/webgpu_only.ts';
import { checkMetricKernels, populationFromBars } from './gpu/check_metrics.ts';
import { REAL_BARS, realSlice } from './gpu/real_slice.ts';

test('WebGPU metric kernels match the host kernels on hard random populations and real bars', async (t) => {
  if (!(await webgpuOrSkip(t))) return;
  const bars = await realSlice();
  if (!bars) t.diagnostic(`real-data part skipped: no data at ${REAL_BARS}`);
  const before = tf.memory().numTensors;
  const report = await checkMetricKernels(7, 'auto', bars ? [populationFromBars(bars)] : []);
  assert.deepEqual(report.failures, []);
  assert.equal(report.runs, bars ? 32 : 27);
  assert.equal(tf.memory().numTensors, before, 'tensors leaked');
});

test('WebGPU daily metrics and correlation: sorting and counting give the same bits, and the kernels sort wide cross-sections that fit', async (t) => {
  if (!(await webgpuOrSkip(t))) return;
  const { dailyMetricsWebGpu } = await import('../kernels/webgpu/daily_metrics.ts');
  const { factorCorrWebGpu } = await import('../kernels/webgpu/factor_corr.ts');
  const { corrSortWidth, dailySortWidth } = await import('../kernels/webgpu/metric_programs.ts');
  const { population } = await import('./gpu/check_metrics.ts');
  const { mulberry32 } = await import('../src/util/rng.ts');
  const { COL } = await import('../src/fitness/daily_layout.ts');
  const { workgroupBytesOf } = await import('../kernels/webgpu/program.ts');
  // Each workgroup variable rounded up to 16 bytes, as WebGPU counts them.
  assert.equal(workgroupBytesOf('var<workgroup> k : array<vec4<u32>, 512>; var<workgroup> f : u32;\nvar<workgroup> c : array<atomic<u32>, 5>;'), 8192 + 16 + 32);
  assert.equal(dailySortWidth(256, 5, COL, 1 << 30), 0); // one tile: counted in a single pass
  assert.equal(dailySortWidth(1100, 5, COL, 16384), 2048);
  // 5,000 stocks keep 5,120 keys (20 KiB), not the network's 8,192: with the stage's other arrays that fits the
  // 32 KiB most adapters give; 7,000 stocks need NVIDIA's 48 KiB, 10,000 a network of 16,384.
  assert.equal(dailySortWidth(5000, 10, COL, 32768), 8192);
  assert.equal(dailySortWidth(5000, 10, COL, 24576), 0);
  assert.equal(dailySortWidth(7000, 10, COL, 32768), 0);
  assert.equal(dailySortWidth(7000, 10, COL, 49152), 8192);
  assert.equal(dailySortWidth(10000, 10, COL, 49152), 16384);
  assert.equal(corrSortWidth(256, 1 << 30), 0);
  assert.equal(corrSortWidth(1100, 16384), 2048);
  assert.equal(corrSortWidth(5000, 32768), 8192);
  assert.equal(corrSortWidth(7000, 32768), 0);
  assert.equal(corrSortWidth(7000, 49152), 8192);
  const backend = tf.backend() as unknown as Parameters<typeof dailyMetricsWebGpu>[0];
  const rng = mulberry32(31);
  for (const [F, D, N, q] of [[7, 6, 300, 5], [4, 5, 700, 10], [3, 4, 1100, 3]]) {
    const p = population(rng, `${F}x${D}x${N}`, F, D, N, [0, 1, 2, 3, 4, 5, 6]);
    const factors = tf.tensor3d(p.factors, [F, D, N]);
    const label = tf.tensor2d(p.y, [D, N]);
    const read = async (S: number): Promise<Float32Array> => {
      const out = tf.engine().makeTensorFromTensorInfo(dailyMetricsWebGpu(backend, { factors, label }, { groups: q, minStocks: 10 }, S));
      const data = (await out.data()) as Float32Array;
      out.dispose();
      return data;
    };
    const readCorr = async (S: number): Promise<Float32Array> => {
      const out = tf.engine().makeTensorFromTensorInfo(factorCorrWebGpu(backend, { factors }, { minStocks: 10 }, S));
      const data = (await out.data()) as Float32Array;
      out.dispose();
      return data;
    };
    const counted = await read(0);
    const sorted = await read(dailySortWidth(N, q, COL, 1 << 30));
    const corrCounted = await readCorr(0);
    const corrSorted = await readCorr(corrSortWidth(N, 1 << 30));
    factors.dispose();
    label.dispose();
    const differing = (a: Float32Array, b: Float32Array) => a.reduce((n, v, i) => n + (Object.is(v, b[i]) ? 0 : 1), 0);
    assert.equal(differing(counted, sorted), 0, `${p.label}: daily rows differ`);
    assert.ok(counted.some((v) => Number.isNaN(v)) && counted.some((v) => v > 0 && v < 1), `${p.label}: rows with values and gaps`);
    assert.equal(differing(corrCounted, corrSorted), 0, `${p.label}: correlations differ (${corrCounted} vs ${corrSorted})`);
    assert.ok(corrCounted.some((v) => Number.isNaN(v)) && corrCounted.some((v, i) => i % (F + 1) !== 0 && Number.isFinite(v)), `${p.label}: pairs with values and gaps`);
  }
});

test('5,000-stock cross-sections (the large panel\'s width) take the sort paths and match the host kernels', async (t) => {
  if (!(await webgpuOrSkip(t))) return;
  // Through wgpu's OpenGL backend llvmpipe compiles these shaders for minutes; over Vulkan (lavapipe, CI) in seconds.
  if (process.env.DENO_WEBGPU_BACKEND !== 'vulkan') {
    t.skip('runs with DENO_WEBGPU_BACKEND=vulkan (CI sets it): through OpenGL its shaders take llvmpipe minutes to compile');
    return;
  }
  const { rankSortWidth } = await import('../kernels/webgpu/rank.ts');
  const { dailySortWidth } = await import('../kernels/webgpu/metric_programs.ts');
  const { workgroupStorageBytes } = await import('../kernels/webgpu/program.ts');
  const { COL } = await import('../src/fitness/daily_layout.ts');
  const { mulberry32 } = await import('../src/util/rng.ts');
  const { checkWideOps, widePopulation } = await import('./gpu/check_wide.ts');
  const N = 5000;
  const storage = workgroupStorageBytes(tf.backend() as unknown as Parameters<typeof workgroupStorageBytes>[0]);
  assert.ok(rankSortWidth(N, storage) > 0 && dailySortWidth(N, 10, COL, storage) > 0, `the sort paths at ${N} stocks with ${storage} bytes of workgroup memory`);
  const rng = mulberry32(17);
  const ops = await checkWideOps(rng, N);
  const metrics = await checkMetricKernels(3, 'auto', [widePopulation(rng, N)]);
  assert.deepEqual([...ops.failures, ...metrics.failures], []);
  assert.ok(ops.runs >= 3 && metrics.runs > 20, `runs: ${ops.runs} operator, ${metrics.runs} metric`);
});
