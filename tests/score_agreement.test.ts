/**
 * The check that a device scored the benchmark's trees as the CPU did (bench/score_agreement.ts, bench/agree.ts):
 * its tolerances must pass scores that differ only by float32 rounding of the inputs, and must catch the kind of
 * error a miscompiled kernel makes (a window read wrong, a kernel that skips its ranking, a NaN where a number
 * belongs). Scores come from the Scorer on a synthetic market, as gpu_bench computes them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareScores, MOVED_SHARE, SCORE_METRICS, SCORE_TOLERANCE, scoreDigest, type ScoreDigest } from '../bench/score_agreement.ts';
import { Scorer, type ScoreSetup } from '../src/eval/scorer.ts';
import { initBackend } from '../src/eval/backend.ts';
import { generateMarket } from '../src/data/synth.ts';
import type { Panel } from '../src/data/panel.ts';
import { tradingDays } from '../src/data/calendar.ts';
import { computeLabels } from '../src/data/labels.ts';
import { MIN_STOCKS } from '../src/fitness/metrics.ts';
import { parse } from '../src/expr/parse.ts';
import { print } from '../src/expr/print.ts';
import { mulberry32 } from '../src/util/rng.ts';
import { PROJECT_ROOT as ROOT } from './support/paths.ts';

const TEXTS = [
  'sub(close,ts_Mean(8,low))', 'rank(volume)', 'correlation(12,amount,high)', 'stddev(6,delta(11,log(volume)))',
  'ts_Rank(15,ts_Mean(15,close))', 'div(sub(close,open),sub(high,low))', 'REGbeta_ts(10,close,volume)',
];

const market = generateMarket({ seed: 3, stocks: 60, days: 80, barsPerDay: 4 });

async function digests(panel: Panel, texts: readonly string[], as: readonly string[] = texts): Promise<ScoreDigest[]> {
  await initBackend('cpu');
  const cal = tradingDays(panel);
  const setup: ScoreSetup = {
    // Labels from the unperturbed market: only the factors' inputs change.
    labels: computeLabels(market.panel, { horizon: 1 }).values, dayStart: cal.start, dayEnd: cal.end, first: 30, last: 75,
    margin: 64, groups: 5, minStocks: MIN_STOCKS, refDays: Int32Array.of(0, 10, 20),
  };
  const scorer = new Scorer(panel, setup);
  try {
    const out = await scorer.score(texts.map((t) => parse(t)));
    return out.map((r, i) => scoreDigest(print(parse(as[i])), r.summary));
  } finally {
    scorer.dispose();
  }
}

/** Every field cell moved by up to 2^-23 of itself: what float32 rounding alone does to an intermediate. */
function roundingNoise(panel: Panel, seed: number): Panel {
  const rng = mulberry32(seed);
  const fields = new Map<string, Float32Array>();
  for (const [name, a] of panel.fields) fields.set(name, a.map((v) => v * (1 + (rng() - 0.5) * 2 ** -22)));
  return { ...panel, fields };
}

test('scores that differ by float32 rounding of the inputs agree; a wrong window, a skipped rank or a lost value do not', async () => {
  const reference = await digests(market.panel, TEXTS);
  assert.ok(reference.every((d) => d.rank_ic !== null && d.ic !== null), 'every reference tree has a score');

  const self = compareScores(reference, reference);
  assert.equal(self.compared, TEXTS.length);
  assert.ok(self.agree);
  assert.deepEqual(self.disagreements, []);
  for (const m of SCORE_METRICS) assert.equal(self.largest[m], 0, m);

  // The division by high - low meets exact zeros that the noise turns into tiny numbers: its groups may move.
  const noisy = compareScores(reference, await digests(roundingNoise(market.panel, 9), TEXTS));
  assert.equal(noisy.compared, TEXTS.length);
  assert.ok(noisy.agree, JSON.stringify(noisy.disagreements));
  assert.ok(noisy.disagreements.every((d) => !d.strict && d.expr.startsWith('div(')), JSON.stringify(noisy.disagreements));
  assert.ok(noisy.largest.ic > 0 && noisy.largest.ic < SCORE_TOLERANCE.ic / 10, `rounding noise moves IC by ${noisy.largest.ic}: the tolerance has room for float32 order alone`);

  // What miscompiled kernels would compute under the same names.
  const wrong: Array<[string, string]> = [['sub(close,ts_Mean(8,low))', 'sub(close,ts_Mean(4,low))'], ['rank(volume)', 'volume'], ['correlation(12,amount,high)', 'correlation(12,amount,low)']];
  const bad = compareScores(reference, await digests(market.panel, wrong.map(([, w]) => w), wrong.map(([t]) => t)));
  assert.equal(bad.compared, wrong.length);
  assert.ok(!bad.agree);
  assert.deepEqual(bad.disagreements.filter((d) => d.strict).map((d) => d.expr), wrong.map(([t]) => t), 'each is caught by its IC');
  // One wrong tree among many that agree is enough.
  const one = compareScores(reference, reference.map((d, i) => (i === 0 ? { ...d, ic: d.ic! + 2 * SCORE_TOLERANCE.ic } : d)));
  assert.equal(one.agree, false);
  // Moves in the discrete metrics alone: tolerated in a quarter of the trees, not in more.
  const shiftMono = (k: number) => reference.map((d, i) => (i < k ? { ...d, monotonicity: d.monotonicity! - 0.3 } : d));
  assert.equal(compareScores(reference, shiftMono(Math.floor(MOVED_SHARE * TEXTS.length))).agree, true);
  assert.equal(compareScores(reference, shiftMono(Math.floor(MOVED_SHARE * TEXTS.length) + 1)).agree, false);

  const lost = reference.slice(0, 2).map((d) => ({ ...d, rank_ic: null }));
  const stranger = await digests(market.panel, ['close']); // a tree the reference did not score
  const missing = compareScores(reference, [...lost, ...stranger]);
  assert.equal(missing.compared, 2);
  assert.equal(missing.unmatched, 1);
  assert.equal(missing.agree, false);
  assert.deepEqual(missing.disagreements.map((d) => d.metrics.map((m) => [m.metric, m.got])), [[['rank_ic', null]], [['rank_ic', null]]]);
});

test('bench/agree.ts: each run against the one-thread cpu run of its panel; exit 1 names the trees that disagree, 2 a bad line', async () => {
  const reference = await digests(market.panel, TEXTS);
  const noisy = await digests(roundingNoise(market.panel, 9), TEXTS);
  const shifted = reference.map((d, i) => (i === 1 ? { ...d, rank_ic: d.rank_ic! + 0.01 } : d));
  const dir = mkdtempSync(join(tmpdir(), 'alphaflow-agree-'));
  const rate = { webgpu: 240, cpu: 8 };
  const row = (backend: 'webgpu' | 'cpu', workers: number, scores: ScoreDigest[], panel = 'real 30-minute panel') =>
    JSON.stringify({ panel, backend, workers, evaluationsPerSecond: rate[backend] * workers, scores });
  const agree = (lines: string[]) => {
    const file = join(dir, 'results.jsonl');
    writeFileSync(file, lines.join('\n') + '\n');
    const r = spawnSync(join(ROOT, 'node_modules', '.bin', 'tsx'), [join(ROOT, 'bench', 'agree.ts'), '--results', file], { encoding: 'utf8', timeout: 60_000 });
    return { status: r.status, out: r.stdout + r.stderr };
  };
  try {
    const good = agree([row('webgpu', 1, noisy), row('cpu', 1, reference), row('cpu', 2, reference)]);
    assert.equal(good.status, 0, good.out);
    assert.match(good.out, new RegExp(`webgpu against cpu: agree: ${TEXTS.length} trees`));
    assert.match(good.out, new RegExp(`cpu x2 workers against cpu: agree: ${TEXTS.length} trees, all within tolerance`));
    // The device's rate against one thread and against the worker pool.
    assert.ok(good.out.includes('speed: 240.0 against 8.0 evaluations/s on cpu: 30.0x; 240.0 against 16.0 evaluations/s on cpu x2 workers: 15.0x'), good.out);

    const off = agree([row('cpu', 1, reference), row('webgpu', 1, shifted), row('webgpu', 1, noisy, 'large synthetic panel')]);
    assert.equal(off.status, 1, off.out);
    assert.ok(off.out.includes(`DISAGREE: ${TEXTS.length} trees, 1 beyond the IC tolerance`), off.out);
    assert.ok(off.out.includes(`! ${reference[1].expr}: rank_ic`), off.out);
    assert.match(off.out, /large synthetic panel: no cpu one-thread run/);

    const broken = agree([row('cpu', 1, reference), '{"panel": "x", "backend": "cpu"}', '{not json']);
    assert.equal(broken.status, 2);
    assert.match(broken.out, /results\.jsonl:3: not JSON/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
