/**
 * Reads the JSON lines bench/gpu_bench.ts appended (`--json FILE`) and, per panel, holds every run's tree
 * scores against the reference run's (by default the CPU kernels on one thread): which trees a device scored
 * differently, and the largest difference per metric (bench/score_agreement.ts). Run it on the results a lent
 * GPU machine sent back before recording its speed:
 *
 *   npx tsx bench/agree.ts --results results.jsonl
 *
 * Each tree beyond a tolerance is listed, `!` when its IC or rank IC is (the run then disagrees), `~` when only
 * discrete metrics moved (a run disagrees when more than a quarter of its trees do). Each device run's rate is
 * given against the one-thread run and the worker-pool run (the CPU default of a large job). Exit status 0 when
 * every compared run agrees, 1 when one disagrees or has no reference, 2 on bad input.
 */
import { existsSync, readFileSync } from 'node:fs';
import process from 'node:process';
import { badArgs, benchArgs } from './bench_args.ts';
import { compareScores, formatAgreement, type ScoreDigest } from './score_agreement.ts';

const SCRIPT = 'agree';
const values = benchArgs(SCRIPT, "holds each gpu_bench run's tree scores against a reference run on the same panel.", {
  results: { value: 'FILE', help: 'the JSON lines gpu_bench --json wrote' },
  reference: { value: 'BACKEND', default: 'cpu', help: 'the backend whose one-thread run is the reference' },
});
if (!values.results) badArgs(SCRIPT, '--results: which file? (gpu_bench --json FILE)');
if (!existsSync(values.results)) badArgs(SCRIPT, `--results: no file at ${values.results}`);

interface Row {
  panel: string;
  backend: string;
  workers: number;
  adapter?: string;
  evaluationsPerSecond: number;
  scores?: ScoreDigest[];
}

const rows: Row[] = [];
readFileSync(values.results, 'utf8').split('\n').forEach((line, i) => {
  if (!line.trim()) return;
  let row: Row;
  try {
    row = JSON.parse(line);
  } catch (e) {
    return badArgs(SCRIPT, `${values.results}:${i + 1}: not JSON (${(e as Error).message})`);
  }
  if (typeof row.panel !== 'string' || typeof row.backend !== 'string') badArgs(SCRIPT, `${values.results}:${i + 1}: a row without panel or backend`);
  rows.push(row);
});

/** `r`'s rate against `base`'s, as the record in docs/benchmarks.md states it. */
function speed(r: Row, base: Row): string {
  const [a, b] = [r.evaluationsPerSecond, base.evaluationsPerSecond];
  if (!(a > 0 && b > 0)) return `no rate to compare with ${name(base)}`;
  return `${a.toFixed(1)} against ${b.toFixed(1)} evaluations/s on ${name(base)}: ${(a / b).toPrecision(3)}x`;
}

const name = (r: Row) => `${r.backend}${r.workers > 1 ? ` x${r.workers} workers` : ''}${r.adapter ? ` (${r.adapter})` : ''}`;
let failed = false;
for (const panel of new Set(rows.map((r) => r.panel))) {
  const here = rows.filter((r) => r.panel === panel && r.scores?.length);
  const ref = [...here].reverse().find((r) => r.backend === values.reference && r.workers <= 1); // the latest
  const others = here.filter((r) => r !== ref);
  if (!ref) {
    console.log(`${panel}: no ${values.reference} one-thread run with scores to compare with`);
    failed ||= others.length > 0;
    continue;
  }
  // The CPU default of a large mining job is a worker per core: the device is held against that too.
  const pool = [...here].reverse().find((r) => r.backend === values.reference && r.workers > 1);
  for (const r of others) {
    const a = compareScores(ref.scores!, r.scores!);
    console.log(formatAgreement(`${panel}, ${name(r)} against ${name(ref)}`, a));
    failed ||= !a.agree;
    if (r.backend !== values.reference) console.log(`  speed: ${speed(r, ref)}${pool ? `; ${speed(r, pool)}` : ''}`);
  }
  if (!others.length) console.log(`${panel}: only the reference run`);
}
process.exitCode = failed ? 1 : 0;
