/**
 * Every operator has a kernel on every custom-kernel backend, looked up through the tfjs kernel registry
 * itself, and a composite for every other backend; one test instead of hand-kept per-backend exclusion lists.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { OPS } from '../src/ops/table.ts';
import { CUSTOM_KERNEL_BACKENDS } from '../src/ops/types.ts';
import { METRIC_KERNELS } from '../src/fitness/metric_kernels.ts';
import { BACKENDS, initBackend } from '../src/eval/backend.ts';

test('every operator and metric kernel is registered for every custom-kernel backend', async () => {
  await initBackend();
  const missingKernels: string[] = [];
  for (const backend of CUSTOM_KERNEL_BACKENDS) {
    assert.ok((BACKENDS as readonly string[]).includes(backend), `${backend} is not a backend a command can ask for`);
    for (const op of OPS) {
      if (!tf.getKernel(op.kernelName, backend)) missingKernels.push(`${op.name} on ${backend}`);
    }
    for (const k of METRIC_KERNELS) {
      if (!tf.getKernel(k.kernelName, backend)) missingKernels.push(`${k.kernelName} on ${backend}`);
    }
  }
  assert.deepEqual(missingKernels, []);
  // Any backend tfjs knows of that is not a custom-kernel one must be served by composites: none of our
  // kernels may be registered there half-way.
  for (const backend of Object.keys(tf.engine().registryFactory)) {
    if ((CUSTOM_KERNEL_BACKENDS as readonly string[]).includes(backend)) continue;
    const partial = OPS.filter((op) => tf.getKernel(op.kernelName, backend)).map((op) => op.name);
    assert.deepEqual(partial, [], `backend ${backend} has some operator kernels but not all`);
  }
});

test('every table row names a distinct kernel and has each backend\'s implementation and a composite', () => {
  const names = new Set(OPS.map((o) => o.kernelName));
  assert.equal(names.size, OPS.length);
  for (const op of OPS) {
    for (const b of CUSTOM_KERNEL_BACKENDS) assert.equal(typeof op.kernels[b], 'function', `${op.name}: no ${b} kernel`);
    assert.equal(typeof op.kernels.composite, 'function', `${op.name}: no composite`);
  }
  const metricNames = new Set(METRIC_KERNELS.map((k) => k.kernelName));
  assert.equal(metricNames.size, METRIC_KERNELS.length);
  for (const k of METRIC_KERNELS) {
    assert.ok(!names.has(k.kernelName), `${k.kernelName} clashes with an operator kernel`);
    for (const b of CUSTOM_KERNEL_BACKENDS) assert.equal(typeof k.kernels[b], 'function', `${k.kernelName}: no ${b} kernel`);
    assert.equal(typeof k.composite, 'function', `${k.kernelName}: no composite`);
  }
});
