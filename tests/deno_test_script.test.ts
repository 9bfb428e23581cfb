/**
 * scripts/deno_test.ts (`npm run test:deno`): Deno's own status passes through, and a death by signal counts
 * as a pass only after a complete JUnit report with no failure. The real Deno runs a passing, a failing and an
 * aborting file; a stand-in deno that writes a report and then aborts covers the crash after the report.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { junitTotals } from '../scripts/junit_totals.ts';
import { PROJECT_ROOT as ROOT } from './support/paths.ts';

const SCRIPT = join(ROOT, 'scripts', 'deno_test.ts');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');

function runScript(args: string[], env: Record<string, string> = {}): { status: number | null; stderr: string } {
  const r = spawnSync(TSX, [SCRIPT, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...env } });
  return { status: r.status, stderr: r.stderr };
}

function report(tests: number, failures: number, errors = 0): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="deno test" tests="${tests}" failures="${failures}" errors="${errors}" time="0.1">\n` +
    `    <testsuite name="./a.test.ts" tests="${tests}" disabled="0" errors="${errors}" failures="${failures}">\n    </testsuite>\n</testsuites>\n`;
}

test('junitTotals reads the root totals of a complete report only', () => {
  assert.deepEqual(junitTotals(report(7, 2, 1)), { tests: 7, failures: 2, errors: 1 });
  assert.equal(junitTotals(report(7, 0).replace('</testsuites>\n', '')), undefined);
  assert.equal(junitTotals(report(7, 0).replace(' errors="0" time', ' time')), undefined);
  assert.equal(junitTotals(''), undefined);
});

test('deno_test passes Deno\'s status through, and accepts a signal only after a complete passing report', () => {
  const dir = mkdtempSync(join(tmpdir(), 'alphaflow-deno-test-test-'));
  try {
    const file = (name: string, body: string): string => {
      const p = join(dir, name);
      writeFileSync(p, `import { test } from 'node:test';\n${body}\n`);
      return p;
    };
    assert.equal(runScript([file('pass.test.ts', "test('passes', () => {});")]).status, 0);
    assert.equal(runScript([file('fail.test.ts', "test('fails', () => { throw new Error('no'); });")]).status, 1);
    // Killed at module end, before Deno writes its report: a failure.
    const early = runScript([file('abort.test.ts', "test('passes', () => {});\nglobalThis.addEventListener('unload', () => Deno.kill(Deno.pid, 'SIGABRT'));")]);
    assert.equal(early.status, 1);
    assert.match(early.stderr, /killed by SIGABRT before its report said every test passed/);

    // A stand-in deno: writes the report its --junit-path names, then aborts.
    const fake = (xml: string): string => {
      const p = join(dir, 'fake-deno');
      writeFileSync(join(dir, 'report.xml'), xml);
      writeFileSync(p, `#!/bin/sh\nfor a in "$@"; do case "$a" in --junit-path=*) cp "${join(dir, 'report.xml')}" "\${a#--junit-path=}";; esac; done\nkill -ABRT $$\n`);
      chmodSync(p, 0o755);
      return p;
    };
    const late = runScript([], { ALPHAFLOW_DENO: fake(report(12, 0)) });
    assert.equal(late.status, 0);
    assert.match(late.stderr, /WARNING: deno was killed by SIGABRT while exiting, after all 12 tests had run with no failure/);
    assert.equal(runScript([], { ALPHAFLOW_DENO: fake(report(12, 1)) }).status, 1);
    assert.equal(runScript([], { ALPHAFLOW_DENO: fake(report(12, 0).slice(0, 90)) }).status, 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
