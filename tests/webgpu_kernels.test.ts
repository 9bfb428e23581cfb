/**
 * Every WebGPU kernel against the host kernels, through tfjs-backend-webgpu on Deno's WebGPU (a software
 * adapter on machines without a GPU). Node has no WebGPU, so there the test skips and says so; the same checks
 * run in headless Chromium in tests/browser_kernels.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { webgpuOrSkip } from './gpu/webgpu_only.ts';
import { checkOpKernels, hardPanels } from './gpu/check_kernels.ts';
import { REAL_BARS, realSlice } from './gpu/real_slice.ts';

test('WebGPU operator kernels match the host kernels on hard random panels', async (t) => {
  if (!(await webgpuOrSkip(t))) return;
  const before = tf.memory().numTensors;
  const report = await checkOpKernels(hardPanels(11));
  assert.deepEqual(report.failures, []);
  assert.ok(report.runs > 100, `only ${report.runs} runs`);
  assert.equal(tf.memory().numTensors, before, 'tensors leaked');
});

test('WebGPU operator kernels match the host kernels on real data', async (t) => {
  const real = await realSlice();
  if (!real) {
    t.skip(`real data not found at ${REAL_BARS}`);
    return;
  }
  if (!(await webgpuOrSkip(t))) return;
  const report = await checkOpKernels([real]);
  assert.deepEqual(report.failures, []);
});

test('WebGPU rank: the shared-memory sort and the tiled count give the same bits, and the kernel picks by workgroup memory', async (t) => {
  if (!(await webgpuOrSkip(t))) return;
  const { rankByCount, rankBySort, rankSortWidth } = await import('../kernels/webgpu/rank.ts');
  const { mulberry32 } = await import('../src/util/rng.ts');
  const { hardPanel } = await import('./gpu/check_kernels.ts');
  assert.equal(rankSortWidth(37, 16384), 256);
  assert.equal(rankSortWidth(5000, 32768), 8192);
  assert.equal(rankSortWidth(5000, 20480), 8192); // 5,120 keys in memory, a network of 8,192
  assert.equal(rankSortWidth(5000, 16384), 0); // 20 KiB of keys would not fit: the count path
  // A network narrower than the keys, or not a power of two, would sort some of them: refused.
  const probe = { backend: tf.backend() as never, inputs: [], T: 1, N: 700, window: 0 };
  assert.throws(() => rankBySort(probe, 512), /rank: sort width 512 is not a power of two holding 700 stocks/);
  assert.throws(() => rankBySort(probe, 1536), /rank: sort width 1536 is not a power of two/);
  const rng = mulberry32(23);
  const backend = tf.backend() as unknown as Parameters<typeof rankByCount>[0]['backend'];
  // 700 stocks: 768 keys in memory under a network of 1,024, whose upper positions are virtual.
  for (const [T, N] of [[50, 37], [12, 300], [30, 7], [6, 700]]) {
    const x = tf.tensor2d(hardPanel(rng, T, N), [T, N]);
    const args = { backend, inputs: [x], T, N, window: 0 };
    const read = async (info: tf.TensorInfo) => {
      const out = tf.engine().makeTensorFromTensorInfo(info);
      const data = (await out.data()) as Float32Array;
      out.dispose();
      return data;
    };
    const counted = await read(rankByCount(args));
    const sorted = await read(rankBySort(args, rankSortWidth(N, 1 << 30)));
    x.dispose();
    let differ = 0;
    for (let i = 0; i < counted.length; i++) if (!Object.is(counted[i], sorted[i])) differ++;
    assert.equal(differ, 0, `${T}x${N}: ${differ} cells differ`);
    assert.ok(counted.some((v) => Number.isNaN(v)) && counted.some((v) => v > 0), `${T}x${N}: a panel with values and gaps`);
  }
});
