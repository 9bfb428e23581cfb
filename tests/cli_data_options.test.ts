/**
 * The shared data options of the command line (--columns, --resample, --universe, --attributes) and eval's daily
 * view (--daily, --neutralize, --split/--train/--valid/--test), run as a subprocess of the current runtime like
 * tests/cli.test.ts. Expected values are computed here from the fixture's own numbers, not read back from the
 * modules under test.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from './support/paths.ts';
import { generateMarket } from '../src/data/synth.ts';
import { tradingDays } from '../src/data/calendar.ts';

const isDeno = typeof (globalThis as { Deno?: unknown }).Deno !== 'undefined';

function cli(...args: string[]): { status: number; stdout: string; stderr: string } {
  const cmd = isDeno ? ['run', '-A', 'src/cli/main.ts', ...args] : ['bin/alphaflow.js', ...args];
  const r = spawnSync(process.execPath, cmd, { cwd: PROJECT_ROOT, encoding: 'utf8' });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const dir = mkdtempSync(join(tmpdir(), 'alphaflow-data-opts-'));

// Six stocks x four days x two 15-minute bars (09:45, 10:00). Bank: 600000-600002; tech: 000001-000002;
// 000003.SZ is missing from the attribute file, and has no 09:45 bar on the first day (one partial 30m bar).
const CODES = ['000001.SZ', '000002.SZ', '000003.SZ', '600000.SH', '600001.SH', '600002.SH'];
const DAYS = ['2025-01-02', '2025-01-03', '2025-01-06', '2025-01-07'];
const INDUSTRY: Record<string, string> = {
  '000001.SZ': 'tech', '000002.SZ': 'tech', '600000.SH': 'bank', '600001.SH': 'bank', '600002.SH': 'bank',
};
const BASE = [12.5, 30.25, 7.75, 10.5, 8.25, 5.5];
const DAY_MOVE = [0.25, -0.5, 0.75, 0.5, -0.25, 1.25];
// Quarter steps: exact in float32 and in decimal, so written values can be compared as strings.
const closeAt = (j: number, k: number, bar: number): number => BASE[j]! + DAY_MOVE[j]! * k * (k % 2 ? 1 : -0.5) + 0.25 * bar;
const volumeAt = (j: number, k: number, bar: number): number => 1000 * (j + 1) + 100 * k + 10 * bar;

const bars = join(dir, 'bars.csv');
{
  const rows = ['code,datetime,open,high,low,close,volume,amount'];
  CODES.forEach((code, j) => {
    DAYS.forEach((day, k) => {
      ['09:45', '10:00'].forEach((time, bar) => {
        if (code === '000003.SZ' && k === 0 && bar === 0) return;
        const c = closeAt(j, k, bar);
        const v = volumeAt(j, k, bar);
        rows.push(`${code},${day} ${time},${c},${c + 1},${c - 1},${c},${v},${c * v}`);
      });
    });
  });
  writeFileSync(bars, rows.join('\n') + '\n');
}
const attrs = join(dir, 'attrs.csv');
writeFileSync(attrs, [
  'code,industry,float_shares',
  ...Object.entries(INDUSTRY).map(([code, ind], i) => `${code},${ind},${1e8 * (i + 1)}`),
  '688001.SH,semis,5e7',
].join('\n') + '\n');

const close = (code: string, k: number): number => closeAt(CODES.indexOf(code), k, 1);

test('--universe keeps only listed codes and reports the ones missing from the data', () => {
  const universe = join(dir, 'universe.txt');
  writeFileSync(universe, '# members\n600000.SH\n000001.SZ\n300999.SZ\n');
  const out = join(dir, 'universe_daily.csv');
  const r = cli('eval', '--data', bars, '--universe', universe, '--expr', 'close', '--daily', out);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /kept 2 of 6 stocks/);
  assert.match(r.stderr, /1 code not in the data: 300999\.SZ\n/);
  const rows = readFileSync(out, 'utf8').trimEnd().split('\n').slice(1);
  assert.deepEqual([...new Set(rows.map((row) => row.split(',')[1]))], ['000001.SZ', '600000.SH']);
  assert.equal(rows.length, DAYS.length * 2);
});

test('--attributes reports codes in the attributes without bars and the reverse', () => {
  const r = cli('eval', '--data', bars, '--attributes', attrs, '--expr', 'close');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /attributes for 5 of 6 panel stocks; 1 panel stocks missing from the attribute file: 000003\.SZ; 1 attribute codes without bars/);
  assert.match(r.stderr, /panel codes not in the attributes: 000003\.SZ\n/);
  assert.match(r.stderr, /attribute codes not in the bars: 688001\.SH\n/);
});

test('--neutralize industry gives the daily factor minus its industry mean, and --daily writes it', () => {
  const out = join(dir, 'neutral.csv');
  const r = cli('eval', '--data', bars, '--attributes', attrs, '--neutralize', 'industry', '--expr', 'close', '--daily', out);
  assert.equal(r.status, 0, r.stderr);
  // 000003.SZ has no industry: excluded on each of the four days.
  assert.match(r.stderr, /excluded 4 stock-days for a missing exposure/);
  const rows = readFileSync(out, 'utf8').trimEnd().split('\n');
  assert.equal(rows[0], 'date,code,f0');
  assert.equal(rows.length, 1 + DAYS.length * CODES.length);
  let i = 1;
  DAYS.forEach((day, k) => {
    for (const code of CODES) {
      const [d, c, v] = rows[i++]!.split(',');
      assert.equal(d, day);
      assert.equal(c, code);
      const ind = INDUSTRY[code];
      if (ind === undefined) {
        assert.equal(v, '');
        continue;
      }
      const peers = Object.keys(INDUSTRY).filter((x) => INDUSTRY[x] === ind);
      const expected = close(code, k) - peers.reduce((s, x) => s + close(x, k), 0) / peers.length;
      assert.ok(Math.abs(Number(v) - expected) < 1e-5, `${day} ${code}: ${v} vs ${expected}`);
    }
  });
});

test('--daily writes date,code,f0,f1 at each day\'s last bar, empty for a parse error', () => {
  const exprs = join(dir, 'exprs.txt');
  writeFileSync(exprs, 'close\nbogus_op(close)\nvolume\n');
  const out = join(dir, 'daily.csv');
  const r = cli('eval', '--data', bars, '--exprs', exprs, '--daily', out);
  assert.equal(r.status, 1); // the bad line, as with --values
  const rows = readFileSync(out, 'utf8').trimEnd().split('\n');
  assert.equal(rows[0], 'date,code,f0,f1,f2');
  assert.equal(rows.length, 1 + 4 * 6);
  assert.equal(rows[1], `2025-01-02,000001.SZ,${close('000001.SZ', 0)},,${volumeAt(0, 0, 1)}`);
  assert.equal(rows[24], `2025-01-07,600002.SH,${close('600002.SH', 3)},,${volumeAt(5, 3, 1)}`);
  assert.deepEqual(rows.slice(1).map((row) => row.split(',')[0]), DAYS.flatMap((d) => CODES.map(() => d)));
});

function meanStd(xs: number[]): [string, string] {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  const s = Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1));
  return [m.toFixed(4), s.toFixed(4)];
}

test('--split prints the segments and a summary per expression and segment', () => {
  const r = cli('eval', '--data', bars, '--expr', 'close', '--split', '0.5,0.25,0.25');
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  assert.deepEqual(lines.slice(0, 3), [
    'segment train 2025-01-02..2025-01-03 (2 days)',
    'segment valid 2025-01-06..2025-01-06 (1 day)',
    'segment test 2025-01-07..2025-01-07 (1 day)',
  ]);
  assert.match(lines[3]!, /^line\s+segment\s+coverage\s+mean\s+std\s+expression$/);
  const [m, s] = meanStd([0, 1].flatMap((k) => CODES.map((c) => close(c, k))));
  assert.match(lines[4]!, new RegExp(`^1\\s+train\\s+1\\.0000\\s+${m}\\s+${s}\\s+close$`));
  const [mv, sv] = meanStd(CODES.map((c) => close(c, 2)));
  assert.match(lines[5]!, new RegExp(`^1\\s+valid\\s+1\\.0000\\s+${mv}\\s+${sv}\\s+close$`));
  assert.match(lines[6]!, /^1\s+test\s+1\.0000\s/);
});

test('--train/--test dates give segments, open sides running to the data\'s ends', () => {
  const r = cli('eval', '--data', bars, '--expr', 'close', '--train', ':2025-01-03', '--test', '2025-01-06:');
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  assert.deepEqual(lines.slice(0, 2), ['segment train 2025-01-02..2025-01-03 (2 days)', 'segment test 2025-01-06..2025-01-07 (2 days)']);
  const [m, s] = meanStd([2, 3].flatMap((k) => CODES.map((c) => close(c, k))));
  assert.match(lines[4]!, new RegExp(`^1\\s+test\\s+1\\.0000\\s+${m}\\s+${s}\\s+close$`));
});

test('bad split and neutralize options exit 2 naming the flag', () => {
  let r = cli('eval', '--data', bars, '--expr', 'close', '--split', '0.5,0.5');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--split: expected three shares train,valid,test/);
  assert.match(r.stderr, /usage: alphaflow eval/);
  r = cli('eval', '--data', bars, '--expr', 'close', '--train', '2025-13-01:');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--train/);
  r = cli('eval', '--data', bars, '--expr', 'close', '--split', '0.5,0.25,0.25', '--train', ':2025-01-03');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /give either --split or --train dates, not both/);
  r = cli('eval', '--data', bars, '--expr', 'close', '--neutralize', 'sector');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /unknown exposure 'sector'/);
  r = cli('eval', '--data', bars, '--expr', 'close', '--neutralize', 'industry');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--neutralize industry needs per-stock industries: give --attributes FILE/);
  r = cli('eval', '--data', bars, '--expr', 'close', '--neutralize', 'size');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--neutralize size needs a per-bar float_mcap field/);
  r = cli('eval', '--data', bars, '--expr', 'close', '--columns', 'bloomberg');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--columns must be one of auto, none, tushare/);
});

test('--resample 30m turns 15-minute bars into one 10:00 bar a day and counts partial bars', () => {
  const out = join(dir, 'resampled.csv');
  const r = cli('eval', '--data', bars, '--resample', '30m', '--columns', 'none', '--expr', 'volume', '--values', out);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /resample: detected 15min, target 30min: 4 bars, 1 partial bar\n/);
  const rows = readFileSync(out, 'utf8').trimEnd().split('\n');
  assert.equal(rows.length, 1 + 4 * 6);
  // Volume is summed over the two 15-minute bars; 000003.SZ has only the 10:00 bar on the first day.
  assert.equal(rows[1], `2025-01-02 10:00:00,000001.SZ,${volumeAt(0, 0, 0) + volumeAt(0, 0, 1)}`);
  assert.equal(rows[3], `2025-01-02 10:00:00,000003.SZ,${volumeAt(2, 0, 1)}`);
  assert.equal(rows[24], `2025-01-07 10:00:00,600002.SH,${volumeAt(5, 3, 0) + volumeAt(5, 3, 1)}`);
});

test('labels lists the shared data options', () => {
  const r = cli('labels', '--help');
  assert.equal(r.status, 0);
  for (const flag of ['--columns', '--resample', '--universe', '--attributes']) assert.match(r.stdout, new RegExp(flag));
});

test('eval with no --data neutralises on the synthetic market\'s own industries and sizes', () => {
  const out = join(dir, 'synth_daily.csv');
  const r = cli('eval', '--expr', 'close', '--neutralize', 'industry,size', '--daily', out);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /built-in synthetic market/);
  assert.match(r.stderr, /attributes \(synthetic market\): attributes for 300 of 300 panel stocks/);

  // Least-squares residuals are orthogonal to every regressor: within each industry they sum to zero, and
  // they are uncorrelated with log float cap (close at the day's last bar x float shares).
  const market = generateMarket();
  const { panel, attributes } = market;
  const cal = tradingDays(panel);
  const N = panel.N;
  const closeField = panel.fields.get('close')!;
  const rows = readFileSync(out, 'utf8').trimEnd().split('\n');
  assert.equal(rows.length, 1 + cal.days.length * N);
  for (const k of [0, 100, cal.days.length - 1]) {
    const sums = new Map<string, number>();
    let dot = 0, scale = 0, n = 0;
    for (let j = 0; j < N; j++) {
      const [day, code, v] = rows[1 + k * N + j]!.split(',');
      assert.equal(day, cal.days[k]);
      assert.equal(code, panel.codes[j]);
      if (v === '') continue;
      const res = Number(v);
      const ind = attributes.industry[attributes.codes.indexOf(code!)]!;
      sums.set(ind, (sums.get(ind) ?? 0) + res);
      const size = Math.log(closeField[(cal.end[k]! - 1) * N + j]! * attributes.floatShares[attributes.codes.indexOf(code!)]!);
      dot += res * size;
      scale += Math.abs(res * size);
      n++;
    }
    assert.ok(n > N * 0.9, `day ${k}: ${n} values`);
    for (const [ind, s] of sums) assert.ok(Math.abs(s) < 1e-3, `day ${k} ${ind}: residuals sum to ${s}`);
    assert.ok(Math.abs(dot) < 1e-4 * scale, `day ${k}: residuals x size = ${dot} (scale ${scale})`);
  }
});
