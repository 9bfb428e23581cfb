/**
 * web/tear-sheet-data.ts without a browser: the worker-side computation of the tear sheet and the pool
 * correlation. The figures must be the library's own (buildReport's and factorCorrelation's, on labels purged
 * at segment ends), the run's split must be the one used, and failures must come back as messages the page can
 * show (a parse error with its column), in the order the requests were made.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateMarket } from '../src/data/synth.ts';
import { initBackend } from '../src/eval/backend.ts';
import { tradingDays } from '../src/data/calendar.ts';
import { computeLabels, dailyFactor } from '../src/data/labels.ts';
import { purgeLabels, splitDays, parseSplitArgs } from '../src/data/splits.ts';
import { parse } from '../src/expr/parse.ts';
import { evaluateToArrays } from '../src/eval/evaluate.ts';
import { factorCorrelation, factorMetrics, icDecay } from '../src/fitness/metrics.ts';
import { DEFAULT_CONFIG } from '../src/mine/config.ts';
import {
  answerAnalysis, cumulativeReturn, cumulativeSum, DECAY_HORIZONS, DEFAULT_TEAR_SHEET_SETTINGS, poolCorrelation, queueAnalysis,
  settingsOfConfig, tearSheet, type AnalysisContext, type AnalysisReply,
} from '../web/tear-sheet-data.ts';

const market = generateMarket({ stocks: 60, days: 120, seed: 3 });
const panel = market.panel;
const EXPR = 'sub(close, ts_Mean(8, low))';

async function daily(text: string): Promise<Float32Array> {
  const [v] = await evaluateToArrays(panel, [parse(text)]);
  return dailyFactor(panel, v!);
}

test('tear sheet: the library\'s metrics per default segment, IC decay 1..10, curves from the daily series', async () => {
  await initBackend('cpu');
  const s = await tearSheet(panel, EXPR, DEFAULT_TEAR_SHEET_SETTINGS, 'default');
  assert.equal(s.expr, 'sub(close,ts_Mean(8,low))');
  assert.equal(s.tree.kind, 'call');
  assert.deepEqual([s.size, s.depth, s.lookback], [4, 3, 7]);
  assert.equal(s.settingsFrom, 'default');
  const cal = tradingDays(panel);
  const D = cal.days.length;
  const N = panel.N;
  const segments = splitDays(cal.days, parseSplitArgs({ split: '0.5,0.25,0.25' }));
  assert.deepEqual(s.segments.map((g) => [g.name, g.days]), segments.map((g) => [g.name, g.lastDay - g.firstDay + 1]));
  const labels = computeLabels(panel, { horizon: 1 });
  assert.equal(s.price, labels.price);
  const purged = purgeLabels(labels.values, D, N, segments, 1);
  const f = await daily(EXPR);
  for (const seg of segments) {
    const { summary, daily: d } = factorMetrics(f, purged, D, N, { groups: 5, rows: [seg.firstDay, seg.lastDay] });
    const got = s.factor.segments[seg.name]!;
    assert.equal(got.metrics.rank_ic, summary.rank_ic, `${seg.name} rank IC`);
    assert.equal(got.metrics.long_short, summary.long_short, `${seg.name} long-short`);
    assert.equal(got.daily.date.length, d.day.length);
    const c = s.curves[seg.name]!;
    assert.equal(c.groups.length, 5);
    assert.ok(Math.abs(c.ic.at(-1)! - Array.from(d.ic).reduce((a, b) => a + b, 0)) < 1e-9, 'cumulative IC ends at the sum');
    let nv = 1;
    for (const r of d.longShort) if (Number.isFinite(r)) nv *= 1 + r;
    assert.ok(Math.abs(c.longShort.at(-1)! - nv) < 1e-9, 'long-short net value compounds the daily returns');
  }
  const decayLabels = Array.from({ length: DECAY_HORIZONS }, (_, i) => computeLabels(panel, { horizon: i + 1 }).values);
  assert.deepEqual(s.factor.ic_decay, icDecay(f, decayLabels, D, N, { groups: 5 }));
  // The planted alpha predicts: positive rank IC in training.
  assert.ok(s.factor.segments.train!.metrics.rank_ic > 0.02, `rank IC ${s.factor.segments.train!.metrics.rank_ic}`);
});

test('tear sheet: a run\'s split and groups are the ones used', async () => {
  await initBackend('cpu');
  const settings = settingsOfConfig({ ...DEFAULT_CONFIG, split: { split: '0.6,0.4,0' }, groups: 3 });
  const s = await tearSheet(panel, EXPR, settings, 'run');
  assert.equal(s.settingsFrom, 'run');
  assert.deepEqual(s.segments.map((g) => g.name), ['train', 'valid']);
  assert.equal(s.segments[0]!.days, Math.round(0.6 * tradingDays(panel).days.length));
  assert.equal(s.curves.train!.groups.length, 3);
  assert.equal(s.factor.segments.test, undefined);
});

test('pool correlation: factorCorrelation of the daily values over all days', async () => {
  await initBackend('cpu');
  const exprs = ['sub(close,ts_Mean(8,low))', 'stddev(6,delta(11,log(volume)))', 'close'];
  const c = await poolCorrelation(panel, exprs);
  assert.deepEqual(c.exprs, exprs);
  const D = tradingDays(panel).days.length;
  const want = factorCorrelation(await Promise.all(exprs.map(daily)), D, panel.N);
  for (let i = 0; i < 3; i++) {
    assert.equal(c.matrix[i]![i], 1);
    for (let j = 0; j < 3; j++) {
      assert.equal(c.matrix[i]![j], want[i * 3 + j]);
      assert.equal(c.matrix[i]![j], c.matrix[j]![i]);
    }
  }
});

test('answers: parse errors with their column, no data, requests answered in order', async () => {
  const ctx = (over: Partial<AnalysisContext> = {}): AnalysisContext => ({
    panel, dataLabel: 'test market', settings: undefined, ensureBackend: () => initBackend('cpu').then(() => undefined), ...over,
  });
  const bad = await answerAnalysis({ type: 'tear-sheet', id: 7, expr: 'sub(close,turn)' }, ctx());
  assert.equal(bad.type, 'analysis-error');
  assert.ok(bad.type === 'analysis-error' && bad.id === 7 && bad.column === 11 && bad.length === 4, JSON.stringify(bad));
  const none = await answerAnalysis({ type: 'pool-corr', id: 8, exprs: ['close'] }, ctx({ panel: undefined }));
  assert.ok(none.type === 'analysis-error' && /no data is loaded/.test(none.message) && none.column === undefined);
  const ok = await answerAnalysis({ type: 'tear-sheet', id: 9, expr: 'close' }, ctx());
  assert.ok(ok.type === 'tear-sheet' && ok.sheet.dataLabel === 'test market');

  const replies: AnalysisReply[] = [];
  await new Promise<void>((resolve) => {
    queueAnalysis({ type: 'tear-sheet', id: 1, expr: EXPR }, () => ctx(), (m) => replies.push(m));
    queueAnalysis({ type: 'pool-corr', id: 2, exprs: [EXPR, 'close'] }, () => ctx(), (m) => replies.push(m));
    queueAnalysis({ type: 'tear-sheet', id: 3, expr: 'close(' }, () => ctx(), (m) => {
      replies.push(m);
      resolve();
    });
  });
  assert.deepEqual(replies.map((r) => [r.id, r.type]), [[1, 'tear-sheet'], [2, 'pool-corr'], [3, 'analysis-error']]);
});

test('cumulative curves: NaN days hold the value', () => {
  assert.deepEqual(cumulativeSum([0.1, NaN, 0.2, -0.05]).map((v) => +v.toFixed(10)), [0.1, 0.1, 0.3, 0.25]);
  assert.deepEqual(cumulativeReturn([0.1, NaN, -0.5]).map((v) => +v.toFixed(10)), [1.1, 1.1, 0.55]);
  assert.deepEqual(cumulativeSum([]), []);
});
