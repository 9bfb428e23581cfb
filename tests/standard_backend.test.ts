/**
 * The path of tfjs-node's `tensorflow` backend (the CUDA build), which CI cannot install, on a stand-in with the
 * same property: tfjs's standard kernels and none of alphaflow's (tests/support/standard_backend.ts). There the
 * miner's Scorer must run every operator and metric as its composite, give the cpu backend's scores (up to
 * float32 arithmetic in the composites), never read synchronously, and read back only rows — the per-day
 * metric rows and the fingerprint sample — never a panel.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { MIN_STOCKS } from '../src/fitness/metrics.ts';
import { dailyWidth } from '../src/fitness/daily_layout.ts';
import { Scorer, type ScoreResult, type ScoreSetup } from '../src/eval/scorer.ts';
import { initBackend } from '../src/eval/backend.ts';
import { generateMarket } from '../src/data/synth.ts';
import { tradingDays } from '../src/data/calendar.ts';
import { computeLabels } from '../src/data/labels.ts';
import { parse } from '../src/expr/parse.ts';
import { registerStandardBackend, STANDARD_BACKEND } from './support/standard_backend.ts';
import { watchReads } from './support/read_log.ts';

test('on a backend with only standard kernels the Scorer runs composites, matches cpu, and reads back rows only', async () => {
  const m = generateMarket({ seed: 8, stocks: 60, days: 70, barsPerDay: 4 });
  const panel = m.panel;
  const cal = tradingDays(panel);
  const setup: ScoreSetup = {
    labels: computeLabels(panel, { horizon: 1 }).values, dayStart: cal.start, dayEnd: cal.end, first: 30, last: 65,
    margin: 64, groups: 5, minStocks: MIN_STOCKS, refDays: Int32Array.of(0, 11, 20, 35),
  };
  // Not here: differences of tick-quantised prices such as sub(close,ts_Mean(8,low)). Their exact values tie
  // across stocks, and float64 and float32 break those ties by different rounding, so a stock changes group now
  // and then and, with 12 stocks a group, moves long excess by about 0.01 — legitimately, on any float32 device.
  const texts = [
    'stddev(6,delta(11,log(volume)))', 'ts_Mean(8,volume)', 'rank(volume)', 'correlation(12,amount,high)',
    'ts_Rank(15,volume)', 'decay_linear(10,div(close,open))', 'close', 'sub(close,close)',
  ];
  const exprs = texts.map((t) => parse(t));
  const run = async (): Promise<ScoreResult[]> => {
    const scorer = new Scorer(panel, setup);
    try {
      return await scorer.score(exprs);
    } finally {
      scorer.dispose();
    }
  };
  await initBackend('cpu');
  const want = await run();

  registerStandardBackend();
  assert.ok(await tf.setBackend(STANDARD_BACKEND));
  for (const k of ['af_rank', 'af_daily_metrics', 'af_take_rows']) assert.equal(tf.getKernel(k, STANDARD_BACKEND), undefined, `${k} must not be registered`);
  const before = tf.memory().numTensors;
  const log = watchReads(STANDARD_BACKEND);
  let got: ScoreResult[];
  try {
    got = await run();
  } finally {
    await initBackend('cpu');
  }
  assert.equal(tf.memory().numTensors, before, 'tensors leaked');

  // Reads: none synchronous; per chunk the metric rows and the fingerprint sample, each far below a panel.
  const days = setup.last - setup.first + 1;
  const F = exprs.length;
  const N = panel.N;
  assert.deepEqual(log.syncReads, []);
  assert.deepEqual([...log.reads].sort((a, b) => a - b), [F * setup.refDays.length * N, F * days * dailyWidth(setup.groups)].sort((a, b) => a - b));
  assert.ok(Math.max(...log.reads) < F * days * N, 'no read as large as the population\'s day-end panels');

  // Scores: the same days; values as the WebGPU pipeline test allows (tests/webgpu_pipeline.test.ts): the
  // composite operators compute in float32, so near-ties among stocks can swap ranks (a difference of prices
  // keeps about four digits), moving a rank IC by a few 1e-4, and a fingerprint cell now and then.
  const problems: string[] = [];
  texts.forEach((t, i) => {
    const a = got[i]!.summary, b = want[i]!.summary;
    if (a.days !== b.days) problems.push(`${t} days: ${a.days} vs ${b.days}`);
    for (const k of ['ic', 'rank_ic', 'long_excess', 'monotonicity', 'turnover', 'coverage'] as const) {
      if (Number.isNaN(a[k]) !== Number.isNaN(b[k]) || Math.abs(a[k] - b[k]) > 2e-3 * Math.max(1, Math.abs(b[k]))) problems.push(`${t} ${k}: ${a[k]} vs ${b[k]}`);
    }
    const fa = got[i]!.fingerprint, fb = want[i]!.fingerprint;
    let diff = 0;
    fa.forEach((x, j) => (Number.isNaN(x) !== Number.isNaN(fb[j]!) || Math.abs(x - fb[j]!) > 1e-3 ? diff++ : 0));
    if (diff > fa.length * 0.002) problems.push(`${t}: ${diff} fingerprint cells differ`);
  });
  assert.deepEqual(problems, []);
  assert.ok(Number.isFinite(got[0]!.summary.rank_ic) && Number.isNaN(got[7]!.summary.rank_ic));
});
