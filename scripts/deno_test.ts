/**
 * `npm run test:deno`: runs `deno test -A --quiet` (on tests/, or the paths given) and exits with its status,
 * with one narrow exception. Deno sometimes aborts in its exit handlers ("corrupted size vs. prev_size", "double
 * free or corruption", SIGABRT) after every test has passed and the summary is printed: once in CI; here in 3 of
 * 7 runs of the WebGPU test files that compiled into an empty Mesa shader cache, and in 1 of 2 full runs with
 * the cache off; never in 4 runs under gdb. It comes from tearing down the in-process software driver (Mesa's
 * llvmpipe or lavapipe) that runs the WebGPU tests, not from a test. The WebGPU test files destroy their device when
 * done (releaseBackend) and the cache is off (MESA_SHADER_CACHE_DISABLE, unless the caller sets it), which made
 * it rarer; should Deno still die of a signal, the run counts only when its JUnit report, written after the
 * last test, is complete and has no failure or error, and the script says so loudly. A failing test, or a crash
 * before the report, still fails.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import process from 'node:process';
import { junitTotals } from './junit_totals.ts';

// ALPHAFLOW_DENO: another deno binary (the tests of this script put a stand-in there).
const deno = process.env.ALPHAFLOW_DENO ?? join(import.meta.dirname, '..', 'node_modules', '.bin', 'deno');
const dir = mkdtempSync(join(tmpdir(), 'alphaflow-deno-test-'));
const junit = join(dir, 'report.xml');
const paths = process.argv.slice(2);
// Mesa writes its shader cache from a background thread, still at work when a run that compiled much exits.
// Mesa's Vulkan driver complains on every device it opens when XDG_RUNTIME_DIR is unset (it never draws to a window).
const env = { MESA_SHADER_CACHE_DISABLE: 'true', XDG_RUNTIME_DIR: tmpdir(), ...process.env };
const run = spawnSync(deno, ['test', '-A', '--quiet', `--junit-path=${junit}`, ...(paths.length ? paths : ['tests/'])], { stdio: 'inherit', env });

let code = run.status ?? 1;
if (run.error) {
  process.stderr.write(`deno_test: could not run ${deno}: ${run.error.message}\n`);
} else if (run.signal) {
  const totals = existsSync(junit) ? junitTotals(readFileSync(junit, 'utf8')) : undefined;
  if (totals && totals.tests > 0 && totals.failures === 0 && totals.errors === 0) {
    process.stderr.write(
      `\ndeno_test: WARNING: deno was killed by ${run.signal} while exiting, after all ${totals.tests} tests had run with no ` +
        'failure (its JUnit report is complete). Counted as a pass: see scripts/deno_test.ts for why.\n',
    );
    code = 0;
  } else {
    process.stderr.write(`\ndeno_test: deno was killed by ${run.signal} before its report said every test passed\n`);
  }
}
rmSync(dir, { recursive: true, force: true });
process.exitCode = code;
