/**
 * Population scoring, the miner's inner loop: fingerprints against a naive float64 rank reference (ties, NaNs,
 * sparse and constant days), their correlation against a naive mean daily Spearman, and the Scorer (training
 * slice with a lookback margin, day-end rows, metrics kernel) against whole-panel evaluation followed by the
 * array metrics; worker pools must give the Scorer's numbers bit for bit.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fingerprintCorrelation, fingerprintCorrelationMatrix, fingerprintCorrelations, fingerprintStride, fingerprints, strideColumns } from '../src/fitness/fingerprint.ts';
import { MIN_STOCKS, populationMetrics } from '../src/fitness/metrics.ts';
import * as tf from '@tensorflow/tfjs-core';
import { fingerprintsTensor, rankKeysTensor, Scorer, type ScoreSetup } from '../src/eval/scorer.ts';
import { rankDays, rankedFromKeys } from '../src/fitness/ranked_days.ts';
import { EvalPool } from '../src/eval/pool.ts';
import { evaluateToArrays } from '../src/eval/evaluate.ts';
import { initBackend } from '../src/eval/backend.ts';
import { generateMarket } from '../src/data/synth.ts';
import { tradingDays } from '../src/data/calendar.ts';
import { computeLabels, dailyFactor } from '../src/data/labels.ts';
import { parse } from '../src/expr/parse.ts';
import { mulberry32 } from '../src/util/rng.ts';

/** Average 1-based ranks by counting, O(n²): the plain definition. */
function naiveRanks(xs: number[]): number[] {
  return xs.map((x) => {
    let below = 0, equal = 0;
    for (const y of xs) {
      if (y < x) below++;
      else if (y === x) equal++;
    }
    return below + (equal + 1) / 2;
  });
}

function pearson(a: number[], b: number[]): number {
  const n = a.length;
  const ma = a.reduce((s, x) => s + x, 0) / n;
  const mb = b.reduce((s, x) => s + x, 0) / n;
  let sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  }
  return sab / Math.sqrt(saa * sbb);
}

/** Random rows: NaNs, heavy ties (values on a coarse grid), a constant row, a row with too few stocks. */
function randomRows(seed: number, rows: number, N: number): Float32Array {
  const rng = mulberry32(seed);
  const v = new Float32Array(rows * N);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < N; j++) {
      const x = rng() < 0.15 ? NaN : Math.round(rng() * 8) - 4 + (r % 2 ? rng() * 1e-3 : 0);
      v[r * N + j] = x;
    }
  }
  v.fill(2.5, 1 * N, 2 * N);
  for (let j = 3; j < N; j++) v[3 * N + j] = NaN;
  return v;
}

/** Holds fingerprint rows against naive float64 centred, unit-length average ranks (zeros for thin and constant rows). */
function assertNaiveFingerprints(values: Float32Array, fp: Float32Array, rows: number, N: number, minStocks: number, tol: number, what: string): void {
  for (let row = 0; row < rows; row++) {
    const idx: number[] = [];
    for (let j = 0; j < N; j++) if (Number.isFinite(values[row * N + j])) idx.push(j);
    const xs = idx.map((j) => values[row * N + j]);
    const constant = xs.every((x) => x === xs[0]);
    if (idx.length < minStocks || constant) {
      for (let j = 0; j < N; j++) assert.equal(fp[row * N + j], 0, `${what}: row ${row} stock ${j} should be 0`);
      continue;
    }
    const rk = naiveRanks(xs);
    const mean = rk.reduce((s, x) => s + x, 0) / rk.length;
    const norm = Math.sqrt(rk.reduce((s, x) => s + (x - mean) ** 2, 0));
    const want = new Float64Array(N);
    idx.forEach((j, i) => (want[j] = (rk[i] - mean) / norm));
    for (let j = 0; j < N; j++) assert.ok(Math.abs(fp[row * N + j] - want[j]) < tol, `${what}: row ${row} stock ${j}: ${fp[row * N + j]} vs ${want[j]}`);
  }
}

test('fingerprints match naive centred, unit-length ranks; thin and constant days are zero', () => {
  const F = 3, R = 5, N = 37, minStocks = 10;
  const values = randomRows(11, F * R, N);
  const fp = fingerprints(values, F, R, N, minStocks);
  assertNaiveFingerprints(values, fp, F * R, N, minStocks, 1e-6, 'host');
  // Rows 1 (constant) and 3 (3 stocks) of factor 0 were zeroed; the checks above saw them.
  assert.ok(fp.subarray(N, 2 * N).every((x) => x === 0) && fp.subarray(3 * N, 4 * N).every((x) => x === 0));
});

test('fingerprints computed with backend ops (as on a GPU) match the naive reference on cpu and wasm', async () => {
  const rows = 24, minStocks = 10;
  for (const N of [37, 300]) {
    const values = randomRows(13 + N, rows, N);
    // Infinities count as missing, as in every kernel; a row of one value and infinities is constant.
    values[5 * N + 2] = Infinity;
    values[5 * N + 4] = -Infinity;
    values.fill(1, 7 * N, 8 * N);
    values[7 * N] = Infinity;
    for (const backend of ['cpu', 'wasm'] as const) {
      assert.equal((await initBackend(backend)).name, backend);
      const sample = tf.tensor2d(values, [rows, N]);
      const out = fingerprintsTensor(sample, minStocks);
      const fp = (await out.data()) as Float32Array;
      tf.dispose([sample, out]);
      assertNaiveFingerprints(values, fp, rows, N, minStocks, 2e-6, `${backend}, ${N} stocks`);
      // The host code gives the same numbers up to float32 rounding.
      const host = fingerprints(values, 1, rows, N, minStocks);
      assert.ok(host.every((h, i) => Math.abs(h - fp[i]!) < 2e-6), `${backend}: host and backend fingerprints differ`);
    }
  }
  await initBackend('cpu');
});

test('fingerprint correlation is the mean daily Spearman over days both define, NaN without one', () => {
  const R = 6, N = 41;
  const rng = mulberry32(5);
  const a = randomRows(21, R, N);
  // b: a noisy copy with the same valid stocks, so the correlation is exact.
  const b = a.map((x) => (Number.isFinite(x) ? x + (rng() - 0.5) * 3 : NaN));
  const fa = fingerprints(a, 1, R, N, 10);
  const fb = fingerprints(b, 1, R, N, 10);
  const got = fingerprintCorrelation(fa, fb, R);
  let sum = 0, days = 0;
  for (let d = 0; d < R; d++) {
    const xs: number[] = [], ys: number[] = [];
    for (let j = 0; j < N; j++) {
      const x = a[d * N + j], y = b[d * N + j];
      if (Number.isFinite(x)) {
        xs.push(x);
        ys.push(y);
      }
    }
    if (xs.length < 10 || xs.every((x) => x === xs[0]) || ys.every((y) => y === ys[0])) continue;
    sum += pearson(naiveRanks(xs), naiveRanks(ys));
    days++;
  }
  assert.equal(days, 4, 'days 1 (constant) and 3 (too few stocks) are left out');
  assert.ok(Math.abs(got - sum / days) < 1e-6, `${got} vs ${sum / days}`);
  assert.ok(Math.abs(fingerprintCorrelation(fa, fa, R) - 1) < 1e-6);
  assert.ok(Number.isNaN(fingerprintCorrelation(fa, new Float32Array(R * N), R)));
  assert.throws(() => fingerprintCorrelation(fa, fb.subarray(1), R), RangeError);
  // Against several references at once (four per pass, a partial last block): each the pair's value exactly.
  const others = [fb, fa, new Float32Array(R * N), ...[22, 23, 24].map((seed) => fingerprints(randomRows(seed, R, N), 1, R, N, 10)), fb.map((v, i) => (i < 2 * N ? 0 : v))];
  const many = fingerprintCorrelations(fa, others, R);
  assert.equal(many.length, 7);
  others.forEach((o, i) => assert.ok(Object.is(many[i], fingerprintCorrelation(fa, o, R)), `reference ${i}: ${many[i]} vs ${fingerprintCorrelation(fa, o, R)}`));
  assert.ok(Number.isNaN(many[2]!));
  assert.ok(new Set(many).size >= 6, 'the references differ, so must their correlations');
  assert.throws(() => fingerprintCorrelations(fa, [fb, fb.subarray(1)], R), RangeError);
});

test('rankKeysTensor on cpu and wasm gives the host ranks; rankedFromKeys rebuilds them and refuses what are not ranks', async () => {
  const D = 9, N = 37;
  const values = randomRows(31, D, N);
  values.fill(2.5, 3 * N, 4 * N); // a constant day
  values.fill(NaN, 5 * N, 6 * N); // an empty one
  values[7 * N + 1] = Infinity;
  const host = rankDays(values, D, N, 1, 8);
  for (const backend of ['cpu', 'wasm'] as const) {
    await initBackend(backend);
    const x = tf.tensor2d(values.subarray(N, 9 * N), [8, N]);
    const keysT = rankKeysTensor(x);
    const keys = (await keysT.data()) as Float32Array;
    tf.dispose([x, keysT]);
    const got = rankedFromKeys(keys, N, 1, 8);
    assert.deepEqual([got.keys, got.count, got.spread], [host.keys, host.count, host.spread], backend);
  }
  await initBackend('cpu');
  const keys = Float32Array.from(host.keys);
  keys[2] += 0.5;
  assert.throws(() => rankedFromKeys(keys, N, 1, 8), /day 1's keys are not twice the ranks/);
  keys[2] -= 0.5;
  [keys[0], keys[1]] = [keys[0]! + 2, keys[1]! + 2];
  assert.throws(() => rankedFromKeys(keys, N, 1, 8), /day 1's keys are not twice the ranks of \d+ stocks \(they sum to/);
  assert.throws(() => rankedFromKeys(keys.subarray(1), N, 1, 8), RangeError);
});

test('fingerprintCorrelationMatrix on cpu and wasm equals the host correlations', async () => {
  const R = 6, N = 41;
  const prints = [21, 22, 23, 24, 25].map((seed) => fingerprints(randomRows(seed, R, N), 1, R, N, 10));
  prints.push(new Float32Array(R * N), prints[0]!.map((v, i) => (i < 3 * N ? 0 : v)));
  const refs = [prints[1]!, prints[0]!, prints[6]!, fingerprints(randomRows(26, R, N), 1, R, N, 10)];
  const want = prints.map((a) => fingerprintCorrelations(a, refs, R));
  for (const backend of ['cpu', 'wasm'] as const) {
    await initBackend(backend);
    const before = tf.memory().numTensors;
    const got = await fingerprintCorrelationMatrix(prints, refs, R);
    assert.equal(tf.memory().numTensors, before, `${backend}: tensors leaked`);
    assert.equal(got.length, prints.length * refs.length);
    prints.forEach((_, i) => refs.forEach((_, q) => {
      const g = got[i * refs.length + q]!, w = want[i]![q]!;
      assert.ok(Number.isNaN(w) ? Number.isNaN(g) : Math.abs(g - w) < 1e-6, `${backend}: print ${i} ref ${q}: ${g} vs ${w}`);
    }));
    assert.ok(Number.isNaN(got[5 * refs.length]!), 'an all-zero print shares no day');
    assert.deepEqual(await fingerprintCorrelationMatrix([], refs, R), new Float64Array(0));
    await assert.rejects(fingerprintCorrelationMatrix([prints[0]!.subarray(1)], refs, R), RangeError);
  }
  await initBackend('cpu');
});

test('the Scorer matches whole-panel evaluation and array metrics; worker pools match it bit for bit', async () => {
  await initBackend('cpu');
  const m = generateMarket({ seed: 4, stocks: 40, days: 90, barsPerDay: 4 });
  const panel = m.panel;
  const N = panel.N;
  const cal = tradingDays(panel);
  const D = cal.days.length;
  const labels = computeLabels(panel, { horizon: 1 }).values;
  const setup: ScoreSetup = {
    labels, dayStart: cal.start, dayEnd: cal.end, first: 40, last: 79, margin: 3 * 16, groups: 5, minStocks: MIN_STOCKS,
    refDays: Int32Array.of(0, 7, 13, 20, 39),
  };
  const texts = ['stddev(6,delta(11,log(volume)))', 'sub(close,ts_Mean(8,low))', 'rank(volume)', 'correlation(12,amount,high)', 'ts_Rank(15,ts_Mean(15,close))', 'close', 'sub(close,close)'];
  const exprs = texts.map((t) => parse(t));
  const scorer = new Scorer(panel, setup);
  let got;
  try {
    got = await scorer.score(exprs);
  } finally {
    scorer.dispose();
  }
  const daily = (await evaluateToArrays(panel, exprs)).map((v) => dailyFactor(panel, v));
  const want = populationMetrics(daily, labels, D, N, { rows: [setup.first, setup.last], groups: 5 });
  const R = setup.refDays.length;
  texts.forEach((t, i) => {
    for (const k of ['rank_ic', 'ic', 'long_excess', 'monotonicity', 'turnover', 'days'] as const) {
      const a = got[i]!.summary[k], b = want[i]![k];
      assert.ok(Object.is(a, b) || Math.abs(a - b) < 1e-5, `${t} ${k}: ${a} vs ${b}`);
    }
    const sample = new Float32Array(R * N);
    setup.refDays.forEach((r, k) => sample.set(daily[i]!.subarray((setup.first + r) * N, (setup.first + r + 1) * N), k * N));
    const fp = fingerprints(sample, 1, R, N, MIN_STOCKS);
    assert.equal(got[i]!.fingerprint.length, R * N);
    fp.forEach((x, j) => assert.ok(Math.abs(x - got[i]!.fingerprint[j]!) < 1e-5, `${t} fingerprint ${j}`));
  });
  assert.ok(Number.isNaN(got[6]!.summary.rank_ic), 'a constant factor has no rank IC');
  assert.ok(got[6]!.fingerprint.every((x) => x === 0));

  for (const workers of [2, 3]) {
    const pool = await EvalPool.create(workers);
    try {
      const pooled = await pool.score(panel, setup, exprs);
      pooled.forEach((s, i) => {
        for (const [k, v] of Object.entries(s.summary)) assert.ok(Object.is(v, (got[i]!.summary as unknown as Record<string, number>)[k]), `${workers} workers, ${texts[i]} ${k}`);
        assert.ok(s.fingerprint.every((x, j) => Object.is(x, got[i]!.fingerprint[j])), `${workers} workers, ${texts[i]} fingerprint`);
      });
    } finally {
      pool.close();
    }
  }
});

test('on a wide panel the fingerprints take every k-th stock, at most 500 stocks', async () => {
  assert.deepEqual([1, 500, 501, 1100, 5000].map(fingerprintStride), [1, 1, 2, 3, 10]);
  assert.deepEqual([...strideColumns(Float32Array.from({ length: 14 }, (_, i) => i), 2, 7, 3)], [0, 3, 6, 7, 10, 13]);
  await initBackend('cpu');
  const m = generateMarket({ seed: 8, stocks: 1100, days: 40, barsPerDay: 2 });
  const N = m.panel.N, k = 3, M = 367;
  const cal = tradingDays(m.panel);
  const setup: ScoreSetup = {
    labels: computeLabels(m.panel, { horizon: 1 }).values, dayStart: cal.start, dayEnd: cal.end, first: 20, last: 35, margin: 40,
    groups: 5, minStocks: MIN_STOCKS, refDays: Int32Array.of(0, 5, 15),
  };
  const texts = ['rank(volume)', 'ts_Mean(5,close)', 'sub(close,close)'];
  const exprs = texts.map((t) => parse(t));
  const scorer = new Scorer(m.panel, setup);
  let got;
  try {
    got = await scorer.score(exprs);
  } finally {
    scorer.dispose();
  }
  const daily = (await evaluateToArrays(m.panel, exprs)).map((v) => dailyFactor(m.panel, v));
  const R = setup.refDays.length;
  texts.forEach((t, i) => {
    assert.equal(got[i]!.fingerprint.length, R * M, t);
    const sample = new Float32Array(R * M);
    setup.refDays.forEach((r, d) => {
      for (let c = 0; c < M; c++) sample[d * M + c] = daily[i]![(setup.first + r) * N + c * k]!;
    });
    assertNaiveFingerprints(sample, got[i]!.fingerprint, R, M, MIN_STOCKS, 1e-5, `${t} (every ${k}th stock)`);
  });
  assert.ok(got[0]!.fingerprint.some((x) => x !== 0) && got[2]!.fingerprint.every((x) => x === 0));
});

test('a Scorer over several chunks gives, in order, what scoring each chunk alone gives, and reports each chunk', async () => {
  await initBackend('cpu');
  const m = generateMarket({ seed: 6, stocks: 30, days: 60, barsPerDay: 4 });
  const cal = tradingDays(m.panel);
  const setup: ScoreSetup = {
    labels: computeLabels(m.panel, { horizon: 1 }).values, dayStart: cal.start, dayEnd: cal.end, first: 20, last: 55, margin: 64,
    groups: 5, minStocks: MIN_STOCKS, refDays: Int32Array.of(0, 9, 30),
  };
  // 150 different windows: chunks of 64, 64 and 22, each queued before the one before it is read back.
  const exprs = Array.from({ length: 150 }, (_, i) => parse(`ts_Mean(${2 + (i % 50)},${['close', 'volume', 'high'][Math.floor(i / 50)]})`));
  const scorer = new Scorer(m.panel, setup);
  try {
    const progress: number[] = [];
    const all = await scorer.score(exprs, (done, total) => progress.push(done / total));
    assert.deepEqual(progress, [64 / 150, 128 / 150, 1]);
    const alone = [...(await scorer.score(exprs.slice(0, 64))), ...(await scorer.score(exprs.slice(64, 128))), ...(await scorer.score(exprs.slice(128)))];
    all.forEach((r, i) => {
      for (const [k, v] of Object.entries(r.summary)) assert.ok(Object.is(v, (alone[i]!.summary as unknown as Record<string, number>)[k]), `${i} ${k}`);
      assert.ok(r.fingerprint.every((x, j) => Object.is(x, alone[i]!.fingerprint[j])), `${i} fingerprint`);
    });
    assert.notEqual(all[0]!.summary.rank_ic, all[1]!.summary.rank_ic, 'different windows score differently');
  } finally {
    scorer.dispose();
  }
});
