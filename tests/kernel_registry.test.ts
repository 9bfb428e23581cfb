/**
 * Every operator has a kernel on every tfjs backend that is registered, looked up through the tfjs kernel
 * registry itself; one test instead of hand-kept per-backend exclusion lists.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { OPS } from '../src/ops/table.ts';
import { METRIC_KERNELS } from '../src/fitness/metric_kernels.ts';
import { BACKENDS, initBackend } from '../src/eval/backend.ts';

test('every operator and metric kernel has a kernel on every registered backend', async () => {
  await initBackend();
  const registered = Object.keys(tf.engine().registryFactory);
  assert.ok(registered.length > 0);
  for (const b of BACKENDS) assert.ok(registered.includes(b), `backend ${b} is not registered with tfjs`);
  const missingKernels: string[] = [];
  for (const backend of registered) {
    for (const op of OPS) {
      if (!tf.getKernel(op.kernelName, backend)) missingKernels.push(`${op.name} on ${backend}`);
    }
    for (const k of METRIC_KERNELS) {
      if (!tf.getKernel(k.kernelName, backend)) missingKernels.push(`${k.kernelName} on ${backend}`);
    }
  }
  assert.deepEqual(missingKernels, []);
});

test('every table row names a distinct kernel and has each backend\'s implementation', () => {
  const names = new Set(OPS.map((o) => o.kernelName));
  assert.equal(names.size, OPS.length);
  for (const op of OPS) for (const b of BACKENDS) assert.equal(typeof op.kernels[b], 'function', `${op.name}: no ${b} kernel`);
  const metricNames = new Set(METRIC_KERNELS.map((k) => k.kernelName));
  assert.equal(metricNames.size, METRIC_KERNELS.length);
  for (const k of METRIC_KERNELS) {
    assert.ok(!names.has(k.kernelName), `${k.kernelName} clashes with an operator kernel`);
    for (const b of BACKENDS) assert.equal(typeof k.kernels[b], 'function', `${k.kernelName}: no ${b} kernel`);
  }
});
