/**
 * The miner's quality bar, on the command users run first: `npm run mine` (its arguments read from
 * package.json, so the test follows the script) mines the default synthetic market, and for every planted
 * factor the pool must hold a related factor (|correlation| >= 0.5 on the test days) whose test-segment rank
 * IC reaches 70 % of the planted factor's realised rank IC (`planted.json`, the CLI's own matching). This is
 * the slowest test of the suite: the whole quick run, about 80 seconds on 2 cores.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from './support/paths.ts';
import { DEFAULT_PLANTED } from '../src/data/synth.ts';
import { parse } from '../src/expr/parse.ts';
import { print } from '../src/expr/print.ts';

const isDeno = typeof (globalThis as { Deno?: unknown }).Deno !== 'undefined';

/** The `mine` script's arguments after `mine`, with the run folder swapped for `out`. */
function mineScriptArgs(out: string): string[] {
  const script = (JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.mine!;
  const words = script.split(/\s+/);
  const args = words.slice(words.indexOf('mine') + 1);
  const at = args.indexOf('--out');
  assert.ok(at >= 0, `the mine script names its run folder: ${script}`);
  args[at + 1] = out;
  return args;
}

test('npm run mine recovers every planted factor at 70 % of its realised rank IC', { timeout: 600_000 }, () => {
  const out = join(mkdtempSync(join(tmpdir(), 'alphaflow-quality-')), 'run');
  const args = ['mine', ...mineScriptArgs(out), '--quiet'];
  const r = spawnSync(process.execPath, isDeno ? ['run', '-A', 'src/cli/main.ts', ...args] : ['bin/alphaflow.js', ...args], { cwd: PROJECT_ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const planted = (JSON.parse(readFileSync(join(out, 'planted.json'), 'utf8')) as { planted: { expr: string; realised_rank_ic: number; correlation: number; match_test_rank_ic: number; match: string; recovered: boolean }[] }).planted;
  assert.deepEqual(planted.map((p) => p.expr), DEFAULT_PLANTED.map((p) => print(parse(p))));
  for (const p of planted) {
    // The rule itself, checked here rather than trusting the flag.
    const signed = Math.sign(p.correlation) * p.match_test_rank_ic * Math.sign(p.realised_rank_ic);
    const ok = Math.abs(p.correlation) >= 0.5 && signed >= 0.7 * Math.abs(p.realised_rank_ic);
    assert.equal(p.recovered, ok, `${p.expr}: flag and rule disagree`);
    assert.ok(ok, `${p.expr} (realised ${p.realised_rank_ic}) not recovered: closest pool factor ${p.match}, correlation ${p.correlation}, test rank IC ${p.match_test_rank_ic}`);
  }
});
