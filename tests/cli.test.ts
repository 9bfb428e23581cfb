/**
 * The `alphaflow` command line, run as a subprocess of the current runtime (Node through bin/alphaflow.js,
 * Deno through src/cli/main.ts): summaries, the values file, per-line parse errors and exit statuses.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from './support/paths.ts';

const isDeno = typeof (globalThis as { Deno?: unknown }).Deno !== 'undefined';

function cli(...args: string[]): { status: number; stdout: string; stderr: string } {
  const cmd = isDeno ? ['run', '-A', 'src/cli/main.ts', ...args] : ['bin/alphaflow.js', ...args];
  const r = spawnSync(process.execPath, cmd, { cwd: PROJECT_ROOT, encoding: 'utf8' });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const dir = mkdtempSync(join(tmpdir(), 'alphaflow-cli-'));
const bars = join(dir, 'bars.csv');
// Two stocks, four bars; B has no row at the third bar.
writeFileSync(
  bars,
  [
    'code,datetime,open,high,low,close,volume,amount',
    'A,2025-01-02 10:00,10,11,9,10.5,100,1050',
    'A,2025-01-02 10:30,10.5,12,10,11,200,2200',
    'A,2025-01-02 11:00,11,11.5,10.5,11.25,100,1125',
    'A,2025-01-02 11:30,11.25,11.5,11,11.5,0,0',
    'B,2025-01-02 10:00,20,21,19,20,10,200',
    'B,2025-01-02 10:30,20,20,18,18,10,180',
    'B,2025-01-02 11:30,18,19,17,19,10,190',
  ].join('\n'),
);

test('--help works for the program and for eval', () => {
  const top = cli('--help');
  assert.equal(top.status, 0);
  assert.match(top.stdout, /commands:\n\s+eval/);
  const ev = cli('eval', '--help');
  assert.equal(ev.status, 0);
  assert.match(ev.stdout, /usage: alphaflow eval \[--data FILE\]/);
  assert.match(ev.stdout, /--values OUT/);
});

test('usage errors exit 2 with a message', () => {
  let r = cli('eval', '--data', bars);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /give --expr EXPR \(once or more\) or --exprs FILE\n/);
  r = cli('eval', '--bogus');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /bogus/);
  r = cli('frobnicate');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /unknown command 'frobnicate'/);
});

test('eval prints canonical text, coverage, mean and std', () => {
  const r = cli('eval', '--data', bars, '--expr', 'sub( close , delay(1,close) )');
  assert.equal(r.status, 0, r.stderr);
  const line = r.stdout.split('\n').find((l) => l.includes('sub(close,delay(1,close))'));
  assert.ok(line, r.stdout);
  // 8 cells; values: A: 0.5, 0.25, 0.25; B: -2 (bar 2), NaN (bar 3 missing), NaN (bar 4 follows a gap).
  const [, coverage, mean, std] = line.trim().split(/\s+/);
  assert.equal(Number(coverage), 4 / 8);
  const vals = [0.5, 0.25, 0.25, -2];
  const m = vals.reduce((a, b) => a + b) / 4;
  const s = Math.sqrt(vals.reduce((a, b) => a + (b - m) ** 2, 0) / 3);
  assert.ok(Math.abs(Number(mean) - m) < 1e-4, mean);
  assert.ok(Math.abs(Number(std) - s) < 1e-4, std);
});

test('eval takes --expr more than once: each is a line, in order, and a bad one is reported by its place', () => {
  const r = cli('eval', '--data', bars, '--expr', 'div(close,open)', '--expr', 'ts_mean(2,close)', '--expr', 'vwap');
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^2:1: unknown operator 'ts_mean'; did you mean 'ts_Mean'\?$/m);
  const rows = r.stdout.trim().split('\n').slice(1).map((l) => l.trim().split(/\s+/));
  assert.deepEqual(rows.map((c) => [c[0], c[c.length - 1]]), [['1', 'div(close,open)'], ['2', 'ts_mean(2,close)'], ['3', 'vwap']]);
  assert.deepEqual(rows[1]!.slice(1, 5), ['-', '-', '-', '(parse'], 'the bad line is listed without figures');
  const alone = cli('eval', '--data', bars, '--expr', 'vwap');
  assert.equal(alone.status, 0, alone.stderr);
  assert.deepEqual(alone.stdout.trim().split('\n')[1]!.trim().split(/\s+/).slice(1), rows[2]!.slice(1), 'the third --expr scores as it does alone');
  const both = cli('eval', '--data', bars, '--expr', 'vwap', '--exprs', join(dir, 'none.txt'));
  assert.equal(both.status, 2);
  assert.match(both.stderr, /give --expr or --exprs, not both/);
});

test('eval --exprs --values writes long CSV and reports bad lines as LINE:COLUMN', () => {
  const exprs = join(dir, 'exprs.txt');
  writeFileSync(exprs, ['# a comment', 'div(close,open)', '', 'ts_mean(2,close)', 'vwap', 'add(close,1)'].join('\n'));
  const out = join(dir, 'values.csv');
  const r = cli('eval', '--data', bars, '--exprs', exprs, '--values', out);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^4:1: unknown operator 'ts_mean'; did you mean 'ts_Mean'\?$/m);
  assert.match(r.stderr, /^ts_mean\(2,close\)\n\^{7}$/m);
  const rows = readFileSync(out, 'utf8').trimEnd().split('\n');
  assert.equal(rows[0], 'datetime,code,f0,f1,f2,f3');
  assert.equal(rows.length, 1 + 4 * 2);
  // Cells read back as the same float32 values, written in at most 9 significant digits.
  const cells = (row: string) => row.split(',');
  const same = (cell: string, expected: number) => {
    assert.ok(cell !== '' && Math.fround(Number(cell)) === Math.fround(expected), `${cell} vs ${expected}`);
    assert.ok(cell.replace(/^-|\.|e.*$/g, '').replace(/^0+/, '').length <= 9, cell);
  };
  let c = cells(rows[1]);
  assert.deepEqual(c.slice(0, 2), ['2025-01-02 10:00', 'A']);
  same(c[2], 10.5 / 10);
  assert.equal(c[3], '');
  assert.equal(c[4], '10.5');
  assert.equal(c[5], '11.5');
  assert.equal(rows[2], '2025-01-02 10:00,B,1,,20,21');
  // B has no bar at 11:00: every value is empty.
  assert.equal(rows[6], '2025-01-02 11:00,B,,,,');
  // A at 11:30 traded no volume: vwap is missing.
  c = cells(rows[7]);
  same(c[2], 11.5 / 11.25);
  assert.deepEqual(c.slice(3), ['', '', '12.5']);
});

test('a missing data file is a one-line error, not a stack trace', () => {
  const r = cli('eval', '--data', join(dir, 'nope.csv'), '--expr', 'close');
  assert.equal(r.status, 1);
  assert.match(r.stderr, /nope\.csv/);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
});

test('labels writes date,code,label from first-30-minute vwaps, empty where there is no future', () => {
  const daily = join(dir, 'three_days.csv');
  const rows = ['code,datetime,open,high,low,close,volume,amount'];
  // First bar of each day: amount/volume = 10, 11, 12.1 for A and 20, 18, 18 for B.
  const firstVwap: Record<string, number[]> = { A: [10, 11, 12.1], B: [20, 18, 18] };
  ['2025-01-02', '2025-01-03', '2025-01-06'].forEach((d, k) => {
    for (const code of ['A', 'B']) {
      const v = firstVwap[code][k];
      rows.push(`${code},${d} 10:00,${v},${v + 0.5},${v - 0.5},${v},100,${v * 100}`);
      rows.push(`${code},${d} 10:30,${v},${v + 0.5},${v - 0.5},${v},100,${(v + 0.2) * 100}`);
    }
  });
  writeFileSync(daily, rows.join('\n'));
  const out = join(dir, 'labels.csv');
  const r = cli('labels', '--data', daily, '--out', out);
  assert.equal(r.status, 0, r.stderr);
  const lines = readFileSync(out, 'utf8').trimEnd().split('\n');
  assert.equal(lines[0], 'date,code,label');
  const cell = (i: number) => lines[i].split(',');
  assert.deepEqual(cell(1).slice(0, 2), ['2025-01-02', 'A']);
  assert.ok(Math.abs(Number(cell(1)[2]) - (12.1 / 11 - 1)) < 1e-6, lines[1]);
  assert.ok(Math.abs(Number(cell(2)[2]) - (18 / 18 - 1)) < 1e-6, lines[2]);
  // The last two days have no exit day in the data.
  assert.deepEqual(lines.slice(3), ['2025-01-03,A,', '2025-01-03,B,', '2025-01-06,A,', '2025-01-06,B,']);
});
