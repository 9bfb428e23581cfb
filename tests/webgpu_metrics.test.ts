/**
 * The WebGPU metric kernels (af_daily_metrics, af_factor_corr, af_take_rows) against the host kernels, through
 * tfjs-backend-webgpu on Deno's WebGPU (a software adapter on machines without a GPU). Node has no WebGPU, so
 * there the test skips and says so; the same checks run in headless Chromium in tests/browser_kernels.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { webgpuOrSkip } from './gpu/webgpu_only.ts';
import { checkMetricKernels } from './gpu/check_metrics.ts';

test('WebGPU metric kernels match the host kernels on hard random populations', async (t) => {
  if (!(await webgpuOrSkip(t))) return;
  const before = tf.memory().numTensors;
  const report = await checkMetricKernels(7);
  assert.deepEqual(report.failures, []);
  assert.ok(report.runs >= 18, `only ${report.runs} runs`);
  assert.equal(tf.memory().numTensors, before, 'tensors leaked');
});
