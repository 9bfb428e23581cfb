/**
 * The benchmark scripts' command lines (bench/bench_args.ts): `--help` prints the options and exits 0, and a bad
 * option stops the script at once with exit status 2 and one line naming the option, before any backend starts
 * or data loads (what a run on a lent GPU machine needs: a typo must not cost a minute of device time).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { PROJECT_ROOT as ROOT } from './support/paths.ts';

const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');

function bench(script: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(TSX, [join(ROOT, 'bench', script), ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

for (const [script, option] of [
  ['gpu_bench.ts', '--cpu-population'], ['composite_metrics_bench.ts', '--groups'], ['webgl_paths_bench.ts', '--metrics'],
  ['agree.ts', '--results'], ['device/gpu_check.ts', '--stocks'],
]) {
  test(`${script}: --help lists the options, a bad one is named`, () => {
    const help = bench(script, ['--help']);
    assert.equal(help.status, 0, help.stderr);
    assert.match(help.stdout, new RegExp(`^bench/${script}: `));
    assert.ok(help.stdout.includes(option), `--help should list ${option}:\n${help.stdout}`);

    const unknown = bench(script, ['--bogus']);
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /Unknown option '--bogus'/);

    const bad = bench(script, [option, '0']);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, new RegExp(`^${script.replace('.ts', '')}: ${option}: `));
    assert.equal(bad.stdout, '', 'nothing ran before the option was refused');
  });
}
