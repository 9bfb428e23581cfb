/**
 * The whole evaluation path on WebGPU against the host path: composed expressions with shared subtrees through
 * the evaluator, and the miner's Scorer (day-end gather, stacking, the metrics kernel, fingerprints) on a small
 * synthetic market, the miner's pool candidates (values and segment metrics) and novelty correlations, and a
 * small mine, reading back only rows (never synchronously). Deno only (its software adapter is enough); Node has no WebGPU and skips, saying so.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { DeviceError, DeviceLimitError, initBackend, largestTensorBytes, panelNeed, releaseBackend } from '../src/eval/backend.ts';
import { evaluateToArrays, Evaluator } from '../src/eval/evaluate.ts';
import type { Panel } from '../src/data/panel.ts';
import { fingerprintsTensor, Scorer, type ScoreSetup } from '../src/eval/scorer.ts';
import { factorCorrelation, MIN_STOCKS } from '../src/fitness/metrics.ts';
import { fingerprintCorrelationMatrix, fingerprintCorrelations, fingerprints } from '../src/fitness/fingerprint.ts';
import { mine } from '../src/mine/miner.ts';
import { mulberry32 } from '../src/util/rng.ts';
import { dailyFactor } from '../src/data/labels.ts';
import { generateMarket } from '../src/data/synth.ts';
import { tradingDays } from '../src/data/calendar.ts';
import { computeLabels } from '../src/data/labels.ts';
import { parse } from '../src/expr/parse.ts';
import { print } from '../src/expr/print.ts';
import { compareCells } from './gpu/check_kernels.ts';
import { checkFingerprints } from './gpu/check_fingerprints.ts';
import { webgpuOrSkip } from './gpu/webgpu_only.ts';
import { watchReads } from './support/read_log.ts';
import { dailyWidth } from '../src/fitness/daily_layout.ts';
import { evaluateCandidates } from '../src/mine/candidates.ts';
import { rankDays } from '../src/fitness/ranked_days.ts';
import { parseSplitArgs, splitDays } from '../src/data/splits.ts';


const TEXTS = [
  'sub(close,ts_Mean(8,low))',
  'rank(div(delta(3,close),stddev(10,close)))',
  'correlation(10,rank(volume),rank(close))',
  'REGresid_ts(7,delay(3,close),ts_Mean(8,low))',
  'zscore(EMA(6,sub(high,low)))',
  'scale(ts_Skew(10,close))',
  'max(ts_ArgMax(7,high),ts_ArgMin(7,low))',
  'ts_Rank(10,decay_linear(5,vwap))',
  'sig(covariance(12,amount,high))',
  'log(pctchange_ts(3,sqrt(amount)))',
];

const market = generateMarket({ seed: 4, stocks: 40, days: 90, barsPerDay: 4 });
const panel = market.panel;
const exprs = TEXTS.map((s) => parse(s));

test('evaluator on WebGPU gives the host values for composed expressions', async (t) => {
  if (!(await webgpuOrSkip(t))) return;
  await initBackend('cpu');
  const want = await evaluateToArrays(panel, exprs);
  await initBackend('webgpu');
  const before = tf.memory().numTensors;
  const got = await evaluateToArrays(panel, exprs);
  assert.equal(tf.memory().numTensors, before, 'tensors leaked');
  const problems = TEXTS.flatMap((s, k) => {
    // Composed expressions compound float32 differences; cells where the host value sits on a threshold
    // (protected division, ranks of near-ties) may legitimately differ, so a handful per panel is allowed.
    const d = compareCells(got[k]!, want[k]!, panel.T, panel.N);
    const bad = d ? Number(d.split(' ')[0]) : 0;
    return bad > want[k]!.length * 0.002 ? [`${s}: ${d}`] : [];
  });
  assert.deepEqual(problems, []);
  await initBackend('cpu');
});

test('the Scorer on WebGPU gives the host summaries and fingerprints', async (t) => {
  if (!(await webgpuOrSkip(t))) return;
  const cal = tradingDays(panel);
  const labels = computeLabels(panel, { horizon: 1 }).values;
  const setup: ScoreSetup = {
    labels, dayStart: cal.start, dayEnd: cal.end, first: 40, last: 79, margin: 3 * 16, groups: 5, minStocks: MIN_STOCKS,
    refDays: Int32Array.of(0, 7, 13, 20, 39),
  };
  // 70 expressions: two chunks of the Scorer (64 + 6), the second queued before the first is read back.
  const texts = ['close', 'open', 'high', 'low', 'vwap', 'amount', 'volume'].flatMap((f) => TEXTS.map((s) => s.replaceAll('close', f)));
  const many = texts.map((s) => parse(s));
  await initBackend('cpu');
  const host = new Scorer(panel, setup);
  const want = await host.score(many);
  host.dispose();
  assert.equal((await initBackend('webgpu')).name, 'webgpu');
  const before = tf.memory().numTensors;
  const device = new Scorer(panel, setup);
  const progress: number[] = [];
  const log = watchReads('webgpu');
  const got = await device.score(many, (done) => progress.push(done));
  device.dispose();
  assert.deepEqual(progress, [64, 70]);
  // Nothing read synchronously; per chunk only the metric rows and the fingerprint sample come back.
  assert.deepEqual(log.syncReads, []);
  const days = setup.last - setup.first + 1;
  const rowsOf = (F: number) => [F * setup.refDays.length * panel.N, F * days * dailyWidth(setup.groups)];
  assert.deepEqual([...log.reads].sort((a, b) => a - b), [...rowsOf(64), ...rowsOf(6)].sort((a, b) => a - b));
  assert.equal(tf.memory().numTensors, before, 'tensors leaked');
  const problems: string[] = [];
  got.forEach((g, k) => {
    for (const key of ['ic', 'rank_ic', 'icir', 'long_excess', 'monotonicity', 'coverage'] as const) {
      const a = g.summary[key as keyof typeof g.summary] as number, b = want[k]!.summary[key as keyof typeof g.summary] as number;
      if (Number.isNaN(a) !== Number.isNaN(b) || Math.abs(a - b) > 2e-3 * Math.max(1, Math.abs(b))) problems.push(`${texts[k]} ${key}: host ${b}, webgpu ${a}`);
    }
    let diff = 0;
    g.fingerprint.forEach((v, i) => {
      const w = want[k]!.fingerprint[i]!;
      if (Number.isNaN(v) !== Number.isNaN(w) || Math.abs(v - w) > 1e-3) diff++;
    });
    if (diff > g.fingerprint.length * 0.002) problems.push(`${texts[k]}: ${diff} fingerprint cells differ`);
  });
  assert.deepEqual(problems, []);
  await initBackend('cpu');
});

test('pool candidates on WebGPU: metrics and ranks by the device kernels, only rows, keys and metric rows read back', async (t) => {
  if (!(await webgpuOrSkip(t))) return;
  const cal = tradingDays(panel);
  const D = cal.days.length;
  const labels = computeLabels(panel, { horizon: 1 }).values;
  const segments = splitDays(cal.days, parseSplitArgs({ split: '0.5,0.25,0.25' }));
  const setup = { segments, labels, groups: 5 };
  const ranks = { first: segments[0]!.firstDay, last: segments[1]!.lastDay };
  // 20 candidates: a chunk of 16, then one of 4.
  const texts = ['close', 'open'].flatMap((f) => TEXTS.map((s) => s.replaceAll('close', f)));
  const nodes = texts.map((s) => parse(s));
  await initBackend('cpu');
  const want = await evaluateCandidates(panel, nodes, { metrics: setup });
  assert.equal((await initBackend('webgpu')).name, 'webgpu');
  const before = tf.memory().numTensors;
  const log = watchReads('webgpu');
  const got = await evaluateCandidates(panel, nodes, { metrics: setup, ranks });
  assert.deepEqual(log.syncReads, []);
  const metricRows = (F: number) => segments.map((seg) => F * (seg.lastDay - seg.firstDay + 1) * dailyWidth(5));
  const chunk = (F: number) => [...metricRows(F), ...Array(F).fill((ranks.last - ranks.first + 1) * panel.N), ...Array(F).fill(D * panel.N)];
  assert.deepEqual(log.reads, [...chunk(16), ...chunk(4)]);
  assert.equal(tf.memory().numTensors, before, 'tensors leaked');
  const problems: string[] = [];
  got.daily.forEach((g, k) => {
    const d = compareCells(g, want.daily[k]!, D, panel.N);
    if (d && Number(d.split(' ')[0]) > g.length * 0.002) problems.push(`${texts[k]} values: ${d}`);
    for (const seg of segments) {
      for (const key of ['ic', 'rank_ic', 'icir', 'long_excess', 'monotonicity', 'coverage', 'days'] as const) {
        const a = got.metrics[k]![seg.name]![key] as number, b = want.metrics[k]![seg.name]![key] as number;
        if (Number.isNaN(a) !== Number.isNaN(b) || Math.abs(a - b) > 2e-3 * Math.max(1, Math.abs(b))) problems.push(`${texts[k]} ${seg.name} ${key}: host ${b}, webgpu ${a}`);
      }
    }
    // The device's ranks of its own values are the host's ranks of them, exactly.
    const host = rankDays(g, D, panel.N, ranks.first, ranks.last);
    const dev = got.ranked![k]!;
    if (!(dev.keys.every((x, i) => x === host.keys[i]) && dev.count.every((x, i) => x === host.count[i]) && dev.spread.every((x, i) => x === host.spread[i]))) {
      problems.push(`${texts[k]}: device ranks differ from the host's`);
    }
  });
  assert.deepEqual(problems, []);
  await initBackend('cpu');
});

test('novelty correlations on WebGPU are the host ones, and a mine there keeps the pool rules', async (t) => {
  if (!(await webgpuOrSkip(t))) return;
  const R = 30, N = 300;
  const rng = mulberry32(12);
  const prints = Array.from({ length: 70 }, (_, i) => {
    const v = Float32Array.from({ length: R * N }, () => (rng() < 0.05 ? NaN : rng()));
    if (i % 9 === 0) v.fill(NaN, 0, 10 * N); // ten days without enough stocks: left out of the mean
    return fingerprints(v, 1, R, N, MIN_STOCKS);
  });
  const refs = prints.slice(60).map((f, i) => (i === 0 ? f : f.map((v, k) => v + 0.5 * prints[i]![k]!)));
  assert.equal((await initBackend('webgpu')).name, 'webgpu');
  const before = tf.memory().numTensors;
  const got = await fingerprintCorrelationMatrix(prints, refs, R);
  assert.equal(tf.memory().numTensors, before, 'tensors leaked');
  const bad: string[] = [];
  prints.forEach((a, i) => fingerprintCorrelations(a, refs, R).forEach((w, q) => {
    const g = got[i * refs.length + q]!;
    if (Number.isNaN(w) ? !Number.isNaN(g) : !(Math.abs(g - w) < 1e-5)) bad.push(`print ${i} ref ${q}: ${g} vs ${w}`);
  }));
  assert.deepEqual(bad, []);

  // A small mine on WebGPU: its novelty term runs as matrix products there, and the pool keeps the rules.
  const small = generateMarket({ seed: 3, stocks: 60, days: 120, barsPerDay: 4 });
  const config = { population: 30, generations: 3, seed: 7, thresholds: { ic: 0.01, longExcess: 0, monotonicity: 0 }, correlation: 0.7 };
  const profile = await tf.profile(async () => void (await mine(small.panel, config)));
  assert.ok(profile.kernelNames.includes('BatchMatMul'), `no matrix product ran: ${profile.kernelNames.join(' ')}`);
  const res = await mine(small.panel, config);
  assert.ok(res.pool.length > 0, 'the pool fills');
  await initBackend('cpu');
  const days = tradingDays(small.panel).days.length;
  const daily = (await evaluateToArrays(small.panel, res.pool.map((m) => parse(m.expr)))).map((v) => dailyFactor(small.panel, v));
  const train = res.segments.find((s) => s.name === 'train')!, valid = res.segments.find((s) => s.name === 'valid')!;
  const corr = factorCorrelation(daily, days, small.panel.N, { rows: [train.firstDay, valid.lastDay] });
  const F = daily.length;
  for (let i = 0; i < F; i++) {
    assert.equal(res.pool[i]!.metrics.train!.direction, res.pool[i]!.metrics.valid!.direction);
    for (let j = i + 1; j < F; j++) assert.ok(Math.abs(corr[i * F + j]!) <= 0.7 + 1e-4, `${res.pool[i]!.expr} ~ ${res.pool[j]!.expr}: ${corr[i * F + j]}`);
  }
});

test('fingerprints with WebGPU ops match the host fingerprints, the 700-stock rows on the sort path', async (t) => {
  if (!(await webgpuOrSkip(t))) return;
  const report = await checkFingerprints(41);
  assert.deepEqual(report.failures, []);
  assert.equal(report.runs, 3);
});

test('on a wide panel the Scorer on WebGPU fingerprints every k-th stock, as the host does', async (t) => {
  if (!(await webgpuOrSkip(t))) return;
  const m = generateMarket({ seed: 8, stocks: 1100, days: 40, barsPerDay: 2 });
  const cal = tradingDays(m.panel);
  const setup: ScoreSetup = {
    labels: computeLabels(m.panel, { horizon: 1 }).values, dayStart: cal.start, dayEnd: cal.end, first: 20, last: 35, margin: 40,
    groups: 5, minStocks: MIN_STOCKS, refDays: Int32Array.of(0, 5, 15),
  };
  const wideExprs = ['rank(volume)', 'ts_Mean(5,close)', 'sub(high,low)'].map((s) => parse(s));
  const run = async (backend: 'cpu' | 'webgpu') => {
    assert.equal((await initBackend(backend)).name, backend);
    const scorer = new Scorer(m.panel, setup);
    try {
      return await scorer.score(wideExprs);
    } finally {
      scorer.dispose();
    }
  };
  const want = await run('cpu');
  const got = await run('webgpu');
  await initBackend('cpu');
  got.forEach((g, i) => {
    assert.equal(g.fingerprint.length, 3 * 367);
    let diff = 0;
    g.fingerprint.forEach((v, j) => (Math.abs(v - want[i]!.fingerprint[j]!) > 1e-5 ? diff++ : 0));
    assert.ok(diff <= g.fingerprint.length * 0.002, `${print(wideExprs[i]!)}: ${diff} fingerprint cells differ`);
  });
});

test('a panel larger than the device binds is refused before any work, and the Scorer stacks no more rows than it binds', async (t) => {
  if (!(await webgpuOrSkip(t))) return;
  // Past this, WebGPU drops the dispatch with a validation error and the output reads back as zeros.
  const limit = largestTensorBytes();
  assert.ok(Number.isFinite(limit) && limit >= 2 ** 27, `binding limit ${limit}`);
  const N = 1000;
  const T = Math.floor(limit / (4 * N)) + 1; // one bar too many
  const over = await initBackend('webgpu', panelNeed(T, N));
  assert.equal(over.name, 'cpu');
  assert.match(over.note ?? '', new RegExp(`^backend 'webgpu' cannot hold the job \\(a ${T} x ${N} panel needs [\\d.]+ MiB per tensor, more than this webgpu device binds \\([\\d.]+ MiB\\)\\); falling back to cpu$`));
  assert.equal((await initBackend('webgpu', panelNeed(T - 1, N))).name, 'webgpu');

  const big: Panel = { times: Array.from({ length: T }, (_, i) => String(i)), codes: Array.from({ length: N }, (_, j) => `s${j}`), fields: new Map([['close', new Float32Array(T * N)]]), T, N };
  const before = tf.memory().numTensors;
  const evaluator = new Evaluator(big);
  assert.throws(() => evaluator.evaluate([parse('rank(close)')]), (e: unknown) => e instanceof DeviceLimitError && e.need.bytes === T * N * 4 && e.limit === limit);
  evaluator.dispose();
  assert.equal(tf.memory().numTensors, before, 'nothing was uploaded');

  // Daily bars: each root's scored rows are 40 MB, so 26 roots fit the 1 GiB panel budget but not the binding.
  const D = 5000, M = 2000;
  const days: Panel = { times: Array.from({ length: D }, (_, i) => `d${i}`), codes: Array.from({ length: M }, (_, j) => `s${j}`), fields: new Map([['close', new Float32Array(D * M)]]), T: D, N: M };
  const setup: ScoreSetup = {
    labels: new Float32Array(D * M), dayStart: Int32Array.from({ length: D }, (_, i) => i), dayEnd: Int32Array.from({ length: D }, (_, i) => i + 1),
    first: 0, last: D - 1, margin: 0, groups: 5, minStocks: MIN_STOCKS, refDays: Int32Array.of(0),
  };
  const onDevice = new Scorer(days, setup);
  const deviceChunk = onDevice.chunk;
  onDevice.dispose();
  await initBackend('cpu');
  const onHost = new Scorer(days, setup);
  const hostChunk = onHost.chunk;
  onHost.dispose();
  assert.equal(hostChunk, Math.floor(2 ** 30 / (D * M * 4)));
  assert.equal(deviceChunk, Math.min(hostChunk, Math.floor(limit / (D * M * 4))));
  assert.ok(deviceChunk * D * M * 4 <= limit && deviceChunk >= 1, `${deviceChunk} roots of ${D * M * 4} bytes`);
});

test('an error the device reports fails the next read with DeviceError instead of handing on its results', async (t) => {
  if (!(await webgpuOrSkip(t))) return;
  const device = (tf.backend() as unknown as { device: { createBuffer(d: { size: number; usage: number }): unknown } }).device;
  // An invalid call: WebGPU reports it on the device (as it does an out-of-memory buffer), not as an exception.
  const fault = () => device.createBuffer({ size: 4, usage: 0 });
  fault();
  await assert.rejects(evaluateToArrays(panel, exprs.slice(0, 2)), (e: unknown) => e instanceof DeviceError && /usage/i.test(e.message));
  // Said once: the next evaluation is clean and right.
  const [again] = await evaluateToArrays(panel, exprs.slice(0, 1));
  await initBackend('cpu');
  const [host] = await evaluateToArrays(panel, exprs.slice(0, 1));
  assert.equal(compareCells(again, host, panel.T, panel.N), undefined);

  assert.equal((await initBackend('webgpu')).name, 'webgpu');
  const cal = tradingDays(panel);
  const scorer = new Scorer(panel, {
    labels: computeLabels(panel, { horizon: 1 }).values, dayStart: cal.start, dayEnd: cal.end, first: 40, last: 79, margin: 48,
    groups: 5, minStocks: MIN_STOCKS, refDays: Int32Array.of(0, 9),
  });
  try {
    fault();
    await assert.rejects(scorer.score(exprs), DeviceError);
    assert.equal((await scorer.score(exprs)).length, exprs.length);
  } finally {
    scorer.dispose();
  }
});

test('releaseBackend drains the queue, drops the webgpu backend and destroys its device', async (t) => {
  if (!(await webgpuOrSkip(t))) return;
  const backend = tf.engine().registry.webgpu as unknown as { device: { lost: Promise<{ reason: string }> } };
  tf.tidy(() => tf.matMul(tf.ones([256, 256]), tf.ones([256, 256]))); // submitted, never read: in flight at the release
  await releaseBackend();
  assert.equal((await backend.device.lost).reason, 'destroyed');
  assert.equal(tf.engine().registry.webgpu, undefined);
  await releaseBackend(); // nothing left to release
  const again = await initBackend('webgpu');
  assert.equal(again.name, 'cpu');
  assert.match(again.note ?? '', /^backend 'webgpu' failed to initialise/);
});
