/**
 * The mining loop as a library: determinism for a seed, a checkpoint resumed mid-run ends exactly where an
 * uninterrupted run ends, the pool rules (pass on training and validation, correlation cap, size cap), the run's
 * bookkeeping (cache: each canonical text scored once; history), config errors naming their field, and, on a
 * market without planted alpha, pool factors whose test rank ICs sit around zero (no look-ahead leakage).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateMarket } from '../src/data/synth.ts';
import { mine, mineGenerations, type Checkpoint, type GenerationRecord, type MineResult } from '../src/mine/miner.ts';
import { MineConfigError, resolveConfig } from '../src/mine/config.ts';
import { parse } from '../src/expr/parse.ts';
import { print } from '../src/expr/print.ts';
import { factorCorrelation, populationMetrics } from '../src/fitness/metrics.ts';
import { passes } from '../src/fitness/registry.ts';
import { computeLabels } from '../src/data/labels.ts';
import { parseSplitArgs, purgeLabels, splitDays } from '../src/data/splits.ts';
import { evaluateToArrays } from '../src/eval/evaluate.ts';
import { dailyFactor } from '../src/data/labels.ts';
import { tradingDays } from '../src/data/calendar.ts';
import { evaluateCandidates } from '../src/mine/candidates.ts';
import { EvalPool } from '../src/eval/pool.ts';

const small = generateMarket({ seed: 3, stocks: 60, days: 120, barsPerDay: 4 });
// Loose thresholds so that small runs do fill a pool.
const base = { population: 40, generations: 3, seed: 7, thresholds: { ic: 0.01, longExcess: 0, monotonicity: 0 }, correlation: 0.7 };

const timeless = (h: GenerationRecord[]) => h.map(({ seconds: _s, evals_per_second: _e, ...rest }) => rest);

test('same seed, same pool and history; another seed differs', async () => {
  const a = await mine(small.panel, base);
  const b = await mine(small.panel, base);
  const c = await mine(small.panel, { ...base, seed: 8 });
  assert.ok(a.pool.length > 0, 'the pool fills');
  assert.deepEqual(a.pool, b.pool);
  assert.deepEqual(timeless(a.history), timeless(b.history));
  assert.notDeepEqual(timeless(a.history), timeless(c.history));
  assert.equal(a.history.length, 3);
  assert.equal(a.stop, 'generations');
  for (const m of a.pool) assert.equal(print(parse(m.expr)), m.expr, 'pool exprs are canonical');
});

test('worker threads give the same pool and history as one thread', async () => {
  // Two workers score the population and evaluate the pool candidates; the pool fills, so both paths run.
  const one = await mine(small.panel, base);
  const two = await mine(small.panel, base, { workers: 2 });
  assert.ok(one.pool.length > 0);
  assert.deepEqual(two.pool, one.pool);
  assert.deepEqual(timeless(two.history), timeless(one.history));
});

test('pool candidates: day-end values and segment metrics, in this thread and on workers, as computed directly', async () => {
  const panel = small.panel;
  const N = panel.N;
  const texts = ['rank(sub(close,open))', 'ts_Mean(5,volume)', 'div(close,delay(4,close))', 'close'];
  const nodes = texts.map((t) => parse(t));
  const cal = tradingDays(panel);
  const D = cal.days.length;
  const labels = computeLabels(panel, { horizon: 1 }).values;
  const segments = splitDays(cal.days, parseSplitArgs({ split: '0.5,0.25,0.25' }));
  const setup = { segments, labels, groups: 4 };
  // The last bar of each day, copied from whole-panel values.
  const want = (await evaluateToArrays(panel, nodes)).map((v) => {
    const out = new Float32Array(D * N);
    for (let d = 0; d < D; d++) for (let j = 0; j < N; j++) out[d * N + j] = v[(cal.end[d]! - 1) * N + j]!;
    return out;
  });
  const wantMetrics = segments.map((seg) => populationMetrics(want, labels, D, N, { groups: 4, rows: [seg.firstDay, seg.lastDay] }));
  const check = (got: { daily: Float32Array[]; metrics: Record<string, unknown>[] }, what: string) => {
    assert.equal(got.daily.length, texts.length, what);
    got.daily.forEach((a, k) => assert.ok(a.length === D * N && a.every((x, i) => Object.is(x, want[k]![i])), `${what}: ${texts[k]} values`));
    got.metrics.forEach((m, k) => segments.forEach((seg, s) => assert.deepEqual(m[seg.name], wantMetrics[s]![k], `${what}: ${texts[k]} on ${seg.name}`)));
    assert.equal(got.metrics.length, texts.length, what);
  };
  // Ranks are for a device backend: the host ranks the candidates it needs itself.
  const here = await evaluateCandidates(panel, nodes, { metrics: setup, ranks: { first: 2, last: 50 } });
  check(here, 'this thread');
  assert.equal(here.ranked, undefined);
  const workers = await EvalPool.create(2);
  try {
    check(await evaluateCandidates(panel, nodes, { metrics: setup, workers }), '2 workers');
    assert.deepEqual(await evaluateCandidates(panel, [], { metrics: setup, workers }), { daily: [], metrics: [] });
  } finally {
    workers.close();
  }
  const bare = await evaluateCandidates(panel, nodes.slice(0, 1));
  assert.deepEqual(bare.metrics, []);
  assert.ok(bare.daily[0]!.every((x, i) => Object.is(x, want[0]![i])));
});

test('a run resumed from a mid-run checkpoint ends like an uninterrupted one', async () => {
  const cfg = { ...base, generations: 4 };
  const full = await mine(small.panel, cfg);
  let saved: Checkpoint | undefined;
  const it = mineGenerations(small.panel, cfg);
  for (let g = 0; g < 2; g++) saved = ((await it.next()).value as { checkpoint: Checkpoint }).checkpoint;
  await it.return(undefined as unknown as MineResult); // killed here
  // Through JSON, as the CLI stores it: NaN comes back as null and must count as NaN again.
  const again = await mine(small.panel, {}, { resume: JSON.parse(JSON.stringify(saved!)) as Checkpoint });
  assert.equal(saved!.generation, 2);
  assert.deepEqual(again.pool, full.pool);
  assert.deepEqual(timeless(again.history), timeless(full.history));
});

test('each canonical text is scored once per run; the pool obeys its rules', async () => {
  const seen = new Map<string, number>();
  let last: Checkpoint | undefined;
  const it = mineGenerations(small.panel, { ...base, generations: 4, poolSize: 5 });
  let r = await it.next();
  while (!r.done) {
    last = r.value.checkpoint;
    const rec = r.value.record;
    assert.ok(rec.unique <= 40 && rec.evaluations <= rec.unique);
    r = await it.next();
  }
  for (const [t] of last!.cache) seen.set(t, (seen.get(t) ?? 0) + 1);
  assert.ok([...seen.values()].every((n) => n === 1));
  const res = r.value;
  assert.ok(res.pool.length <= 5);
  // Every member passes on training and validation with one direction, and no two are too correlated.
  for (const m of res.pool) {
    for (const seg of ['train', 'valid'] as const) {
      assert.ok(Math.abs(m.metrics[seg]!.ic) >= 0.01, `${m.expr} ${seg} |ic|`);
    }
    assert.equal(m.metrics.train!.direction, m.metrics.valid!.direction);
    assert.ok(m.metrics.test, 'test metrics are reported');
  }
  const panel = small.panel;
  const vals = await evaluateToArrays(panel, res.pool.map((m) => parse(m.expr)));
  const D = tradingDays(panel).days.length;
  const daily = vals.map((v) => dailyFactor(panel, v));
  const train = res.segments.find((s) => s.name === 'train')!;
  const valid = res.segments.find((s) => s.name === 'valid')!;
  const corr = factorCorrelation(daily, D, panel.N, { rows: [train.firstDay, valid.lastDay] });
  const F = daily.length;
  for (let i = 0; i < F; i++) for (let j = i + 1; j < F; j++) assert.ok(Math.abs(corr[i * F + j]!) <= 0.7, `${res.pool[i]!.expr} ~ ${res.pool[j]!.expr}`);
});

test('shunned texts passed training and failed validation', async () => {
  const strict = { ...base, generations: 4, thresholds: { ic: 0.02, longExcess: 0.1, monotonicity: 0.6 } };
  let last: Checkpoint | undefined;
  for await (const e of mineGenerations(small.panel, strict)) last = e.checkpoint;
  const shunned = last!.shunned;
  assert.ok(shunned.length > 0 && shunned.length <= 50, `${shunned.length} shunned`);
  assert.equal(new Set(shunned).size, shunned.length);
  const rejected = new Set(last!.rejected);
  for (const t of shunned) assert.ok(rejected.has(t), `${t} is rejected too`);
  const panel = small.panel;
  const D = tradingDays(panel).days.length;
  const daily = (await evaluateToArrays(panel, shunned.map((t) => parse(t)))).map((v) => dailyFactor(panel, v));
  const labels = computeLabels(panel, { horizon: 1 }).values;
  const cal = tradingDays(panel);
  const segs = splitDays(cal.days, parseSplitArgs({ split: '0.5,0.25,0.25' }));
  const purged = purgeLabels(labels, D, panel.N, segs, 1);
  const seg = (n: string) => segs.find((x) => x.name === n)!;
  const tr = populationMetrics(daily, purged, D, panel.N, { rows: [seg('train').firstDay, seg('train').lastDay] });
  const va = populationMetrics(daily, purged, D, panel.N, { rows: [seg('valid').firstDay, seg('valid').lastDay] });
  shunned.forEach((t, i) => {
    assert.ok(passes(tr[i]!, strict.thresholds), `${t} passes on training`);
    assert.ok(!passes(va[i]!, strict.thresholds) || va[i]!.direction !== tr[i]!.direction, `${t} fails on validation`);
  });
});

test('a wide panel mines with fingerprints of every k-th stock, the pool members\' as the population\'s', async () => {
  // 600 stocks: fingerprints of 300; a pool member's (from its whole-panel values) must be comparable with the
  // scored population's, or the novelty term throws on their lengths.
  const wide = generateMarket({ seed: 5, stocks: 600, days: 60, barsPerDay: 2 });
  const res = await mine(wide.panel, { ...base, population: 24, generations: 3, novelty: 0.5 });
  assert.ok(res.pool.length > 0, 'a pool to compare with');
  assert.equal(res.history.length, 3);
});

test('config errors name the field and suggest the right key', () => {
  assert.throws(() => resolveConfig({ populaton: 10 }), (e: unknown) => e instanceof MineConfigError && e.field === 'populaton' && /did you mean 'population'/.test(e.message));
  assert.throws(() => resolveConfig({ mutation: { hoist: 2 } }), (e: unknown) => e instanceof MineConfigError && e.field === 'mutation.hoist');
  assert.throws(() => resolveConfig({ crossover: 0.9, mutation: { subtree: 0.2 } }), (e: unknown) => e instanceof MineConfigError && e.field === 'mutation');
  assert.throws(() => resolveConfig({ population: 0 }), (e: unknown) => e instanceof MineConfigError && e.field === 'population');
  assert.throws(() => resolveConfig({ split: { trian: '2020-01-01:' } }), (e: unknown) => e instanceof MineConfigError && e.field === 'split.trian');
});

test('no planted alpha: the pool\'s test-segment rank ICs are centred on zero', async () => {
  const noAlpha = generateMarket({ seed: 5, stocks: 80, days: 160, barsPerDay: 4, planted: [] });
  const res = await mine(noAlpha.panel, { ...base, population: 60, generations: 3, poolSize: 30 });
  assert.ok(res.pool.length >= 3, `pool of ${res.pool.length}`);
  // Direction-adjusted test rank IC: training's sign applied to test's rank IC.
  const adjusted = res.pool.map((m) => Math.sign(m.metrics.train!.rank_ic) * m.metrics.test!.rank_ic);
  const mean = adjusted.reduce((a, b) => a + b, 0) / adjusted.length;
  const trainMean = res.pool.reduce((a, m) => a + Math.abs(m.metrics.train!.rank_ic), 0) / res.pool.length;
  assert.ok(Math.abs(mean) < 0.02, `mean adjusted test rank IC ${mean}`);
  assert.ok(trainMean > Math.abs(mean), 'training ICs are selected, test ICs are not');
});
