/**
 * Correctness of every operator's composite kernel (kernels/composite: standard tfjs ops only, for backends with
 * no custom kernel) against the naive float64 reference (tests/support/reference.ts), on the tfjs `cpu` backend
 * and on `wasm`. Like tests/ops_kernels.test.ts it loops over the operator table, so a new row is covered
 * automatically, and runs each operator on seeded random float32 panels full of missing cells, runs of missing
 * bars, ties, constant runs, exact zeros, values at the protected threshold 0.001 and magnitudes from 1e-3 to 1e9,
 * for the windows {minimum, 3, 10, longer than the panel}; the reference runs on the same float32 values in
 * float64. The NaN pattern must match exactly. Values get a float32 tolerance (see `tolerance`), since the
 * composites compute in float32 where the host kernels compute in float64. Every composite runs inside tf.tidy,
 * and the number of live tensors afterwards must have grown by exactly the one it returned. Hand-made cases pin
 * the rules that random data may miss (infinite inputs read as missing, float32 overflow stored as NaN, the
 * protected threshold on a float32 0.001, exact zeros and NaN on constant windows).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { OPS } from '../src/ops/table.ts';
import type { OpSpec } from '../src/ops/types.ts';
import * as composite from '../kernels/composite/index.ts';
import { refApply } from './support/reference.ts';
import { constantRunsField, completeField, mulberry32, randInt, randomField, type Rng } from './support/random_panel.ts';
import { BOUNDED, describeWindow } from './support/describe.ts';

const BACKENDS = ['cpu', 'wasm'] as const;

const RTOL = 1e-4;
const ATOL = 1e-6;
/**
 * Per bar of the window, the fraction of the magnitude of the cancelling terms that float32 rounding may leave
 * in the result. One float32 rounding is 6e-8 relative; a window statistic accumulates a few roundings per bar
 * (a shifted value, a difference, a product, a running sum), so an error of ~1e-6 * n times the magnitude of
 * the terms that cancel is what float32 arithmetic legitimately gives. (The host kernels' test uses 1e-9: they
 * compute in float64.) A kernel that mixed up bars or windows is off by O(1) of those terms, far above this.
 */
const CANCEL32 = 1e-6;

async function use(backend: string): Promise<void> {
  if (tf.getBackend() !== backend) {
    const ok = await tf.setBackend(backend);
    assert.ok(ok, `could not start the ${backend} backend`);
  }
  await tf.ready();
}

/** Runs op's composite inside tf.tidy and checks that only its result survives the tidy. */
function runComposite(op: OpSpec, xs: Float32Array[], T: number, N: number, window: number): Float32Array {
  const inputs = xs.map((x) => tf.tensor2d(x, [T, N], 'float32'));
  const before = tf.memory().numTensors;
  let out: tf.Tensor2D;
  try {
    out = tf.tidy(() => op.kernels.composite(inputs, window));
  } catch (e) {
    tf.dispose(inputs);
    throw e;
  }
  const leaked = tf.memory().numTensors - before - 1;
  try {
    assert.equal(leaked, 0, `${op.name}(${window}) on ${tf.getBackend()}: ${leaked} tensors outlived tf.tidy`);
    assert.deepEqual(out.shape, [T, N], `${op.name}: output shape`);
    assert.equal(out.dtype, 'float32', `${op.name}: output dtype`);
    return out.dataSync() as Float32Array;
  } finally {
    out.dispose();
    tf.dispose(inputs);
  }
}

/**
 * Largest |value| of x that cell (t, j) reads (its window, or x[t] and x[t-n] for lag operators); missing
 * values are skipped (delay reads only x[t-n], so x[t] may be missing under a valid result).
 */
function operandScale(op: OpSpec, x: Float32Array, t: number, j: number, N: number, n: number): number {
  const bars = !op.windowed ? [t] : op.lookback(n) === n ? [t - n, t] : Array.from({ length: n }, (_, k) => t - k);
  let m = 0;
  for (const tt of bars) {
    const v = tt >= 0 ? Math.abs(x[tt * N + j]) : NaN;
    if (Number.isFinite(v)) m = Math.max(m, v);
  }
  return m;
}

/** Range (max - min) of x over the window ending at (t, j); the scale of its deviations from the window mean. */
function windowRange(x: Float32Array, t: number, j: number, N: number, n: number): number {
  let lo = Infinity;
  let hi = -Infinity;
  for (let k = 0; k < n; k++) {
    const v = x[(t - k) * N + j];
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  return hi - lo;
}

/** Sample standard deviation of x over the window ending at (t, j). */
function windowSd(x: Float32Array, t: number, j: number, N: number, n: number): number {
  let m = 0;
  for (let k = 0; k < n; k++) m += x[(t - k) * N + j];
  m /= n;
  let s = 0;
  for (let k = 0; k < n; k++) s += (x[(t - k) * N + j] - m) ** 2;
  return Math.sqrt(s / Math.max(1, n - 1));
}

/** Present values of bar t: their largest magnitude and their standard deviation. */
function barStats(x: Float32Array, t: number, N: number): { max: number; sd: number } {
  const v: number[] = [];
  for (let j = 0; j < N; j++) if (Number.isFinite(x[t * N + j])) v.push(x[t * N + j]);
  const m = v.reduce((a, b) => a + b, 0) / v.length;
  const sd = Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / Math.max(1, v.length - 1));
  return { max: Math.max(...v.map(Math.abs)), sd };
}

/**
 * Absolute tolerance for one cell: RTOL relative (floor 1 for bounded outputs) plus CANCEL32 * n times the
 * magnitude of the terms that cancel in float32. What cancels is operator-specific: the window's values for
 * sums and lags; the deviations from the current value (at most the range, compared with the spread) for the
 * moments, which enter a scale-free statistic divided by the spread (a near-flat window of large values makes
 * skewness or correlation as ill-conditioned as its inputs' rounding); for the regressions the products of the
 * two series' deviations divided by var(y), as in the host kernels' test.
 */
function tolerance(op: OpSpec, xs: Float32Array[], t: number, j: number, N: number, n: number, expected: number, beta: number): number {
  const w = Math.max(1, n);
  const rel = RTOL * (BOUNDED.has(op.name) ? Math.max(1, Math.abs(expected)) : Math.abs(expected));
  const s = xs.map((x) => operandScale(op, x, t, j, N, n));
  let terms = 0;
  switch (op.name) {
    case 'zscore': {
      const b = barStats(xs[0], t, N);
      terms = b.sd > 0 ? b.max / b.sd : 0;
      return rel + CANCEL32 * N * terms;
    }
    case 'scale':
      return rel + CANCEL32 * N;
    case 'stddev':
    case 'covariance':
      terms = xs.map((x) => windowRange(x, t, j, N, n)).reduce((a, b) => a * b, 1);
      if (op.name === 'stddev') terms = windowRange(xs[0], t, j, N, n);
      break;
    case 'ts_Skew': {
      const sd = windowSd(xs[0], t, j, N, n);
      terms = sd > 0 ? (windowRange(xs[0], t, j, N, n) / sd) ** 3 : 0;
      break;
    }
    case 'correlation': {
      const r = xs.map((x) => {
        const sd = windowSd(x, t, j, N, n);
        return sd > 0 ? windowRange(x, t, j, N, n) / sd : 0;
      });
      terms = r[0] * r[1];
      break;
    }
    case 'REGbeta_ts':
    case 'REGresid_ts': {
      const rx = windowRange(xs[0], t, j, N, n);
      const ry = windowRange(xs[1], t, j, N, n);
      const sdy = windowSd(xs[1], t, j, N, n);
      terms = sdy > 0 ? (rx * ry) / (sdy * sdy) : 0;
      if (op.name === 'REGresid_ts') terms = terms * ry + rx + Math.abs(beta) * ry;
      break;
    }
    case 'pctchange_ts':
      terms = Math.abs(expected) + 1;
      break;
    case 'ts_Sum':
      terms = s[0] * n;
      break;
    default:
      terms = Math.max(...s);
  }
  return rel + ATOL + CANCEL32 * w * terms;
}

/** Runs one composite case against the reference; returns the number of non-NaN cells compared. */
function checkCase(op: OpSpec, xs: Float32Array[], T: number, N: number, n: number, label: string): number {
  const got = runComposite(op, xs, T, N, n);
  const xs64 = xs.map((x) => Float64Array.from(x));
  const expected = refApply(op.name, xs64, T, N, n);
  const beta = op.name === 'REGresid_ts' ? refApply('REGbeta_ts', xs64, T, N, n) : null;
  const bad: string[] = [];
  let compared = 0;
  for (let t = 0; t < T; t++) {
    for (let j = 0; j < N; j++) {
      const i = t * N + j;
      const e = expected[i];
      const g = got[i];
      let ok: boolean;
      if (Number.isNaN(e) || Number.isNaN(g)) {
        ok = Number.isNaN(e) && Number.isNaN(g);
      } else {
        compared++;
        ok = Number.isFinite(g) && Math.abs(g - e) <= tolerance(op, xs, t, j, N, n, e, beta ? beta[i] : 0);
      }
      if (!ok && bad.length < 6) bad.push(`  cell (t=${t}, j=${j}): expected ${e}, got ${g}; inputs ${describeWindow(op, xs, t, j, N, n)}`);
      else if (!ok) bad.push('');
    }
  }
  if (bad.length > 0) {
    assert.fail(`${op.name}${op.windowed ? `(window ${n})` : ''} on ${tf.getBackend()}, ${label}: ${bad.length} of ${T * N} cells differ\n${bad.filter(Boolean).join('\n')}`);
  }
  return compared;
}

const T = 40;
const N = 12;

function windowsFor(op: OpSpec): number[] {
  if (!op.windowed) return [0];
  return [...new Set([op.minWindow, 3, 10, T + 5])].filter((w) => w >= op.minWindow).sort((a, b) => a - b);
}

test('every operator row has a composite kernel, exported from kernels/composite/index.ts', () => {
  const exported = new Set(Object.values(composite));
  for (const op of OPS) {
    assert.equal(typeof op.kernels.composite, 'function', `${op.name}: no composite kernel`);
    assert.ok(exported.has(op.kernels.composite), `${op.name}: composite kernel not exported from the index`);
  }
  assert.equal(exported.size, OPS.length);
});

for (const backend of BACKENDS) {
  for (const op of OPS) {
    test(`composite ${op.name} matches the reference on ${backend}`, async () => {
      await use(backend);
      const arity = op.args.length;
      let compared = 0;
      for (const seed of [21, 22, 23]) {
        const rng = mulberry32(seed * 1000 + arity);
        const x = randomField(rng, T, N);
        const y = randomField(rng, T, N);
        const runs = constantRunsField(rng, T, N);
        const cases: [string, Float32Array[]][] =
          arity === 1
            ? [['random', [x]], ['constant runs', [runs]]]
            : [['random', [x, y]], ['x with itself', [x, x]], ['constant-run y', [x, runs]], ['constant-run x', [runs, y]]];
        for (const n of windowsFor(op)) {
          for (const [label, xs] of cases) compared += checkCase(op, xs, T, N, n, `seed ${seed}, ${label}`);
        }
      }
      // Complete data, and a panel as short as (or shorter than) the window.
      const rng = mulberry32(77 + arity);
      const full = Array.from({ length: arity }, () => completeField(rng, 30, 5));
      for (const n of windowsFor(op)) compared += checkCase(op, full, 30, 5, n, 'complete data T=30 N=5');
      const short = Array.from({ length: arity }, () => completeField(rng, 6, 4));
      for (const n of op.windowed ? [op.minWindow, 6, 7] : [0]) {
        if (n >= op.minWindow) compared += checkCase(op, short, 6, 4, n, 'short panel T=6 N=4');
      }
      assert.ok(compared > 300, `${op.name}: only ${compared} non-NaN cells were compared`);
    });
  }

  test(`composites read infinite inputs as missing and store overflow as NaN on ${backend}`, async () => {
    await use(backend);
    const rng = mulberry32(505);
    for (const op of OPS) {
      const arity = op.args.length;
      const xs = Array.from({ length: arity }, () => completeField(rng, 24, 6));
      // Infinities where the reference sees NaN: both must give the same NaN pattern and values.
      const withInf = xs.map((x) => x.slice());
      const withNaN = xs.map((x) => x.slice());
      for (let k = 0; k < arity; k++) {
        for (let i = 0; i < withInf[k].length; i++) {
          if (rng() < 0.06) {
            withInf[k][i] = rng() < 0.5 ? Infinity : -Infinity;
            withNaN[k][i] = NaN;
          }
        }
      }
      for (const n of windowsFor(op).filter((w) => w <= 10)) {
        const got = runComposite(op, withInf, 24, 6, n);
        const want = runComposite(op, withNaN, 24, 6, n);
        for (let i = 0; i < got.length; i++) {
          assert.ok(Object.is(got[i], want[i]) || Math.abs(got[i] - want[i]) <= 1e-6 * Math.abs(want[i]),
            `${op.name}(${n}) cell ${i}: ${got[i]} with an infinite input, ${want[i]} with NaN`);
        }
      }
    }
    const one = (name: string, window: number, ...cols: number[][]) => {
      const op = OPS.find((o) => o.name === name)!;
      return runComposite(op, cols.map((c) => Float32Array.from(c)), cols[0].length, 1, window);
    };
    assert.ok(Number.isNaN(one('mul', 0, [1e20], [1e20])[0]), 'mul(1e20, 1e20) overflows float32');
    assert.ok(Number.isNaN(one('ts_Sum', 2, [3e38, 3e38])[1]), 'ts_Sum(2) of 3e38, 3e38 overflows float32');
    assert.ok(Number.isNaN(one('add', 0, [3e38], [3e38])[0]), 'add(3e38, 3e38) overflows float32');
    // float32(0.001) = 0.0010000000475 > 0.001: the protected operators apply to it.
    assert.equal(one('div', 0, [1], [Math.fround(0.001)])[0], Math.fround(1 / Math.fround(0.001)));
    assert.equal(one('div', 0, [5], [0.00099])[0], 1);
    assert.equal(one('div', 0, [5], [-0])[0], 1);
    assert.ok(Math.abs(one('log', 0, [Math.fround(0.001)])[0] - Math.log(Math.fround(0.001))) < 1e-5);
    assert.equal(one('log', 0, [0.00099])[0], 0);
    assert.ok(Object.is(one('sign', 0, [-0])[0], 0), 'sign(-0) is +0');
  });

  test(`composite constant-window and tie rules on ${backend}`, async () => {
    await use(backend);
    const one = (name: string, window: number, ...cols: number[][]) => {
      const op = OPS.find((o) => o.name === name)!;
      return runComposite(op, cols.map((c) => Float32Array.from(c)), cols[0].length, 1, window);
    };
    const c = [1e9 + 0.37, 1e9 + 0.37, 1e9 + 0.37, 1e9 + 0.37, 1e9 + 0.37];
    const v = [1, 2, 4, 3, 5];
    for (const n of [2, 3, 5]) {
      const sd = one('stddev', n, c);
      for (let t = n - 1; t < c.length; t++) assert.equal(sd[t], 0, `stddev(${n}) of a constant window`);
      if (n >= 3) for (const s of one('ts_Skew', n, c)) assert.ok(Number.isNaN(s), `ts_Skew(${n}) of a constant window: ${s}`);
      for (const r of [...one('correlation', n, c, v), ...one('correlation', n, v, c)]) assert.ok(Number.isNaN(r), `correlation(${n}) with a constant operand`);
      for (const name of ['REGbeta_ts', 'REGresid_ts']) for (const r of one(name, n, v, c)) assert.ok(Number.isNaN(r), `${name}(${n}) on constant y`);
      const cv = one('covariance', n, c, v);
      const beta = one('REGbeta_ts', n, c, v);
      for (let t = n - 1; t < c.length; t++) {
        assert.equal(cv[t], 0, `covariance(${n}) with constant x`);
        assert.equal(beta[t], 0, `REGbeta_ts(${n}) of constant x`);
      }
    }
    assert.equal(one('ts_ArgMax', 4, [5, 1, 5, 2])[3], 1);
    assert.equal(one('ts_ArgMax', 3, [1, 1, 1])[2], 0);
    assert.equal(one('ts_ArgMin', 4, [1, 3, 1, 3])[3], 1);
    assert.equal(one('ts_ArgMin', 5, [2, 9, 2, 3, 4])[4], 2);
    assert.equal(one('ts_Rank', 4, [2, 5, 2, 2])[3], 0.5);
    // Cross-sectional rank: ties share their average rank over the stocks present.
    const op = OPS.find((o) => o.name === 'rank')!;
    const r = runComposite(op, [Float32Array.from([3, 1, 3, NaN, 2, 0, -0, Infinity, 0, 0])], 2, 5, 0);
    const want = [0.875, 0.25, 0.875, NaN, 0.5, 0.625, 0.625, NaN, 0.625, 0.625];
    want.forEach((e, i) => assert.ok(Number.isNaN(e) ? Number.isNaN(r[i]) : r[i] === e, `rank cell ${i}: expected ${e}, got ${r[i]}`));
  });
}

for (const backend of BACKENDS) {
  test(`composite rank on wide bars with heavy ties on ${backend}`, async () => {
    // Thousands of stocks drawn from a few hundred levels: long tie groups at every position of the sort.
    await use(backend);
    const rng = mulberry32(9);
    const Tw = 3;
    const Nw = 3000;
    const x = new Float32Array(Tw * Nw);
    for (let i = 0; i < x.length; i++) x[i] = rng() < 0.1 ? NaN : randInt(rng, -150, 150) * 0.25;
    const op = OPS.find((o) => o.name === 'rank')!;
    const got = runComposite(op, [x], Tw, Nw, 0);
    const want = refApply('rank', [Float64Array.from(x)], Tw, Nw, 0);
    for (let i = 0; i < got.length; i++) {
      const ok = Number.isNaN(want[i]) ? Number.isNaN(got[i]) : got[i] === Math.fround(want[i]);
      assert.ok(ok, `rank cell ${i}: ${got[i]} vs ${want[i]}`);
    }
  });
}
