/**
 * Correctness of every operator kernel against the naive float64 reference (tests/support/reference.ts).
 * The test loops over the operator table itself, so a new row is covered automatically (and fails until it has
 * a cpu kernel and a reference implementation). Each kernel runs on seeded random float32 panels full of
 * missing cells, runs of missing bars, ties, constant runs, exact zeros, values at the protected threshold
 * 0.001 and magnitudes from 1e-3 to 1e9, for several windows (the minimum, 3, 10, and one longer than the panel);
 * the reference runs on the same float32 values in float64. The NaN pattern must match exactly and values within
 * 1e-4 (relative, or absolute with a floor of 1 for bounded outputs), plus 1e-6 and 1e-9 of the terms that cancel
 * in the operator (see `tolerance`). Hand-computed cases pin down the exact rules (constant windows, ties,
 * protected operators, float32 overflow). Composed expressions with shared subtrees go through
 * `evaluateToArrays` and are compared with the reference that rounds every intermediate to float32, as the
 * evaluator's float32 tensors do; the evaluator's outputs must not alias the panel or each other.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OPS } from '../src/ops/table.ts';
import type { OpSpec } from '../src/ops/types.ts';
import { evaluateToArrays } from '../src/eval/evaluate.ts';
import { makePanel, type Panel } from '../src/data/panel.ts';
import { evaluateReference, refApply, refParse, REF_OPS } from './support/reference.ts';
import { constantRunsField, completeField, marketPanel, mulberry32, randInt, randomField, randomPanel, type Rng } from './support/random_panel.ts';
import { BOUNDED, describeWindow } from './support/describe.ts';

/** Written into the output before a kernel runs, so a cell the kernel forgets to write is caught. */
const SENTINEL = -98765.4375;

const RTOL = 1e-4;
const ATOL = 1e-6;

function runKernel(op: OpSpec, xs: Float32Array[], T: number, N: number, window: number): Float32Array {
  const copies = xs.map((x) => x.slice());
  const out = new Float32Array(T * N).fill(SENTINEL);
  op.kernels.cpu({ xs, T, N, window, out });
  xs.forEach((x, k) => {
    for (let i = 0; i < x.length; i++) {
      if (!Object.is(x[i], copies[k]![i])) assert.fail(`${op.name}: kernel wrote its input ${k} at ${i}`);
    }
  });
  return out;
}

/** Largest |value| operand k reads for cell (t, j) (its window, or x[t] and x[t-n] for lag operators). */
function operandScale(op: OpSpec, x: Float32Array, t: number, j: number, N: number, n: number): number {
  let m = 0;
  if (!op.windowed) return Math.abs(x[t * N + j]!);
  const from = op.lookback(n) === n ? [t - n, t] : null;
  if (from) {
    for (const tt of from) if (tt >= 0) m = Math.max(m, Math.abs(x[tt * N + j]!));
    return m;
  }
  for (let k = 0; k < n && t - k >= 0; k++) m = Math.max(m, Math.abs(x[(t - k) * N + j]!));
  return m;
}

/** Sum of squared deviations of operand y over the window ending at (t, j) (two passes). */
function windowSsd(y: Float32Array, t: number, j: number, N: number, n: number): number {
  let m = 0;
  for (let k = 0; k < n; k++) m += y[(t - k) * N + j]!;
  m /= n;
  let s = 0;
  for (let k = 0; k < n; k++) s += (y[(t - k) * N + j]! - m) ** 2;
  return s;
}

/** Multiplies the magnitude of the terms that cancel inside an operator; see `tolerance`. */
const CANCEL = 1e-9;

/**
 * Absolute tolerance for one cell. Bounded outputs: 1e-4 * max(1, |expected|). Others: 1e-4 relative plus 1e-6,
 * plus 1e-9 times the magnitude of the terms that cancel inside the operator. That last part is where results
 * are legitimately ill-conditioned: a value that is a small difference of large terms (x[t] - x[t-n] of 1e9-sized
 * values, a regression residual, a covariance whose products cancel) can only be as exact as the rounding of
 * those terms, and float64 kernels with rolling sums carry rounding of ~1e-16..1e-10 of the magnitudes that went
 * through them. 1e-9 is far above that and still far below float32 resolution (6e-8), so a kernel that rounds
 * through float32 fails. For the regressions the terms are divided by var(y): a near-flat y makes the slope
 * as sensitive as it is in exact arithmetic.
 */
function tolerance(op: OpSpec, xs: Float32Array[], t: number, j: number, N: number, n: number, expected: number, beta: number): number {
  if (BOUNDED.has(op.name)) return RTOL * Math.max(1, Math.abs(expected));
  const s = xs.map((x) => operandScale(op, x, t, j, N, n));
  let terms: number;
  switch (op.name) {
    case 'covariance':
      terms = s[0]! * s[1]!;
      break;
    case 'REGbeta_ts':
      terms = (s[0]! * s[1]!) / windowSsd(xs[1]!, t, j, N, n);
      break;
    case 'REGresid_ts':
      terms = s[0]! + Math.abs(beta) * s[1]! + ((s[0]! * s[1]!) / windowSsd(xs[1]!, t, j, N, n)) * s[1]!;
      break;
    case 'pctchange_ts':
      terms = Math.abs(expected) + 1;
      break;
    case 'ts_Sum':
      terms = s[0]! * n;
      break;
    default:
      terms = Math.max(...s);
  }
  return RTOL * Math.abs(expected) + ATOL + CANCEL * terms;
}

interface Mismatch {
  t: number;
  j: number;
  expected: number;
  got: number;
}

/** Runs one kernel case and asserts it matches the reference; returns the number of non-NaN cells compared. */
function checkCase(op: OpSpec, xs: Float32Array[], T: number, N: number, n: number, label: string): number {
  const got = runKernel(op, xs, T, N, n);
  const xs64 = xs.map((x) => Float64Array.from(x));
  const expected = refApply(op.name, xs64, T, N, n);
  const beta = op.name === 'REGbeta_ts' || op.name === 'REGresid_ts' ? refApply('REGbeta_ts', xs64, T, N, n) : null;
  const bad: Mismatch[] = [];
  let compared = 0;
  for (let t = 0; t < T; t++) {
    for (let j = 0; j < N; j++) {
      const i = t * N + j;
      const e = expected[i]!;
      const g = got[i]!;
      if (Number.isNaN(e) || Number.isNaN(g)) {
        if (!(Number.isNaN(e) && Number.isNaN(g))) bad.push({ t, j, expected: e, got: g });
        continue;
      }
      compared++;
      if (!Number.isFinite(g) || Math.abs(g - e) > tolerance(op, xs, t, j, N, n, e, beta ? beta[i]! : 0)) {
        bad.push({ t, j, expected: e, got: g });
      }
    }
  }
  if (bad.length > 0) {
    const lines = bad
      .slice(0, 6)
      .map((b) => `  cell (t=${b.t}, j=${b.j}): expected ${b.expected}, got ${b.got}; inputs ${describeWindow(op, xs, b.t, b.j, N, n)}`);
    assert.fail(`${op.name}${op.windowed ? `(window ${n})` : ''} ${label}: ${bad.length} of ${T * N} cells differ\n${lines.join('\n')}`);
  }
  return compared;
}

function windowsFor(op: OpSpec): number[] {
  if (!op.windowed) return [0];
  return [...new Set([op.minWindow, 2, 3, 10])].filter((w) => w >= op.minWindow).sort((a, b) => a - b);
}

test('every operator row has a cpu kernel and a matching reference', () => {
  assert.ok(OPS.length > 0);
  for (const op of OPS) {
    assert.equal(typeof op.kernels?.cpu, 'function', `operator '${op.name}' has no cpu kernel`);
    const ref = REF_OPS.get(op.name);
    assert.ok(ref, `operator '${op.name}' has no reference implementation in tests/support/reference.ts`);
    assert.equal(op.args.length, ref.arity, `${op.name}: arity`);
    assert.equal(op.kind, ref.kind, `${op.name}: kind`);
    assert.equal(op.windowed, ref.windowed, `${op.name}: windowed`);
    if (op.windowed) {
      assert.ok(op.minWindow >= 1, `${op.name}: minWindow`);
      for (let n = op.minWindow; n <= 12; n++) assert.equal(op.lookback(n), ref.lookback(n), `${op.name}: lookback(${n})`);
    }
  }
});

for (const op of OPS) {
  test(`kernel ${op.name} matches the reference on random panels`, () => {
    const cpu: unknown = op.kernels?.cpu;
    assert.equal(typeof cpu, 'function', `operator '${op.name}' has no cpu kernel`);
    const arity = op.args.length;
    let compared = 0;
    for (const seed of [11, 12, 13, 14, 15]) {
      const rng = mulberry32(seed * 1000 + arity);
      const T = 200;
      const N = 9;
      const x = randomField(rng, T, N);
      const y = randomField(rng, T, N);
      const runs = constantRunsField(rng, T, N);
      const cases: [string, Float32Array[]][] =
        arity === 1
          ? [['random', [x]], ['constant runs', [runs]]]
          : [['random', [x, y]], ['x with itself', [x, x]], ['constant-run y', [x, runs]], ['constant-run x', [runs, y]]];
      for (const n of windowsFor(op)) {
        for (const [label, xs] of cases) compared += checkCase(op, xs, T, N, n, `seed ${seed}, ${label}, T=${T} N=${N}`);
      }
    }
    // Complete data (no NaN) and a panel shorter than the window.
    const rng = mulberry32(99 + arity);
    const full = Array.from({ length: arity }, () => completeField(rng, 40, 5));
    for (const n of windowsFor(op)) compared += checkCase(op, full, 40, 5, n, 'complete data T=40 N=5');
    const short = Array.from({ length: arity }, () => completeField(rng, 6, 4));
    for (const n of op.windowed ? [op.minWindow, 6, 7, 10] : [0]) {
      if (n >= op.minWindow) compared += checkCase(op, short, 6, 4, n, 'short panel T=6 N=4');
    }
    // Guard against a vacuous pass (e.g. a kernel and reference that are NaN everywhere).
    assert.ok(compared > 500, `${op.name}: only ${compared} non-NaN cells were compared`);
  });
}

function kernelOf(name: string): OpSpec {
  const op = OPS.find((o) => o.name === name);
  assert.ok(op, `operator '${name}' is missing from the table`);
  return op;
}

/** Runs a kernel on one stock's series (N = 1), values given oldest first. */
function series(name: string, window: number, ...cols: number[][]): Float32Array {
  const T = cols[0]!.length;
  return runKernel(kernelOf(name), cols.map((c) => Float32Array.from(c)), T, 1, window);
}

test('the first lookback bars are NaN and the next one is not, on complete data', () => {
  const rng = mulberry32(5);
  const T = 30;
  const N = 3;
  for (const op of OPS.filter((o) => o.windowed)) {
    for (const n of windowsFor(op)) {
      const xs = op.args.map(() => completeField(rng, T, N));
      const out = runKernel(op, xs, T, N, n);
      const lb = op.lookback(n);
      for (let t = 0; t < T; t++) {
        for (let j = 0; j < N; j++) {
          const v = out[t * N + j]!;
          if (t < lb) assert.ok(Number.isNaN(v), `${op.name}(${n}) at bar ${t} should be NaN, got ${v}`);
          else assert.ok(Number.isFinite(v), `${op.name}(${n}) at bar ${t} should be a number, got ${v}`);
        }
      }
    }
  }
});

test('stddev is exactly 0 and ts_Skew NaN on constant windows', () => {
  const rng = mulberry32(21);
  const T = 300;
  const N = 6;
  const x = constantRunsField(rng, T, N);
  for (const n of [2, 3, 5, 10]) {
    const sd = runKernel(kernelOf('stddev'), [x], T, N, n);
    const sk = n >= 3 ? runKernel(kernelOf('ts_Skew'), [x], T, N, n) : null;
    let constantWindows = 0;
    for (let t = n - 1; t < T; t++) {
      for (let j = 0; j < N; j++) {
        let constant = true;
        for (let k = 1; k < n; k++) if (x[(t - k) * N + j] !== x[t * N + j]) constant = false;
        if (!constant) continue;
        constantWindows++;
        assert.equal(sd[t * N + j], 0, `stddev(${n}) of a constant window of ${x[t * N + j]} at (${t}, ${j})`);
        if (sk) assert.ok(Number.isNaN(sk[t * N + j]!), `ts_Skew(${n}) of a constant window at (${t}, ${j}) is ${sk[t * N + j]}`);
      }
    }
    assert.ok(constantWindows > 50);
  }
});

test('correlation is NaN when either operand is constant over the window; REGbeta/REGresid when y is', () => {
  const c = [0.1, 0.1, 0.1, 0.1, 0.1, 0.1];
  const v = [1, 2, 4, 3, 5, 9];
  for (const n of [2, 3, 5]) {
    for (const out of [series('correlation', n, c, v), series('correlation', n, v, c)]) {
      for (let t = 0; t < c.length; t++) assert.ok(Number.isNaN(out[t]!), `correlation(${n}) at ${t}: ${out[t]}`);
    }
    for (const name of ['REGbeta_ts', 'REGresid_ts']) {
      const out = series(name, n, v, c);
      for (let t = 0; t < c.length; t++) assert.ok(Number.isNaN(out[t]!), `${name}(${n}) with constant y at ${t}: ${out[t]}`);
    }
  }
  // x constant, y not: slope 0 (up to the rounding of mean(x)), residual ~0; stddev of a 1e9 constant run is 0.
  const beta = series('REGbeta_ts', 3, [5, 5, 5, 5], [1, 2, 4, 8]);
  assert.ok(Math.abs(beta[3]!) < 1e-12, `REGbeta_ts of constant x: ${beta[3]}`);
  // Perfectly correlated and anti-correlated windows.
  const r = series('correlation', 4, [1, 2, 3, 5, 8], [2, 4, 6, 10, 16]);
  assert.ok(Math.abs(r[3]! - 1) < 1e-6 && Math.abs(r[4]! - 1) < 1e-6, `correlation of y = 2x: ${r[3]}, ${r[4]}`);
  const ra = series('correlation', 3, [1, 2, 3], [3, 2, 1]);
  assert.ok(Math.abs(ra[2]! + 1) < 1e-6, `correlation of y = -x: ${ra[2]}`);
});

test('cross-sectional ops on hand-computed bars (ties, NaN, single and empty bars)', () => {
  const N = 5;
  const bars = [
    [3, 1, 3, NaN, 2],
    [NaN, NaN, NaN, NaN, NaN],
    [NaN, 7, NaN, NaN, NaN],
    [2, 2, 2, 2, 2],
    [0, 0, NaN, 0, 0],
  ];
  const x = Float32Array.from(bars.flat());
  const T = bars.length;
  const rank = runKernel(kernelOf('rank'), [x], T, N, 0);
  const expectRank = [0.875, 0.25, 0.875, NaN, 0.5, NaN, NaN, NaN, NaN, NaN, NaN, 1, NaN, NaN, NaN, 0.6, 0.6, 0.6, 0.6, 0.6, 0.625, 0.625, NaN, 0.625, 0.625];
  expectRank.forEach((e, i) => {
    if (Number.isNaN(e)) assert.ok(Number.isNaN(rank[i]!), `rank cell ${i}: expected NaN, got ${rank[i]}`);
    else assert.ok(Math.abs(rank[i]! - e) < 1e-6, `rank cell ${i}: expected ${e}, got ${rank[i]}`);
  });
  const z = runKernel(kernelOf('zscore'), [x], T, N, 0);
  // Bar 0: values 3, 1, 3, 2 -> mean 2.25, sample sd sqrt(2.75 / 3).
  const sd = Math.sqrt(2.75 / 3);
  [(3 - 2.25) / sd, (1 - 2.25) / sd, (3 - 2.25) / sd, NaN, (2 - 2.25) / sd].forEach((e, i) => {
    if (Number.isNaN(e)) assert.ok(Number.isNaN(z[i]!));
    else assert.ok(Math.abs(z[i]! - e) < 1e-6, `zscore cell ${i}: expected ${e}, got ${z[i]}`);
  });
  for (let i = 5; i < 25; i++) assert.ok(Number.isNaN(z[i]!), `zscore cell ${i} (empty, single or all-equal bar): ${z[i]}`);
  const s = runKernel(kernelOf('scale'), [x], T, N, 0);
  [3 / 9, 1 / 9, 3 / 9, NaN, 2 / 9].forEach((e, i) => {
    if (Number.isNaN(e)) assert.ok(Number.isNaN(s[i]!));
    else assert.ok(Math.abs(s[i]! - e) < 1e-6, `scale cell ${i}: expected ${e}, got ${s[i]}`);
  });
  assert.ok(Math.abs(s[11]! - 1) < 1e-6, `scale of a single value: ${s[11]}`);
  for (let i = 20; i < 25; i++) assert.ok(Number.isNaN(s[i]!), `scale of an all-zero bar, cell ${i}: ${s[i]}`);
});

test('time-series ops on hand-computed windows', () => {
  const near = (got: number, want: number, what: string) =>
    assert.ok(Math.abs(got - want) <= 1e-6 * Math.max(1, Math.abs(want)), `${what}: expected ${want}, got ${got}`);
  // ts_Rank: window 2, 5, 2, 2 with x[t] = 2 -> 0 less, 3 equal -> (0 + 2) / 4.
  near(series('ts_Rank', 4, [2, 5, 2, 2])[3]!, 0.5, 'ts_Rank ties');
  near(series('ts_Rank', 3, [1, 2, 3])[2]!, 1, 'ts_Rank of the maximum');
  near(series('ts_Rank', 3, [3, 2, 1])[2]!, 1 / 3, 'ts_Rank of the minimum');
  // ArgMax / ArgMin: ties go to the most recent bar.
  assert.equal(series('ts_ArgMax', 4, [5, 1, 5, 2])[3], 1);
  assert.equal(series('ts_ArgMax', 4, [9, 1, 5, 2])[3], 3);
  assert.equal(series('ts_ArgMax', 3, [1, 1, 1])[2], 0);
  assert.equal(series('ts_ArgMin', 4, [1, 3, 1, 3])[3], 1);
  assert.equal(series('ts_ArgMin', 3, [2, 2, 2])[2], 0);
  // Skewness of 1, 2, 4: adjusted Fisher-Pearson = 10 sqrt(3/7) / 7 (pandas: 0.9352195...).
  near(series('ts_Skew', 3, [1, 2, 4])[2]!, (10 * Math.sqrt(3 / 7)) / 7, 'ts_Skew(3) of 1, 2, 4');
  near(series('ts_Skew', 3, [4, 2, 1])[2]!, (10 * Math.sqrt(3 / 7)) / 7, 'ts_Skew is order-free');
  near(series('ts_Skew', 4, [1, 1, 1, 2])[3]!, 2, 'ts_Skew(4) of 1, 1, 1, 2'); // sqrt(12)/2 * (3/32)/(3/16)^1.5 = 2
  // EMA(3): a = 1/2, weights 1, 1/2, 1/4 from now back; oldest-first 4, 2, 1 -> (1 + 1 + 1) / 1.75.
  near(series('EMA', 3, [4, 2, 1])[2]!, 3 / 1.75, 'EMA(3)');
  near(series('EMA', 1, [4, 2, 1])[2]!, 1, 'EMA(1) is x');
  // decay_linear(3): weights 3, 2, 1 -> (3*1 + 2*2 + 1*4) / 6.
  near(series('decay_linear', 3, [4, 2, 1])[2]!, 11 / 6, 'decay_linear(3)');
  // stddev / covariance / regression on small windows.
  near(series('stddev', 3, [1, 2, 4])[2]!, Math.sqrt(7 / 3), 'stddev(3) of 1, 2, 4');
  near(series('covariance', 3, [1, 2, 4], [1, 3, 2])[2]!, 0.5, 'covariance(3)');
  near(series('REGbeta_ts', 3, [1, 2, 4], [1, 3, 2])[2]!, 0.5, 'REGbeta_ts(3) = cov / var(y) = 0.5 / 1');
  // Fit of x on y over (y, x) = (1, 1), (3, 2), (2, 4): b = 0.5, a = 7/3 - 0.5 * 2; residual now 4 - (a + b * 2).
  near(series('REGresid_ts', 3, [1, 2, 4], [1, 3, 2])[2]!, 4 - (4 / 3 + 0.5 * 2), 'REGresid_ts(3)');
  near(series('ts_Sum', 2, [1, 2, 4])[2]!, 6, 'ts_Sum(2)');
  near(series('ts_Mean', 3, [1, 2, 4])[2]!, 7 / 3, 'ts_Mean(3)');
  // A NaN anywhere in the window hides the cell; it comes back once the NaN has left the window.
  const m = series('ts_Mean', 2, [1, NaN, 3, 5]);
  assert.ok(Number.isNaN(m[1]!) && Number.isNaN(m[2]!));
  near(m[3]!, 4, 'ts_Mean(2) after a gap');
  const cv = series('covariance', 2, [1, 2, 3, 4], [1, NaN, 3, 5]);
  assert.ok(Number.isNaN(cv[1]!) && Number.isNaN(cv[2]!) && !Number.isNaN(cv[3]!));
  // Lag operators read only x[t] and x[t-n]: a gap in between does not matter.
  near(series('delta', 2, [1, NaN, 4])[2]!, 3, 'delta over a gap');
  near(series('delay', 2, [1, NaN, 4])[2]!, 1, 'delay over a gap');
  near(series('pctchange_ts', 2, [2, NaN, 3])[2]!, 0.5, 'pctchange_ts over a gap');
  assert.ok(Number.isNaN(series('pctchange_ts', 1, [0, 3])[1]!), 'pctchange_ts from 0 is NaN');
  assert.ok(Number.isNaN(series('pctchange_ts', 1, [-0, 3])[1]!), 'pctchange_ts from -0 is NaN');
  near(series('pctchange_ts', 1, [4, 0])[1]!, -1, 'pctchange_ts to 0');
});

test('elementwise protected operators and NaN propagation', () => {
  const one = (name: string, ...vals: number[]) => runKernel(kernelOf(name), vals.map((v) => Float32Array.of(v)), 1, 1, 0)[0]!;
  const near = (got: number, want: number, what: string) =>
    assert.ok(Math.abs(got - want) <= 1e-6 * Math.max(1, Math.abs(want)), `${what}: expected ${want}, got ${got}`);
  near(one('div', 5, 0.0005), 1, 'div by |y| <= 0.001');
  near(one('div', 5, -0.0009), 1, 'div by -0.0009');
  near(one('div', 5, 0), 1, 'div by 0');
  near(one('div', 5, 0.002), 2500, 'div by 0.002');
  // float32(0.001) = 0.0010000000475 > 0.001: divides.
  near(one('div', 1, 0.001), 1 / Math.fround(0.001), 'div by float32(0.001)');
  near(one('log', 0), 0, 'log 0');
  near(one('log', 0.0005), 0, 'log 0.0005');
  near(one('log', -Math.E), 1, 'log -e');
  near(one('log', Math.fround(0.001)), Math.log(Math.fround(0.001)), 'log float32(0.001)');
  near(one('sqrt', -4), 2, 'sqrt -4');
  near(one('sign', 0), 0, 'sign 0');
  near(one('sign', -3), -1, 'sign -3');
  near(one('sig', 0), 0.5, 'sig 0');
  near(one('sig', -1e9), 0, 'sig -1e9');
  near(one('sig', 1e9), 1, 'sig 1e9');
  near(one('arctan', 1e9), Math.PI / 2, 'arctan 1e9');
  for (const op of OPS.filter((o) => o.kind === 'elementwise')) {
    const arity = op.args.length;
    for (let k = 0; k < arity; k++) {
      const vals = Array.from({ length: arity }, (_, i) => (i === k ? NaN : i === 0 ? 2 : 0));
      assert.ok(Number.isNaN(one(op.name, ...vals)), `${op.name}(${vals.join(', ')}) should be NaN`);
    }
  }
});

test('kernels store NaN, never Infinity, when a float64 result overflows float32', () => {
  // 1e20 * 1e20 = 1e40 is finite in float64 but not in float32; the stored result must not be Infinity.
  const got = runKernel(kernelOf('mul'), [Float32Array.of(1e20), Float32Array.of(1e20)], 1, 1, 0)[0]!;
  assert.ok(Number.isNaN(got), `mul(1e20, 1e20) stored ${got}`);
  const sum = runKernel(kernelOf('ts_Sum'), [Float32Array.of(3e38, 3e38)], 2, 1, 2)[1]!;
  assert.ok(Number.isNaN(sum), `ts_Sum(2) of 3e38, 3e38 stored ${sum}`);
});

// ---------------------------------------------------------------------------------------------------------
// Whole expressions through the evaluator.

const COMPOSED = [
  'close',
  'sub(close,ts_Mean(8,low))',
  'rank(sub(close,ts_Mean(8,low)))',
  'covariance(12,amount,high)',
  'add(ts_Mean(5,close),ts_Mean(6,close))',
  'div(ts_Mean(5,close),ts_Mean(5,close))',
  'correlation(10,rank(volume),rank(close))',
  'REGresid_ts(7,delay(3,close),ts_Mean(8,low))',
  'REGbeta_ts(9,close,sub(close,ts_Mean(8,low)))',
  'mul(sign(delta(1,close)),log(volume))',
  'ts_Rank(10,decay_linear(5,vwap))',
  'zscore(EMA(6,sub(high,low)))',
  'scale(ts_Skew(10,close))',
  'max(ts_ArgMax(7,high),ts_ArgMin(7,low))',
  'pctchange_ts(3,sqrt(amount))',
  'sig(div(delta(2,close),stddev(10,close)))',
  'ts_Sum(3,close)',
  'ts_Sum(3,open)',
  'add(close,0.5)',
  'mul(arctan(ts_Max(8,amount)),ts_Min(4,neg(abs(open))))',
  'min(ts_Rank(6,ts_Rank(8,REGbeta_ts(9,open,amount))),scale(sub(vwap,close)))',
];

function composedMatch(panel: Panel, got: Float32Array[], texts: string[], label: string): void {
  const cache = new Map<string, Float64Array>();
  const problems: string[] = [];
  texts.forEach((text, e) => {
    const ref = evaluateReference(panel, refParse(text), { float32Intermediates: true }, cache);
    const g = got[e]!;
    assert.equal(g.length, panel.T * panel.N, `${text}: output length`);
    let bad = 0;
    let first = '';
    let nonNaN = 0;
    for (let i = 0; i < g.length; i++) {
      const r = ref[i]!;
      const v = g[i]!;
      const ok = Number.isNaN(r) ? Number.isNaN(v) : Math.abs(v - r) <= 1e-4 * Math.max(Math.abs(r), 1e-2);
      if (!Number.isNaN(r)) nonNaN++;
      if (!ok) {
        if (bad === 0) first = `cell (t=${Math.floor(i / panel.N)}, j=${i % panel.N}) expected ${r}, got ${v}`;
        bad++;
      }
    }
    if (bad > 0) problems.push(`${text}: ${bad} of ${g.length} cells differ, first ${first}`);
    if (nonNaN === 0) problems.push(`${text}: the reference is NaN everywhere on ${label} (test data too sparse)`);
  });
  assert.equal(problems.length, 0, `${label}:\n${problems.join('\n')}`);
}

test('evaluateToArrays matches the reference on composed expressions with shared subtrees', async () => {
  const fields = ['open', 'high', 'low', 'close', 'volume', 'amount', 'vwap'];
  const panels: [string, Panel][] = [
    ['market panel T=160 N=12', marketPanel(7, 160, 12)],
    ['market panel T=90 N=30', marketPanel(8, 90, 30)],
  ];
  for (const [label, panel] of panels) {
    const before = fields.map((f) => panel.fields.get(f)!.slice());
    const got = await evaluateToArrays(panel, COMPOSED.map(refParse));
    assert.equal(got.length, COMPOSED.length);
    composedMatch(panel, got, COMPOSED, label);
    // The evaluator must not write into the panel.
    fields.forEach((f, k) => assert.deepEqual(panel.fields.get(f), before[k], `${label}: field ${f} was modified`));
    // One expression alone gives the same values as inside the batch.
    for (const e of [2, 8, 20]) {
      const [alone] = await evaluateToArrays(panel, [refParse(COMPOSED[e]!)]);
      assert.deepEqual(alone, got[e], `${COMPOSED[e]}: alone vs batched`);
    }
  }
  // The nasty random panel: the same expressions, most cells NaN; NaN pattern and values must still agree.
  const nasty = randomPanel(31, 150, 9, fields);
  composedMatch(nasty, await evaluateToArrays(nasty, COMPOSED.map(refParse)), COMPOSED, 'random panel T=150 N=9');
});

test('evaluateToArrays returns arrays that alias neither the panel nor each other', async () => {
  const panel = marketPanel(3, 20, 4);
  const close = panel.fields.get('close')!;
  const saved = close.slice();
  const [a, b, c] = await evaluateToArrays(panel, [refParse('close'), refParse('ts_Mean(2,close)'), refParse('ts_Mean(2,close)')]);
  assert.ok(a && b && c);
  assert.deepEqual(b, c);
  a.fill(-1);
  b.fill(-2);
  const problems: string[] = [];
  if (close.some((v, i) => !Object.is(v, saved[i]))) problems.push('writing the output for "close" changed the panel');
  if (c.some((v) => v === -2)) problems.push('the two outputs of a repeated expression share one array');
  assert.deepEqual(problems, []);
});

test('a hand-built panel through the evaluator: exact small values', async () => {
  // 3 bars x 2 stocks; rank and ts_Mean by hand.
  const panel = makePanel(['a', 'b', 'c'], ['X', 'Y'], { close: Float32Array.of(1, 2, 4, 3, NaN, 6) });
  const [r, m, d] = await evaluateToArrays(panel, [
    refParse('rank(close)'),
    refParse('ts_Mean(2,close)'),
    refParse('delta(1,close)'),
  ]);
  assert.deepEqual(Array.from(r!), [0.5, 1, 1, 0.5, NaN, 1]);
  assert.deepEqual(Array.from(m!), [NaN, NaN, 2.5, 2.5, NaN, 4.5]);
  assert.deepEqual(Array.from(d!), [NaN, NaN, 3, 1, NaN, 3]);
});
