/**
 * Every operator has a kernel on every tfjs backend that is registered, looked up through the tfjs kernel
 * registry itself; one test instead of hand-kept per-backend exclusion lists.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { OPS } from '../src/ops/table.ts';
import { BACKENDS, initBackend } from '../src/eval/backend.ts';

test('every operator has a kernel on every registered backend', async () => {
  await initBackend();
  const registered = Object.keys(tf.engine().registryFactory);
  assert.ok(registered.length > 0);
  for (const b of BACKENDS) assert.ok(registered.includes(b), `backend ${b} is not registered with tfjs`);
  const missingKernels: string[] = [];
  for (const backend of registered) {
    for (const op of OPS) {
      if (!tf.getKernel(op.kernelName, backend)) missingKernels.push(`${op.name} on ${backend}`);
    }
  }
  assert.deepEqual(missingKernels, []);
});

test('every table row names a distinct kernel and has each backend\'s implementation', () => {
  const names = new Set(OPS.map((o) => o.kernelName));
  assert.equal(names.size, OPS.length);
  for (const op of OPS) for (const b of BACKENDS) assert.equal(typeof op.kernels[b], 'function', `${op.name}: no ${b} kernel`);
});
