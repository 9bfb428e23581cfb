/**
 * `eval --report`: the tear-sheet JSON and the printed table on a small hand-made daily panel, with the
 * train-segment IC and rank IC of one factor recomputed here from the bars (labels, purge and Spearman written
 * out independently of src/fitness), plus the usage errors of the report flags and the JSON's NaN handling.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from './support/paths.ts';
import { mulberry32 } from '../src/util/rng.ts';
import { reportJson, type Report } from '../src/report/assemble.ts';
import { formatTable, reportTable } from '../src/report/table.ts';

const isDeno = typeof (globalThis as { Deno?: unknown }).Deno !== 'undefined';

function cli(...args: string[]): { status: number; stdout: string; stderr: string } {
  const cmd = isDeno ? ['run', '-A', 'src/cli/main.ts', ...args] : ['bin/alphaflow.js', ...args];
  const r = spawnSync(process.execPath, cmd, { cwd: PROJECT_ROOT, encoding: 'utf8' });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

// 40 weekdays x 12 stocks of daily bars (12 >= the metrics' 10-stock minimum per day). Prices have two decimals
// and volumes are integers, so the float32 values the loader holds are Math.fround of what is written.
const D = 40;
const N = 12;
const rng = mulberry32(20240601);
const days: string[] = [];
for (let t = Date.UTC(2025, 0, 2); days.length < D; t += 86400000) {
  const wd = new Date(t).getUTCDay();
  if (wd !== 0 && wd !== 6) days.push(new Date(t).toISOString().slice(0, 10));
}
const codes = Array.from({ length: N }, (_, j) => `60${String(j).padStart(4, '0')}`);
const close: number[][] = [];
const volume: number[][] = [];
for (let k = 0; k < D; k++) {
  close.push([]);
  volume.push([]);
  for (let j = 0; j < N; j++) {
    const prev = k ? close[k - 1]![j]! : 10 + j;
    close[k]!.push(Math.round(prev * (1 + 0.04 * (rng() - 0.5)) * 100) / 100);
    volume[k]!.push(1000 + Math.floor(rng() * 1e6));
  }
}
const dir = mkdtempSync(join(tmpdir(), 'alphaflow-report-'));
const bars = join(dir, 'bars.csv');
const lines = ['code,datetime,open,high,low,close,volume,amount'];
for (let j = 0; j < N; j++) {
  for (let k = 0; k < D; k++) {
    const c = close[k]![j]!;
    // High and low a tick apart from close so no day looks locked at a price limit.
    lines.push(`${codes[j]},${days[k]},${c},${(c + 0.1).toFixed(2)},${(c - 0.1).toFixed(2)},${c},${volume[k]![j]},${(c * volume[k]![j]!).toFixed(2)}`);
  }
}
writeFileSync(bars, lines.join('\n') + '\n');
const exprs = join(dir, 'exprs.txt');
writeFileSync(exprs, '# two factors, one the other reversed\nvolume\n\nneg(volume)\n');

/** Average 1-based ranks. */
function ranks(x: number[]): number[] {
  const o = x.map((_, i) => i).sort((a, b) => x[a]! - x[b]!);
  const r = new Array<number>(x.length);
  for (let i = 0; i < o.length;) {
    let e = i + 1;
    while (e < o.length && x[o[e]!] === x[o[i]!]) e++;
    for (let t = i; t < e; t++) r[o[t]!] = (i + 1 + e) / 2;
    i = e;
  }
  return r;
}

function pearson(x: number[], y: number[]): number {
  const mx = x.reduce((a, b) => a + b, 0) / x.length;
  const my = y.reduce((a, b) => a + b, 0) / y.length;
  let sxy = 0, sxx = 0, syy = 0;
  x.forEach((xi, i) => {
    sxy += (xi - mx) * (y[i]! - my);
    sxx += (xi - mx) ** 2;
    syy += (y[i]! - my) ** 2;
  });
  return sxy / Math.sqrt(sxx * syy);
}

// Expected train segment of `volume` with --price close, horizon 1: label(d) = close(d+2)/close(d+1) - 1 (as
// float32). Default split 50/25/25 puts days 0..19 in train; the purge removes labels of its last h+1 = 2 days
// (18, 19), which would read valid-segment prices. So days 0..17 are scored.
const label = (k: number, j: number) => Math.fround(Math.fround(close[k + 2]![j]!) / Math.fround(close[k + 1]![j]!) - 1);
const trainDays = Array.from({ length: 18 }, (_, k) => k);
const dailyIc = trainDays.map((k) => pearson(volume[k]!.map((v) => Math.fround(v)), codes.map((_, j) => label(k, j))));
const dailyRankIc = trainDays.map((k) => pearson(ranks(volume[k]!), ranks(codes.map((_, j) => label(k, j)))));
const mean = (x: number[]) => x.reduce((a, b) => a + b, 0) / x.length;

const out = join(dir, 'r.json');
const run = cli('eval', '--data', bars, '--exprs', exprs, '--report', out, '--price', 'close');

test('eval --report exits 0 and writes the documented structure', () => {
  assert.equal(run.status, 0, run.stderr);
  const r = JSON.parse(readFileSync(out, 'utf8'));
  assert.deepEqual(Object.keys(r), ['generated', 'data', 'options', 'segments', 'factors', 'correlation']);
  assert.ok(!Number.isNaN(Date.parse(r.generated)));
  assert.deepEqual(r.data, { source: bars, bars: D, stocks: N, days: D });
  assert.equal(r.options.groups, 5);
  assert.equal(r.options.horizon, 1);
  assert.equal(r.options.price, 'close');
  assert.deepEqual(r.options.thresholds, { ic: 0.03, longExcess: 0.15, monotonicity: 0.8 });
  assert.deepEqual(r.segments, [
    { name: 'train', from: days[0], to: days[19], days: 20 },
    { name: 'valid', from: days[20], to: days[29], days: 10 },
    { name: 'test', from: days[30], to: days[39], days: 10 },
  ]);
  assert.equal(r.factors.length, 2);
  assert.deepEqual(r.factors.map((f: { expr: string; line: number }) => [f.line, f.expr]), [[2, 'volume'], [4, 'neg(volume)']]);
  for (const f of r.factors) {
    assert.deepEqual(Object.keys(f.segments), ['train', 'valid', 'test']);
    assert.equal(f.ic_decay.length, 10);
    for (const name of ['train', 'valid', 'test']) {
      const s = f.segments[name];
      assert.deepEqual(Object.keys(s.metrics), ['ic', 'rank_ic', 'icir', 'rank_icir', 'ic_t', 'ic_positive_share', 'long_excess',
        'long_short', 'long_short_ir', 'monotonicity', 'turnover', 'coverage', 'direction', 'days', 'skipped_days']);
      const m = s.metrics;
      assert.equal(s.passes, Math.abs(m.ic) >= 0.03 && m.long_excess >= 0.15 && m.monotonicity >= 0.8, `${f.expr} ${name}`);
      assert.equal(s.daily.groups.length, 5);
      for (const series of [s.daily.ic, s.daily.rank_ic, s.daily.long_short, ...s.daily.groups]) assert.equal(series.length, s.daily.date.length);
      assert.equal(m.days, s.daily.date.length);
    }
  }
});

test('eval --report: train-segment IC and rank IC match an independent computation', () => {
  const r = JSON.parse(readFileSync(out, 'utf8'));
  const train = r.factors[0].segments.train;
  assert.deepEqual(train.daily.date, days.slice(0, 18));
  assert.equal(train.metrics.days, 18);
  assert.equal(train.metrics.skipped_days, 2);
  assert.equal(train.metrics.coverage, 1);
  train.daily.rank_ic.forEach((v: number, i: number) => assert.ok(Math.abs(v - dailyRankIc[i]!) < 1e-9, `day ${i}: ${v} vs ${dailyRankIc[i]}`));
  assert.ok(Math.abs(train.metrics.rank_ic - mean(dailyRankIc)) < 1e-9);
  assert.ok(Math.abs(train.metrics.ic - mean(dailyIc)) < 1e-6);
  // The reversed factor has exactly the opposite ICs, the same direction-adjusted group returns, and correlation -1.
  const neg = r.factors[1].segments.train;
  assert.ok(Math.abs(neg.metrics.rank_ic + mean(dailyRankIc)) < 1e-9);
  assert.equal(neg.metrics.direction, -train.metrics.direction);
  assert.ok(Math.abs(neg.metrics.long_short - train.metrics.long_short) < 1e-12);
  assert.ok(Math.abs(r.factors[1].ic_decay[0] + r.factors[0].ic_decay[0]) < 1e-9);
  assert.deepEqual(r.correlation.exprs, ['volume', 'neg(volume)']);
  assert.equal(r.correlation.matrix.length, 2);
  assert.ok(Math.abs(r.correlation.matrix[0][1] + 1) < 1e-9, String(r.correlation.matrix[0][1]));
  assert.ok(Math.abs(r.correlation.matrix[0][0] - 1) < 1e-9);
});

test('eval --report prints one table row per factor and segment', () => {
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /^line\s+segment\s+rank_ic\s+ic\s+icir\s+long_excess\s+long_short\s+monotonicity\s+turnover\s+coverage\s+pass\s+expression$/m);
  const rows = run.stdout.split('\n').filter((l) => /^\d+\s+(train|valid|test)\s/.test(l));
  assert.equal(rows.length, 6);
  const m = /^2\s+train\s+(\S+)\s+(\S+)\s.*\s(yes|no)\s+volume$/m.exec(run.stdout);
  assert.ok(m, run.stdout);
  assert.equal(m[1], mean(dailyRankIc).toFixed(4));
  assert.equal(m[2], mean(dailyIc).toFixed(4));
});

test('bad --groups / --horizon / --price, or report flags without --report, exit 2', () => {
  let r = cli('eval', '--data', bars, '--expr', 'volume', '--report', join(dir, 'x.json'), '--groups', '1');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--groups must be a whole number in 2\.\.50, got '1'/);
  r = cli('eval', '--data', bars, '--expr', 'volume', '--report', join(dir, 'x.json'), '--horizon', '0');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--horizon must be a whole number of days in 1\.\.20, got '0'/);
  r = cli('eval', '--data', bars, '--expr', 'volume', '--report', join(dir, 'x.json'), '--price', 'mid');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--price must be one of first30vwap, vwap, close, open, got 'mid'/);
  r = cli('eval', '--data', bars, '--expr', 'volume', '--groups', '5');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--groups applies to --report/);
});

test('reportJson writes NaN as null; formatTable aligns numbers right', () => {
  const rep: Report = {
    generated: 'x', data: { source: 's', bars: 1, stocks: 1, days: 1 }, options: {}, segments: [], factors: [],
    correlation: { exprs: ['a'], matrix: [[NaN]] },
  };
  assert.equal(JSON.parse(reportJson(rep)).correlation.matrix[0][0], null);
  assert.equal(reportTable(rep), 'line  segment  rank_ic  ic  icir  long_excess  long_short  monotonicity  turnover  coverage  pass  expression\n');
  assert.equal(formatTable([['a', 'n', 'e'], ['bb', '1.5', 'x'], ['c', '-10.25', 'y']], new Set([1])), 'a        n  e\nbb     1.5  x\nc   -10.25  y\n');
});
