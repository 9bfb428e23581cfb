/**
 * Shaping the cross-section: neutralisation against industry and size, checked day by day against an
 * independent float64 least squares (explicit dummy columns, normal equations, Gaussian elimination) written
 * here, plus universes (`--universe FILE`) cutting the panel to a list of codes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { logFloatCap, neutralize, parseNeutralize } from '../src/data/neutralize.ts';
import { parseUniverse, restrictPanel } from '../src/data/universe.ts';
import { makePanel } from '../src/data/panel.ts';
import { DataError } from '../src/data/csv_parse.ts';
import { mulberry32, type Rng } from '../src/util/rng.ts';

/** Solve A b = c (A square) by Gaussian elimination with partial pivoting, in float64. */
function solve(A: number[][], c: number[]): number[] {
  const n = c.length;
  const M = A.map((row, i) => [...row, c[i]!]);
  for (let col = 0; col < n; col++) {
    let piv = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(M[r]![col]!) > Math.abs(M[piv]![col]!)) piv = r;
    [M[col], M[piv]] = [M[piv]!, M[col]!];
    for (let r = col + 1; r < n; r++) {
      const f = M[r]![col]! / M[col]![col]!;
      for (let q = col; q <= n; q++) M[r]![q]! -= f * M[col]![q]!;
    }
  }
  const b = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = M[r]![n]!;
    for (let q = r + 1; q < n; q++) s -= M[r]![q]! * b[q]!;
    b[r] = s / M[r]![r]!;
  }
  return b;
}

/** Least-squares residual of y on the columns of X via the normal equations X'X b = X'y. */
function naiveResidual(X: number[][], y: number[]): number[] {
  const p = X[0]!.length;
  const XtX = Array.from({ length: p }, (_, a) => Array.from({ length: p }, (_, b) => X.reduce((s, row) => s + row[a]! * row[b]!, 0)));
  const Xty = Array.from({ length: p }, (_, a) => X.reduce((s, row, i) => s + row[a]! * y[i]!, 0));
  const beta = solve(XtX, Xty);
  return y.map((v, i) => v - X[i]!.reduce((s, x, a) => s + x * beta[a]!, 0));
}

interface Case {
  values: Float32Array;
  industry: (string | undefined)[];
  logSize: Float32Array;
}

function randomCase(rng: Rng, D: number, N: number): Case {
  const names = ['bank', 'tech', 'energy', 'retail', 'lonely'];
  const industry = Array.from({ length: N }, (_, j) => {
    if (j === 0) return 'lonely'; // exactly one stock in this industry
    if (rng() < 0.08) return undefined;
    return names[Math.floor(rng() * 4)];
  });
  const values = new Float32Array(D * N);
  const logSize = new Float32Array(D * N);
  for (let i = 0; i < D * N; i++) {
    logSize[i] = rng() < 0.05 ? NaN : 20 + 3 * rng();
    // A large common level and a size effect, so a sloppy one-pass sum would show.
    values[i] = rng() < 0.1 ? NaN : 1000 + 0.5 * (logSize[i]! || 0) + rng();
  }
  return { values, industry, logSize };
}

/** Per day, the reference residuals for the usable stocks, built from explicit regressor columns. */
function reference(c: Case, D: number, N: number, useIndustry: boolean, useSize: boolean): { values: Float64Array; excluded: number } {
  const out = new Float64Array(D * N).fill(NaN);
  let excluded = 0;
  for (let k = 0; k < D; k++) {
    const rows: number[] = [];
    for (let j = 0; j < N; j++) {
      if (!Number.isFinite(c.values[k * N + j]!)) continue;
      if ((useIndustry && c.industry[j] === undefined) || (useSize && !Number.isFinite(c.logSize[k * N + j]!))) {
        excluded++;
        continue;
      }
      rows.push(j);
    }
    const groups = useIndustry ? [...new Set(rows.map((j) => c.industry[j]!))] : [];
    const X = rows.map((j) => [
      ...(useIndustry ? groups.map((g) => (c.industry[j] === g ? 1 : 0)) : [1]),
      ...(useSize ? [c.logSize[k * N + j]!] : []),
    ]);
    if (rows.length <= X[0]!.length) continue;
    const r = naiveResidual(X, rows.map((j) => c.values[k * N + j]!));
    rows.forEach((j, i) => (out[k * N + j] = r[i]!));
  }
  return { values: out, excluded };
}

function assertClose(got: Float32Array, want: Float64Array, tol: number): void {
  assert.equal(got.length, want.length);
  for (let i = 0; i < got.length; i++) {
    const g = got[i]!;
    const w = want[i]!;
    if (Number.isNaN(w)) assert.ok(Number.isNaN(g), `cell ${i}: expected NaN, got ${g}`);
    else assert.ok(Math.abs(g - w) <= tol, `cell ${i}: got ${g}, expected ${w}`);
  }
}

test('industry + size residuals match a naive float64 least squares and are orthogonal to every exposure', () => {
  const D = 12;
  const N = 50;
  const c = randomCase(mulberry32(7), D, N);
  const got = neutralize(c.values, D, N, { industry: c.industry, logSize: c.logSize });
  const want = reference(c, D, N, true, true);
  assert.equal(got.excluded, want.excluded);
  assert.ok(got.excluded > 0);
  assert.equal(got.tooFew, 0);
  assertClose(got.values, want.values, 2e-4);
  for (let k = 0; k < D; k++) {
    const sums = new Map<string, number>();
    let sumSize = 0;
    let scale = 0;
    for (let j = 0; j < N; j++) {
      const r = got.values[k * N + j]!;
      if (Number.isNaN(r)) continue;
      const g = c.industry[j]!;
      sums.set(g, (sums.get(g) ?? 0) + r);
      sumSize += r * c.logSize[k * N + j]!;
      scale += Math.abs(r) * c.logSize[k * N + j]!;
    }
    for (const [g, s] of sums) assert.ok(Math.abs(s) < 1e-4, `day ${k} industry ${g}: residuals sum to ${s}`);
    assert.ok(Math.abs(sumSize) < 1e-6 * scale + 1e-4, `day ${k}: residuals · size = ${sumSize}`);
  }
  // The lone stock of its industry is fitted exactly by its dummy.
  for (let k = 0; k < D; k++) {
    if (!Number.isNaN(got.values[k * N]!)) assert.equal(got.values[k * N], 0);
  }
});

test('size alone fits an intercept and a slope; industry alone subtracts industry means', () => {
  const D = 8;
  const N = 40;
  const c = randomCase(mulberry32(11), D, N);
  const size = neutralize(c.values, D, N, { logSize: c.logSize });
  const wantSize = reference(c, D, N, false, true);
  assert.equal(size.excluded, wantSize.excluded);
  assertClose(size.values, wantSize.values, 2e-4);
  const ind = neutralize(c.values, D, N, { industry: c.industry });
  const wantInd = reference(c, D, N, true, false);
  assert.equal(ind.excluded, wantInd.excluded);
  assertClose(ind.values, wantInd.values, 2e-4);
  const none = neutralize(c.values, D, N, {});
  assert.deepEqual(none.values, c.values);
  assert.notEqual(none.values, c.values);
});

test('missing exposures, thin days and size constant within an industry', () => {
  const N = 4;
  const industry = ['a', 'a', 'b', undefined];
  // Day 0: all present (stock 3 lacks an industry). Day 1: only two usable stocks, in two industries.
  // Day 2: size constant within each industry, so only the dummies bite.
  const values = Float32Array.from([1, 3, 10, 7, 2, NaN, 5, 1, 4, 8, 6, 2]);
  const logSize = Float32Array.from([1, 2, 3, 4, 1, 1, 1, 1, 5, 5, 2, 2]);
  const r = neutralize(values, 3, N, { industry, logSize });
  // Day 0: 3 usable stocks, 2 industries + size = rank 3 → nothing left to measure.
  // Day 1: stocks 0 and 2 (stock 1 missing a value): rank 2 → NaN.
  // Day 2: stocks 0, 1 ('a', size 5) and 2 ('b'): residuals 4-6, 8-6, 0.
  assert.deepEqual(Array.from(r.values), [NaN, NaN, NaN, NaN, NaN, NaN, NaN, NaN, -2, 2, 0, NaN]);
  assert.equal(r.excluded, 3); // stock 3 on each day: no industry
  assert.equal(r.tooFew, 5); // 3 stock-days on day 0, 2 on day 1

  // Size only: a missing cap excludes the stock; three stocks on a line leave residual 0.
  const s = neutralize(Float32Array.from([1, 2, 3, 9]), 1, 4, { logSize: Float32Array.from([1, 2, 3, NaN]) });
  assert.equal(s.excluded, 1);
  for (const v of s.values.subarray(0, 3)) assert.ok(Math.abs(v) < 1e-6);
  assert.ok(Number.isNaN(s.values[3]!));
});

test('logFloatCap is log(close × float shares), NaN when unknown or not positive', () => {
  const cap = logFloatCap(Float32Array.from([10, NaN, 5, 0]), 2, 2, [1e6, 2e6]);
  assert.equal(cap[0], Math.fround(Math.log(1e7)));
  assert.ok(Number.isNaN(cap[1]!));
  assert.equal(cap[2], Math.fround(Math.log(5e6)));
  assert.ok(Number.isNaN(cap[3]!));
});

test('parseNeutralize: names, order, none and errors', () => {
  assert.deepEqual(parseNeutralize('industry,size'), ['industry', 'size']);
  assert.deepEqual(parseNeutralize(' Size , industry,size'), ['industry', 'size']);
  assert.deepEqual(parseNeutralize('size'), ['size']);
  assert.deepEqual(parseNeutralize('none'), []);
  assert.throws(() => parseNeutralize('industry,sector'), (e: unknown) => e instanceof DataError && /unknown exposure 'sector'; expected industry, size/.test(e.message));
  assert.throws(() => parseNeutralize(''), /empty exposure name/);
  assert.throws(() => parseNeutralize('industry,'), /empty exposure name/);
});

test('parseUniverse reads one code per line or a CSV code column', () => {
  assert.deepEqual([...parseUniverse('\uFEFF000001.SZ\r\n\n# members\n600000.SH \n000001.SZ\n')], ['000001.SZ', '600000.SH']);
  assert.deepEqual([...parseUniverse('Code\n600000.SH\n000001.SZ\n')], ['600000.SH', '000001.SZ']);
  assert.deepEqual([...parseUniverse('name,Code,weight\nPing An,"000001.SZ",0.5\nPufa,600000.SH,0.5\n')], ['000001.SZ', '600000.SH']);
  assert.throws(() => parseUniverse('name,weight\nx,1\n', 'hs300.csv'), (e: unknown) => e instanceof DataError && /^hs300\.csv:1: universe CSV has no 'code' column/.test(e.message));
  assert.throws(() => parseUniverse('\n# nothing\n'), /lists no codes/);
  assert.throws(() => parseUniverse('code,w\n,1\n'), /:2: empty code/);
});

test('restrictPanel keeps universe stocks in panel order and reports codes without data', () => {
  const close = Float32Array.from([1, 2, 3, 4, 5, 6]); // 2 bars x 3 stocks
  const p = makePanel(['2025-01-02', '2025-01-03'], ['A', 'B', 'C'], { close });
  const r = restrictPanel(p, new Set(['C', 'Z', 'A', 'Y']));
  assert.deepEqual(r.panel.codes, ['A', 'C']);
  assert.deepEqual(Array.from(r.columns), [0, 2]);
  assert.deepEqual(Array.from(r.panel.fields.get('close')!), [1, 3, 4, 6]);
  assert.deepEqual(r.missing, ['Y', 'Z']);
  assert.equal(r.panel.T, 2);
  assert.equal(r.panel.N, 2);
  assert.throws(() => restrictPanel(p, new Set(['X']), 'u.txt'), (e: unknown) => e instanceof DataError && /^u\.txt: none of the universe's 1 codes \(X\) is in the data \(3 codes: A, B, C\)/.test(e.message));
});
