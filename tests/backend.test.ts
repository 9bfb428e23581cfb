/**
 * Backend selection: explicit names, `auto`, fallbacks with their reasons, the CLI option's validation, and the
 * composite path (a backend without custom kernels) giving the host kernels' values through the evaluator.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { BACKEND_CHOICES, hasCustomKernel, initBackend, isBackendChoice } from '../src/eval/backend.ts';
import { evaluateToArrays } from '../src/eval/evaluate.ts';
import { parse } from '../src/expr/parse.ts';
import { getOp } from '../src/ops/table.ts';
import { makePanel } from '../src/data/panel.ts';
import { mulberry32 } from '../src/util/rng.ts';
import { compareCells } from './gpu/check_kernels.ts';

const hasWebGpu = !!(globalThis.navigator as { gpu?: unknown } | undefined)?.gpu;

test('backend names are validated', async () => {
  assert.deepEqual([...BACKEND_CHOICES], ['auto', 'cpu', 'wasm', 'webgpu', 'webgl', 'tensorflow']);
  assert.ok(isBackendChoice('webgpu') && !isBackendChoice('gpu'));
  await assert.rejects(initBackend('gpu' as never), /unknown backend 'gpu' \(choose from auto, cpu/);
});

test('a backend that cannot start falls back to cpu and says why', async () => {
  const gl = await initBackend('webgl');
  assert.equal(gl.name, 'cpu');
  assert.match(gl.note ?? '', /^backend 'webgl' failed to initialise \(.+\); falling back to cpu$/);
  assert.equal(tf.getBackend(), 'cpu');
  const tfn = await initBackend('tensorflow');
  assert.equal(tfn.name, 'cpu');
  assert.match(tfn.note ?? '', /tfjs-node-gpu.*tfjs-node.*see the README/);
  if (!hasWebGpu) {
    const gpu = await initBackend('webgpu');
    assert.equal(gpu.name, 'cpu');
    assert.match(gpu.note ?? '', /no WebGPU/);
  }
});

test('auto skips software adapters and names its choice', async () => {
  const info = await initBackend('auto');
  // No machine this suite runs on in CI has a hardware GPU: auto must land on the host kernels and say why.
  assert.equal(info.name, 'cpu');
  assert.match(info.note ?? '', /^backend: cpu \(auto: webgpu: (none in this runtime|software adapter only \(.+\), slower than the CPU kernels); tensorflow: @tensorflow\/tfjs-node-gpu not installed; webgl: (none in this runtime|no WebGL 2 context)\)$/);
  assert.equal(info.skipped?.length, 3);
  // A library call without a choice keeps the active backend.
  assert.equal((await initBackend()).name, 'cpu');
});

test('wasm runs the composites and matches the host kernels through the evaluator', async () => {
  const rng = mulberry32(5);
  const T = 60, N = 9;
  const field = () => Float32Array.from({ length: T * N }, (_, i) => (i % 13 === 0 ? NaN : 10 + Math.round(rng() * 40) / 4));
  const panel = makePanel(Array.from({ length: T }, (_, t) => `2025-01-${String(1 + (t % 28)).padStart(2, '0')} ${t}`),
    Array.from({ length: N }, (_, j) => `S${j}`), { close: field(), volume: field() });
  const texts = ['rank(ts_Mean(5,close))', 'correlation(8,close,volume)', 'sub(close,delay(2,close))', 'ts_Rank(6,stddev(4,volume))'];
  const exprs = texts.map((s) => parse(s));
  await initBackend('cpu');
  const want = await evaluateToArrays(panel, exprs);
  const info = await initBackend('wasm');
  assert.equal(info.name, 'wasm', info.note);
  assert.equal(hasCustomKernel(getOp('rank')), false, 'wasm must run composites');
  const before = tf.memory().numTensors;
  const got = await evaluateToArrays(panel, exprs);
  assert.equal(tf.memory().numTensors, before, 'tensors leaked');
  const problems = texts.flatMap((s, k) => {
    const d = compareCells(got[k]!, want[k]!, T, N);
    return d ? [`${s}: ${d}`] : [];
  });
  assert.deepEqual(problems, []);
  await initBackend('cpu');
});
