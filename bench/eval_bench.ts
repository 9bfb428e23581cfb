/**
 * `npm run bench`: evaluates the report's 97 parseable seed factors on the full real 30-minute panel and prints
 * load time, total evaluation time on one thread and on a pool of one worker thread per core (medians of
 * several runs after a warm-up), where the time goes per operator, and raw kernel throughput per operator. Skips with a message when ../shared data is absent.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { loadBars } from '../src/data/csv.ts';
import { parse } from '../src/expr/parse.ts';
import { Evaluator } from '../src/eval/evaluate.ts';
import { initBackend } from '../src/eval/backend.ts';
import { OPS } from '../src/ops/table.ts';
import type { Node } from '../src/expr/ast.ts';
import { EvalPool, availableCores } from '../src/eval/pool.ts';

const shared = fileURLToPath(new URL('../../shared/', import.meta.url));
const dataPath = `${shared}data/ashare_15min_sse/bars_30min.csv.gz`;
const factorsPath = `${shared}factors/seed_30min_100.txt`;
const runs = Number(process.env.BENCH_RUNS ?? 5);

if (!existsSync(dataPath) || !existsSync(factorsPath)) {
  console.log(`bench: shared data not found (${dataPath}, ${factorsPath}); skipping`);
  process.exit(0);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

await initBackend('cpu');
let t0 = performance.now();
const panel = await loadBars(dataPath);
const loadMs = performance.now() - t0;
const cells = panel.T * panel.N;
console.log(`data: ${panel.T} bars x ${panel.N} stocks (${(cells / 1e6).toFixed(2)} M cells), loaded in ${(loadMs / 1000).toFixed(2)} s`);

const exprs: Node[] = [];
for (const line of readFileSync(factorsPath, 'utf8').split(/\r?\n/)) {
  if (!line.trim()) continue;
  try {
    exprs.push(parse(line));
  } catch {
    /* the report's three typo lines */
  }
}

const evaluator = new Evaluator(panel);
const evalAll = () => {
  const outs = evaluator.evaluate(exprs);
  for (const o of outs) o.dispose();
};
evalAll(); // warm-up: JIT compiles the kernels
const times: number[] = [];
for (let r = 0; r < runs; r++) {
  t0 = performance.now();
  evalAll();
  times.push(performance.now() - t0);
}
console.log(`\n${exprs.length} seed factors, all values: median ${(median(times) / 1000).toFixed(3)} s over ${runs} runs (min ${(Math.min(...times) / 1000).toFixed(3)} s, backend ${tf.getBackend()})`);

const cores = await availableCores();
if (cores > 1) {
  t0 = performance.now();
  const pool = await EvalPool.create(cores);
  const createMs = performance.now() - t0;
  const poolTimes: number[] = [];
  for (let r = 0; r <= runs; r++) {
    t0 = performance.now();
    await pool.evaluate(panel, exprs);
    poolTimes.push(performance.now() - t0);
  }
  pool.close();
  const [first, ...warm] = poolTimes;
  console.log(
    `${exprs.length} seed factors on ${cores} worker threads: median ${(median(warm) / 1000).toFixed(3)} s over ${runs} runs ` +
      `(min ${(Math.min(...warm) / 1000).toFixed(3)} s; pool start ${(createMs / 1000).toFixed(2)} s, first run ${(first / 1000).toFixed(2)} s while the JIT warms up)`,
  );
}

const profile = await tf.profile(() => {
  evalAll();
  return [] as tf.Tensor[];
});
const byKernel = new Map<string, { count: number; ms: number }>();
for (const k of profile.kernels) {
  const e = byKernel.get(k.name) ?? { count: 0, ms: 0 };
  e.count++;
  e.ms += Number(k.kernelTimeMs) || 0;
  byKernel.set(k.name, e);
}
console.log('\nwhere the time goes in one run (kernel, calls, total ms, M cells/s):');
for (const [name, e] of [...byKernel].sort((a, b) => b[1].ms - a[1].ms)) {
  console.log(`  ${name.replace(/^af_/, '').padEnd(14)} ${String(e.count).padStart(4)} ${e.ms.toFixed(1).padStart(8)} ${((e.count * cells) / (e.ms * 1e3)).toFixed(0).padStart(7)}`);
}

console.log('\nraw kernel throughput, window 10 (M cells/s, median of 5):');
const fieldsIn = ['close', 'volume'].map((f) => panel.fields.get(f)!);
const out = new Float32Array(cells);
for (const op of OPS) {
  const xs = op.args.map((_, i) => fieldsIn[i]);
  const ts: number[] = [];
  for (let r = 0; r < 6; r++) {
    t0 = performance.now();
    op.kernels.cpu({ xs, T: panel.T, N: panel.N, window: op.windowed ? 10 : 0, out });
    ts.push(performance.now() - t0);
  }
  const ms = median(ts.slice(1));
  console.log(`  ${op.name.padEnd(14)} ${(cells / (ms * 1e3)).toFixed(0).padStart(6)}  (${ms.toFixed(2)} ms)`);
}
