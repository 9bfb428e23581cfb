/**
 * Parallel evaluation: a pool of workers gives bit-identical values to the in-process evaluator whatever the
 * number of workers, keeps order, handles repeated expressions and bare fields, and reports errors as the
 * in-process evaluator does.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from '../src/expr/parse.ts';
import { EvalError, evaluateToArrays } from '../src/eval/evaluate.ts';
import { EvalPool } from '../src/eval/pool.ts';
import { makePanel } from '../src/data/panel.ts';
import { mulberry32 } from '../src/util/rng.ts';

const T = 120;
const N = 11;
const rng = mulberry32(42);
const mk = () => Float32Array.from({ length: T * N }, () => (rng() < 0.05 ? NaN : 5 + rng() * 10));
const panel = makePanel(
  Array.from({ length: T }, (_, t) => `t${t}`),
  Array.from({ length: N }, (_, j) => `s${j}`),
  { close: mk(), open: mk(), volume: mk() },
);
const fields = ['close', 'open', 'volume'];
const TEXTS = [
  'correlation(8,close,volume)', 'close', 'rank(sub(close,open))', 'ts_Rank(5,volume)', 'close',
  'REGresid_ts(6,close,open)', 'div(close,ts_Mean(4,open))', 'stddev(3,delta(1,close))', 'ts_ArgMax(7,open)',
  'zscore(volume)', 'correlation(8,close,volume)',
];
const exprs = TEXTS.map((s) => parse(s, { fields }));

test('a pool gives the same bits as in-process evaluation, in order, for 2 and 3 workers', async () => {
  const local = await evaluateToArrays(panel, exprs);
  for (const workers of [2, 3]) {
    const pooled = await evaluateToArrays(panel, exprs, { workers });
    assert.equal(pooled.length, exprs.length);
    pooled.forEach((a, k) => {
      assert.equal(a.length, T * N);
      for (let i = 0; i < a.length; i++) assert.ok(Object.is(a[i], local[k][i]), `${TEXTS[k]} cell ${i}: ${a[i]} vs ${local[k][i]}`);
    });
    // Results are the caller's own arrays: writing one changes neither the panel nor another result.
    pooled[1].fill(-1);
    assert.notEqual(panel.fields.get('close')![0], -1);
    assert.notEqual(pooled[4][0], -1);
  }
});

test('evaluateRows sends back the asked rows of each value, bit for bit, NaN past the panel', async () => {
  const local = await evaluateToArrays(panel, exprs);
  const rows = Int32Array.of(119, 0, 57, 58, 120, 3, 3);
  const pool = await EvalPool.create(2);
  try {
    const { daily: cut, metrics } = await pool.evaluateRows(panel, exprs, rows);
    assert.deepEqual(metrics, [], 'no metrics asked for');
    assert.equal(cut.length, exprs.length);
    cut.forEach((a, k) => {
      assert.equal(a.length, rows.length * N);
      rows.forEach((r, i) => {
        for (let j = 0; j < N; j++) {
          const want = r < T ? local[k][r * N + j] : NaN;
          assert.ok(Object.is(a[i * N + j], want), `${TEXTS[k]} row ${r} stock ${j}: ${a[i * N + j]} vs ${want}`);
        }
      });
    });
    // The same pool still evaluates whole panels afterwards.
    const [whole] = await pool.evaluate(panel, exprs.slice(2, 3));
    assert.equal(whole.length, T * N);
  } finally {
    pool.close();
  }
});

test('a pool is reusable across calls and panels, reports progress, and rejects missing fields', async () => {
  const pool = await EvalPool.create(2);
  try {
    const seen: number[] = [];
    const a = await pool.evaluate(panel, exprs, (done, total) => {
      assert.equal(total, exprs.length);
      seen.push(done);
    });
    assert.equal(seen[seen.length - 1], exprs.length);
    assert.deepEqual([...seen].sort((x, y) => x - y), seen);
    const small = makePanel(['a', 'b', 'c'], ['x'], { close: Float32Array.of(1, 2, 4) });
    const [d] = await pool.evaluate(small, [parse('delta(1,close)')]);
    assert.deepEqual(Array.from(d), [NaN, 1, 2]);
    const b = await pool.evaluate(panel, exprs.slice(0, 2));
    assert.deepEqual(Array.from(b[0]), Array.from(a[0]));
    await assert.rejects(pool.evaluate(small, [parse('add(close,open)')]), (e: unknown) => e instanceof EvalError && /field 'open' is not in the data/.test(e.message));
  } finally {
    pool.close();
  }
});
