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
