/**
 * The evaluator: shared subtrees run once, intermediates are released as soon as nothing needs them, no tensor
 * outlives an evaluation except the outputs, and failures leave nothing behind.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { parse } from '../src/expr/parse.ts';
import { Evaluator, EvalError, evaluateToArrays } from '../src/eval/evaluate.ts';
import { initBackend } from '../src/eval/backend.ts';
import { makePanel } from '../src/data/panel.ts';
import { STANDARD_FIELDS } from '../src/expr/ast.ts';
import { mulberry32 } from '../src/util/rng.ts';

function panel(T: number, N: number, seed: number) {
  const rng = mulberry32(seed);
  const fields: Record<string, Float32Array> = {};
  for (const f of STANDARD_FIELDS) {
    const a = new Float32Array(T * N);
    for (let i = 0; i < a.length; i++) a[i] = rng() < 0.05 ? NaN : 10 + rng() * 5;
    fields[f] = a;
  }
  const times = Array.from({ length: T }, (_, t) => `2025-01-01 ${String(t).padStart(4, '0')}`);
  const codes = Array.from({ length: N }, (_, j) => `S${j}`);
  return makePanel(times, codes, fields);
}

const EXPRS = [
  'sub(close,ts_Mean(8,low))',
  'div(ts_Mean(8,low),close)',
  'correlation(5,ts_Mean(8,low),rank(close))',
  'min(low,low)',
  'sub(close,ts_Mean(8,low))',
  'add(close,2.5)',
].map((s) => parse(s));

test('shared subtrees are computed once and only outputs remain afterwards', async () => {
  await initBackend();
  const p = panel(60, 7, 1);
  const before = tf.memory().numTensors;
  const ev = new Evaluator(p);
  let outs: tf.Tensor2D[] = [];
  const profile = await tf.profile(() => {
    outs = ev.evaluate(EXPRS);
    return [] as tf.Tensor[];
  });
  const runs = (name: string) => profile.kernels.filter((k) => k.name === name).length;
  assert.equal(runs('af_ts_Mean'), 1);
  assert.equal(runs('af_sub'), 1);
  assert.equal(runs('af_rank'), 1);
  assert.equal(runs('af_min'), 1);
  assert.equal(outs.length, EXPRS.length);
  assert.equal(tf.memory().numTensors, before + outs.length);
  // The repeated expression gets its own handle with the same values.
  assert.deepEqual(Array.from(outs[4].dataSync()), Array.from(outs[0].dataSync()));
  for (const o of outs) o.dispose();
  assert.equal(tf.memory().numTensors, before);
});

test('peak live tensors stay bounded by what is needed, not by the number of nodes', async () => {
  await initBackend();
  const p = panel(40, 5, 2);
  const exprs = Array.from({ length: 30 }, (_, i) => parse(`ts_Mean(${i + 2},delta(${i + 1},close))`));
  const before = tf.memory().numTensors;
  let peak = 0;
  const orig = tf.engine().runKernel.bind(tf.engine());
  const engine = tf.engine() as unknown as { runKernel: typeof orig };
  engine.runKernel = ((...a: Parameters<typeof orig>) => {
    const r = orig(...a);
    peak = Math.max(peak, tf.memory().numTensors - before);
    return r;
  }) as typeof orig;
  try {
    const outs = new Evaluator(p).evaluate(exprs);
    for (const o of outs) o.dispose();
  } finally {
    engine.runKernel = orig;
  }
  // 30 outputs are kept; each factor needs at most the close field and one intermediate beside them.
  assert.ok(peak <= 30 + 3, `peak ${peak}`);
  assert.equal(tf.memory().numTensors, before);
});

test('an unknown field fails with EvalError and leaks nothing', async () => {
  await initBackend();
  const p = makePanel(['a', 'b'], ['X'], { close: new Float32Array([1, 2]) });
  const before = tf.memory().numTensors;
  assert.throws(() => new Evaluator(p).evaluate([parse('add(close,open)')]), (e: unknown) => e instanceof EvalError && /field 'open' is not in the data \(fields: close\)/.test(e.message));
  assert.equal(tf.memory().numTensors, before);
});

test('evaluateToArrays returns plain arrays with the panel shape', async () => {
  const p = makePanel(['a', 'b', 'c'], ['X', 'Y'], { close: new Float32Array([1, 2, 3, NaN, 5, 6]) });
  const before = tf.memory().numTensors;
  const [v] = await evaluateToArrays(p, [parse('delta(1,close)')]);
  assert.equal(tf.memory().numTensors, before);
  assert.ok(Number.isNaN(v[0]) && Number.isNaN(v[1]));
  assert.equal(v[2], 2);
  assert.ok(Number.isNaN(v[3]));
  assert.equal(v[4], 2);
  assert.ok(Number.isNaN(v[5]));
});
