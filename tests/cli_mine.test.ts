/**
 * `alphaflow mine`, run as a subprocess of the current runtime like tests/cli.test.ts: the run folder's files,
 * determinism, a run killed mid-way and resumed ending exactly like an uninterrupted one, config-file errors,
 * and the pure pieces (progress lines, JSON error positions, checkpoint encoding) called directly. The data is a
 * small synthetic market written to a temporary CSV, so each run takes about a second.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from './support/paths.ts';
import { generateMarket, DEFAULT_PLANTED } from '../src/data/synth.ts';
import { writeMarket } from '../src/data/synth_csv.ts';
import { parse } from '../src/expr/parse.ts';
import { print } from '../src/expr/print.ts';
import { estimateRemaining, formatDuration, generationLine, liveLine, progressBar, ProgressWriter } from '../src/cli/progress.ts';
import { findJsonError, parseJsonText, JsonSyntaxError } from '../src/cli/json_file.ts';
import { mineCommand } from '../src/cli/mine_cmd.ts';
import { checkpointJson, parseCheckpoint, poolCsv } from '../src/mine/run_files.ts';
import type { Checkpoint } from '../src/mine/miner.ts';

const isDeno = typeof (globalThis as { Deno?: unknown }).Deno !== 'undefined';
const cliArgs = (args: string[]): string[] => (isDeno ? ['run', '-A', 'src/cli/main.ts', ...args] : ['bin/alphaflow.js', ...args]);

function cli(...args: string[]): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, cliArgs(args), { cwd: PROJECT_ROOT, encoding: 'utf8' });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const dir = mkdtempSync(join(tmpdir(), 'alphaflow-mine-'));
const bars = join(dir, 'bars.csv');
// Strong planted alphas on a small market, so a few generations of 30 find a pool in about a second.
writeMarket(generateMarket({ stocks: 60, days: 120, barsPerDay: 4, seed: 3, strength: 0.02 }), bars);
const relaxed = join(dir, 'relaxed.json');
writeFileSync(relaxed, JSON.stringify({ thresholds: { ic: 0.01, longExcess: 0, monotonicity: 0 } }));
const base = ['--data', bars, '--config', relaxed, '--population', '30', '--workers', '1'];

const readJson = (path: string): any => JSON.parse(readFileSync(path, 'utf8'));
/** History without the machine-dependent timings. */
const untimed = (history: any[]): any[] => history.map(({ seconds: _s, evals_per_second: _e, ...rest }) => rest);

test('--help lists every option of mine', () => {
  const r = cli('mine', '--help');
  assert.equal(r.status, 0, r.stderr);
  for (const name of Object.keys(mineCommand.options)) assert.match(r.stdout, new RegExp(`--${name}\\b`), `--${name} missing from help`);
  assert.match(cli('--help').stdout, /\n\s+mine\s/);
});

let first: { pool: any; history: any[] } | undefined;

test('mine writes config, checkpoint, history and pool files', () => {
  const out = join(dir, 'run1');
  const r = cli('mine', ...base, '--generations', '3', '--seed', '7', '--out', out);
  assert.equal(r.status, 0, r.stderr);
  const config = readJson(join(out, 'config.json'));
  assert.equal(config.population, 30);
  assert.equal(config.seed, 7);
  assert.equal(config.thresholds.ic, 0.01, 'the config file is applied');
  assert.deepEqual({ source: config.data.source, stocks: config.data.stocks, days: config.data.days }, { source: bars, stocks: 60, days: 120 });
  const cp = readJson(join(out, 'checkpoint.json'));
  assert.equal(cp.generation, 3);
  const history = readJson(join(out, 'history.json'));
  assert.equal(history.length, 3);
  const pool = readJson(join(out, 'pool.json'));
  assert.equal(pool.stop, 'generations');
  assert.deepEqual(pool.segments.map((s: any) => s.name), ['train', 'valid', 'test']);
  assert.ok(pool.factors.length > 0, 'the planted alphas are strong enough to fill some of the pool');
  for (const f of pool.factors) {
    assert.equal(print(parse(f.expr)), f.expr, 'pool expressions are canonical');
    for (const s of ['train', 'valid', 'test']) assert.equal(typeof f[s].rank_ic, 'number');
  }
  const csv = readFileSync(join(out, 'pool.csv'), 'utf8').trimEnd().split('\n');
  assert.equal(csv.length, pool.factors.length + 1);
  assert.match(csv[0]!, /^expr,fitness,train_ic,train_rank_ic,.*,test_turnover$/);
  assert.match(r.stdout, /test_rank_ic/);
  assert.match(r.stdout, new RegExp(`files in ${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  assert.match(r.stderr, /generation 3\/3: best /, 'one log line per generation when not a terminal');
  first = { pool: pool.factors, history };
});

test('the same seed gives the same pool and history', () => {
  assert.ok(first, 'needs the previous test');
  const out = join(dir, 'run2');
  const r = cli('mine', ...base, '--generations', '3', '--seed', '7', '--out', out, '--quiet');
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '', '--quiet prints nothing on stderr');
  assert.deepEqual(readJson(join(out, 'pool.json')).factors, first!.pool);
  assert.deepEqual(untimed(readJson(join(out, 'history.json'))), untimed(first!.history));
});

test('a run killed mid-way and resumed ends like an uninterrupted one', async () => {
  const generations = '6';
  const full = join(dir, 'full');
  const r = cli('mine', ...base, '--population', '40', '--generations', generations, '--out', full, '--quiet');
  assert.equal(r.status, 0, r.stderr);

  const killed = join(dir, 'killed');
  const child = spawn(process.execPath, cliArgs(['mine', ...base, '--population', '40', '--generations', generations, '--out', killed, '--quiet']), { cwd: PROJECT_ROOT, stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  let reached = -1;
  const t0 = Date.now();
  while (Date.now() - t0 < 60_000) {
    const cpPath = join(killed, 'checkpoint.json');
    // Files are renamed into place, so one that exists is complete.
    if (existsSync(cpPath)) {
      reached = readJson(cpPath).generation;
      if (reached >= 1) break;
    }
    await new Promise((res) => setTimeout(res, 5));
  }
  child.kill('SIGKILL');
  await exited;
  const at = readJson(join(killed, 'checkpoint.json')).generation;
  assert.ok(reached >= 1 && at < 6, `killed after generation ${at} (want 1..5)`);

  const again = cli('mine', '--data', bars, '--resume', killed, '--workers', '1');
  assert.equal(again.status, 0, again.stderr);
  assert.match(again.stderr, new RegExp(`resuming after generation ${at}`));
  assert.deepEqual(readJson(join(killed, 'pool.json')).factors, readJson(join(full, 'pool.json')).factors);
  assert.deepEqual(untimed(readJson(join(killed, 'history.json'))), untimed(readJson(join(full, 'history.json'))));
});

test('a run that fails after a checkpoint says how to resume from it', async () => {
  const out = join(dir, 'failing');
  const moved = `${out}.moved`;
  const child = spawn(process.execPath, cliArgs(['mine', ...base, '--generations', '500', '--out', out, '--quiet']), { cwd: PROJECT_ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (b) => (stderr += b));
  const status = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const t0 = Date.now();
  // Moving the folder away makes the next checkpoint write fail, as a full disk or a lost device would.
  while (Date.now() - t0 < 60_000 && !existsSync(moved)) {
    if (existsSync(join(out, 'checkpoint.json'))) renameSync(out, moved);
    else await new Promise((res) => setTimeout(res, 5));
  }
  assert.notEqual(await status, 0, stderr);
  const at = readJson(join(moved, 'checkpoint.json')).generation;
  assert.ok(at >= 1 && at < 500, `generation ${at}`);
  assert.ok(stderr.includes(`the run stopped with an error after generation ${at}; its checkpoint is in ${out}; continue with: alphaflow mine --resume ${out} --data ${bars}\n`), stderr);
});

test('resume refuses other data and settings that would make it another run', () => {
  const out = join(dir, 'run1');
  const universe = join(dir, 'universe.txt');
  writeFileSync(universe, generateMarket({ stocks: 60, days: 3, barsPerDay: 1, seed: 3 }).panel.codes.slice(0, 20).join('\n'));
  let r = cli('mine', '--data', bars, '--universe', universe, '--resume', out);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /the data differ from the run in .*stocks 60 then, 20 now.*--data /);
  r = cli('mine', '--data', bars, '--resume', out, '--seed', '3');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--seed cannot change on --resume/);
  r = cli('mine', '--data', bars, '--resume', join(dir, 'nothing-here'));
  assert.equal(r.status, 2);
  assert.match(r.stderr, /holds no checkpoint\.json/);
});

test('config and folder errors exit 2 with a clear message', () => {
  const typo = join(dir, 'typo.json');
  writeFileSync(typo, JSON.stringify({ populaton: 30 }));
  let r = cli('mine', '--data', bars, '--config', typo, '--out', join(dir, 'x1'));
  assert.equal(r.status, 2);
  assert.match(r.stderr, /typo\.json: populaton: unknown setting; did you mean 'population'\?/);

  const nested = join(dir, 'nested.json');
  writeFileSync(nested, JSON.stringify({ mutation: { hoistt: 0.1 } }));
  r = cli('mine', '--data', bars, '--config', nested, '--out', join(dir, 'x1'));
  assert.equal(r.status, 2);
  assert.match(r.stderr, /mutation\.hoistt: unknown setting; did you mean 'mutation\.hoist'\?/);

  const broken = join(dir, 'broken.json');
  writeFileSync(broken, '{\n  "population": 30,\n  "seed": }\n');
  r = cli('mine', '--data', bars, '--config', broken, '--out', join(dir, 'x1'));
  assert.equal(r.status, 2);
  assert.match(r.stderr, /broken\.json:3:11: invalid JSON: expected a value, got '\}'/);

  r = cli('mine', '--data', bars, '--population', '1', '--out', join(dir, 'x1'));
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--population: must be a whole number in 2\.\./);

  r = cli('mine', '--data', bars, '--fitness', 'rank_icc', '--out', join(dir, 'x1'));
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--fitness: unknown fitness 'rank_icc'/);

  r = cli('mine', '--data', bars);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--out DIR is required/);

  r = cli('mine', '--data', bars, '--out', join(dir, 'run1'));
  assert.equal(r.status, 2);
  assert.match(r.stderr, /already holds a mining run .*--resume .*--overwrite/);
  assert.ok(!existsSync(join(dir, 'x1')), 'nothing is created before the settings are checked');
});

test('--overwrite replaces a run folder', () => {
  const out = join(dir, 'over');
  mkdirSync(out);
  writeFileSync(join(out, 'pool.json'), '{}');
  const r = cli('mine', ...base, '--generations', '1', '--out', out, '--overwrite', '--quiet');
  assert.equal(r.status, 0, r.stderr);
  assert.equal(readJson(join(out, 'history.json')).length, 1);
});

test('on the built-in synthetic market the planted factors are matched to the pool', () => {
  const out = join(dir, 'synthetic');
  const r = cli('mine', '--population', '20', '--generations', '1', '--out', out, '--quiet', '--workers', '1');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /planted\s+realised_rank_ic\s+correlation\s+match_test_rank_ic\s+recovered\s+closest pool factor/);
  for (const p of DEFAULT_PLANTED) assert.ok(r.stdout.includes(print(parse(p))), `${p} in the planted table`);
  // planted.json holds the same table as data; one generation of 20 recovers nothing.
  const planted = readJson(join(out, 'planted.json')).planted;
  assert.deepEqual(planted.map((p: { expr: string }) => p.expr), DEFAULT_PLANTED.map((p) => print(parse(p))));
  for (const p of planted) {
    assert.ok(Math.abs(p.realised_rank_ic) > 0.03, 'realised rank IC recorded');
    assert.equal(typeof p.recovered, 'boolean');
    if (p.match !== null) assert.ok(r.stdout.includes(p.match), `${p.match} in the printed table`);
  }
  const data = readJson(join(out, 'config.json')).data;
  assert.equal(data.source, 'synthetic');
  assert.equal(data.seed, 1);
});

test('progress lines', () => {
  assert.equal(formatDuration(NaN), '--');
  assert.equal(formatDuration(44.6), '45s');
  assert.equal(formatDuration(185), '3m05s');
  assert.equal(formatDuration(7620), '2h07m');
  assert.equal(progressBar(0, 10, 10), '[----------]');
  assert.equal(progressBar(5, 10, 10), '[#####-----]');
  assert.equal(progressBar(0, 0, 4), '[####]');
  assert.equal(estimateRemaining({ generation: 2, generations: 10, meanSeconds: 10, currentShare: 0.5 }), 75);
  assert.equal(estimateRemaining({ generation: 2, generations: 10, meanSeconds: 10, budgetLeft: 30 }), 30);
  assert.ok(Number.isNaN(estimateRemaining({ generation: 0, generations: 10, meanSeconds: NaN })));
  assert.equal(
    liveLine({ generation: 2, generations: 10, done: 150, total: 300, rate: 85.24, best: 0.04123, pool: 4, poolSize: 100, eta: 80 }, 10),
    'gen 3/10 [#####-----] 150/300  85.2/s  best 0.0412  pool 4/100  ETA 1m20s',
  );
  assert.equal(
    generationLine({ generation: 0, generations: 3, best: 0.2, mean: -0.05, pool: 6, poolSize: 100, evaluations: 30, seconds: 0.5, eta: 1 }),
    'generation 1/3: best 0.2000, mean -0.0500, pool 6/100, 30 scored in 0.50s (60/s), ETA 1s',
  );

  const writes: string[] = [];
  const state = { generation: 0, generations: 2, done: 1, total: 2, rate: NaN, best: NaN, pool: 0, poolSize: 5, eta: NaN };
  const summary = { generation: 0, generations: 2, best: 0.1, mean: 0, pool: 1, poolSize: 5, evaluations: 2, seconds: 1, eta: 1 };
  const tty = new ProgressWriter({ write: (t: string) => writes.push(t), isTTY: true, columns: 40 });
  tty.update(state, true);
  tty.generation(summary);
  tty.message('done');
  assert.equal(writes.length, 3, 'a terminal gets the live line, no log line, then a newline and the message');
  assert.ok(writes[0]!.startsWith('\rgen 1/2 ') && writes[0]!.length === 40, JSON.stringify(writes[0]));
  assert.deepEqual(writes.slice(1), ['\n', 'done\n']);

  writes.length = 0;
  const pipe = new ProgressWriter({ write: (t: string) => writes.push(t), isTTY: false });
  pipe.update(state, true);
  pipe.generation(summary);
  assert.deepEqual(writes, [generationLine(summary) + '\n']);

  writes.length = 0;
  const quiet = new ProgressWriter({ write: (t: string) => writes.push(t), isTTY: true }, true);
  quiet.update(state, true);
  quiet.generation(summary);
  quiet.message('x');
  assert.deepEqual(writes, []);
});

test('JSON errors are located by line and column', () => {
  assert.equal(findJsonError('{"a": [1, 2]}'), undefined);
  assert.deepEqual(findJsonError('{"a": 1,}'), { pos: 8, reason: `expected a quoted key, got '}'` });
  assert.deepEqual(findJsonError('{"a": 1'), { pos: 7, reason: `expected ',' or '}', got end of file` });
  assert.throws(() => parseJsonText('{\n "a": tru\n}'), (e: unknown) => e instanceof JsonSyntaxError && e.line === 2 && e.column === 7);
  assert.throws(() => parseJsonText('[1]\n x'), (e: unknown) => e instanceof JsonSyntaxError && e.line === 2 && e.column === 2);
});

test('checkpoints keep NaN and infinities; pool.csv quotes expressions', () => {
  const cp = { version: 1, generation: 1, rng: 5, history: [{ best: NaN, mean: -Infinity }], cache: [['close', { ic: Infinity, rank_ic: 0.5 }]] } as unknown as Checkpoint;
  const back = parseCheckpoint(checkpointJson(cp)) as any;
  assert.ok(Number.isNaN(back.history[0].best));
  assert.equal(back.history[0].mean, -Infinity);
  assert.equal(back.cache[0][1].ic, Infinity);
  assert.equal(back.cache[0][1].rank_ic, 0.5);
  const csv = poolCsv([{ expr: 'sub(close,open)', fitness: 0.1, size: 3, generation: 0, metrics: { train: { ic: NaN, rank_ic: 0.2 } as any } }]).split('\n');
  assert.ok(csv[1]!.startsWith('"sub(close,open)",0.1,,0.2,'), csv[1]);
});
