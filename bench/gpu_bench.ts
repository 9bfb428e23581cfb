/**
 * Population evaluation on a device backend against the CPU default: factor evaluations per second (values
 * plus training-segment metrics and fingerprints, scored exactly as `alphaflow mine` scores a generation through
 * src/eval/scorer.ts) for seeded random GP trees, on the full real 30-minute panel and on a large synthetic panel
 * (default 4,800 bars x 5,000 stocks, the issue's target size). Run it once per backend and compare:
 *
 *   npx deno run -A bench/gpu_bench.ts --backend webgpu      # Deno's WebGPU (Vulkan on an NVIDIA GPU)
 *   npx tsx bench/gpu_bench.ts --backend cpu --workers auto  # the CPU default of a large mining job
 *
 * Options: the table passed to benchArgs below (`--help` prints it).
 * The trees are the same for every backend (seed 1), so rates compare. The first chunk (shader compilation,
 * field uploads) is timed apart from steady state. bench/device/ runs this on a lent GPU machine.
 */
import { appendFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import process from 'node:process';
import * as tf from '@tensorflow/tfjs-core';
import { loadData } from '../src/data/load.ts';
import { generateMarket } from '../src/data/synth.ts';
import type { Panel } from '../src/data/panel.ts';
import { tradingDays } from '../src/data/calendar.ts';
import { computeLabels } from '../src/data/labels.ts';
import { MIN_STOCKS } from '../src/fitness/metrics.ts';
import { initBackend, isBackendChoice, releaseBackend, webGpuAdapterLabel } from '../src/eval/backend.ts';
import { Scorer, type ScoreResult, type ScoreSetup } from '../src/eval/scorer.ts';
import { availableCores, EvalPool } from '../src/eval/pool.ts';
import { resolvePrimitives } from '../src/gp/primitives.ts';
import { rampedHalfAndHalf } from '../src/gp/generate.ts';
import { mulberry32 } from '../src/util/rng.ts';
import type { Node } from '../src/expr/ast.ts';
import { print } from '../src/expr/print.ts';
import { SCORED_TREES, scoreDigest } from './score_agreement.ts';
import { badArgs, benchArgs, wholeArg } from './bench_args.ts';

const SCRIPT = 'gpu_bench';
const values = benchArgs(SCRIPT, 'population scoring (values, training metrics, fingerprints) in evaluations per second.', {
  backend: { value: 'NAME', default: 'auto', help: 'auto, cpu, wasm, webgpu, webgl or tensorflow' },
  panel: { value: 'real|large|both', default: 'both', help: 'which panels to time' },
  population: { value: 'P', default: '128', help: 'trees timed on a device backend' },
  'cpu-population': { value: 'P', default: String(SCORED_TREES), help: 'trees timed on cpu (the large panel takes seconds per tree there)' },
  bars: { value: 'T', default: '4800', help: "the large synthetic panel's bars" },
  stocks: { value: 'N', default: '5000', help: "the large synthetic panel's stocks" },
  data: { value: 'FILE', help: 'the real 30-minute panel (default ../shared/data/ashare_15min_sse/bars_30min.csv.gz)' },
  workers: { value: 'N|auto', default: '1', help: 'cpu only: score on a pool of worker threads, as a large alphaflow mine does' },
  json: { value: 'FILE', help: "append one JSON line per panel (for docs/benchmarks.md): the rates, the profile, and the first 16 trees' scores (bench/agree.ts holds backends against each other)" },
  profile: { flag: true, help: 'after timing, profile one chunk: kernels per tree, kernel time against wall time, peak memory, the costliest kernels' },
});
const choice = values.backend!;
if (!isBackendChoice(choice)) badArgs(SCRIPT, `--backend: unknown backend '${choice}'`);
if (!['real', 'large', 'both'].includes(values.panel!)) badArgs(SCRIPT, `--panel: expected real, large or both, got '${values.panel}'`);
const population = wholeArg(SCRIPT, 'population', values.population);
const cpuPopulation = wholeArg(SCRIPT, 'cpu-population', values['cpu-population']);
const [bars, stocks] = [wholeArg(SCRIPT, 'bars', values.bars, 2), wholeArg(SCRIPT, 'stocks', values.stocks, 2)];
const workers = values.workers === 'auto' ? await availableCores() : wholeArg(SCRIPT, 'workers', values.workers);
const info = await initBackend(choice);
console.log(info.note ?? `backend: ${info.name}`);
// Deno's WebGPU takes its wgpu backend from DENO_WEBGPU_BACKEND (bench/device/run.sh asks for Vulkan), else wgpu picks.
const wgpuBackend = process.env.DENO_WEBGPU_BACKEND || 'wgpu default';
const adapter = info.name === 'webgpu' ? `${await webGpuAdapterLabel()} (${wgpuBackend})` : undefined;
if (adapter) console.log(`adapter: ${adapter}`);
const P = info.name === 'cpu' ? cpuPopulation : population;
if (workers > 1 && info.name !== 'cpu') badArgs(SCRIPT, `--workers is for the cpu backend (workers run cpu kernels), not ${info.name}`);
const pool = workers > 1 ? await EvalPool.create(workers) : undefined;

/** How one panel's trees get scored: in process on the active backend, or on the worker pool. */
interface Runner {
  score(trees: readonly Node[]): Promise<ScoreResult[]>;
  dispose(): void;
}

function runner(panel: Panel, setup: ScoreSetup): Runner {
  if (pool) return { score: (trees) => pool.score(panel, setup, trees), dispose: () => {} };
  const scorer = new Scorer(panel, setup);
  return { score: (trees) => scorer.score(trees), dispose: () => scorer.dispose() };
}

async function bench(label: string, panel: Panel): Promise<void> {
  const cal = tradingDays(panel);
  const labels = computeLabels(panel, { horizon: 1 }).values;
  const prims = resolvePrimitives({ fields: [...panel.fields.keys()].filter((f) => ['open', 'high', 'low', 'close', 'volume', 'amount', 'vwap'].includes(f)) });
  const trees = rampedHalfAndHalf(mulberry32(1), prims, P);
  const D = cal.days.length;
  const setup: ScoreSetup = {
    labels, dayStart: cal.start, dayEnd: cal.end, first: 0, last: Math.round(D / 2) - 1,
    margin: prims.maxDepth * (Math.max(...prims.windows) + 1), groups: 5, minStocks: MIN_STOCKS,
    refDays: Int32Array.from({ length: 30 }, (_, i) => Math.floor((i * (Math.round(D / 2) - 1)) / 30)),
  };
  const run = runner(panel, setup);
  let t0 = performance.now();
  await run.score(trees.slice(0, Math.min(8, trees.length))); // first use: shader compilation, uploads of the fields
  const warm = (performance.now() - t0) / 1000;
  t0 = performance.now();
  const out = await run.score(trees);
  const secs = (performance.now() - t0) / 1000;
  const finite = out.filter((r) => Number.isFinite(r.summary.rank_ic)).length;
  const profile = values.profile && !pool ? await profileChunk(run, trees) : undefined;
  run.dispose();
  const mem = tf.memory() as { numBytes: number; numTensors: number };
  const where = pool ? `${workers} cpu workers` : tf.getBackend();
  const rate = trees.length / secs;
  console.log(`${label}: ${panel.T} bars x ${panel.N} stocks, ${trees.length} trees on ${where}: ${secs.toFixed(2)} s, ` +
    `${rate.toFixed(2)} evaluations/s (first ${Math.min(8, trees.length)} trees incl. compilation ${warm.toFixed(2)} s; ${finite} finite rank ICs; ` +
    `${mem.numTensors} tensors / ${(mem.numBytes / 2 ** 20).toFixed(0)} MiB left)`);
  if (profile) console.log(`${profile.text}\n${limitLine(profile.data, (secs * 1000) / trees.length)}`);
  if (values.json) {
    const row = {
      date: new Date().toISOString(), panel: label, adapter, bars: panel.T, stocks: panel.N, backend: tf.getBackend(), workers,
      trees: trees.length, seconds: secs, evaluationsPerSecond: rate, firstChunkSeconds: warm, finiteRankIcs: finite,
      // The first trees' scores, for bench/agree.ts to hold one backend's numbers against another's.
      scores: out.slice(0, SCORED_TREES).map((r, i) => scoreDigest(print(trees[i]), r.summary)),
      ...(profile ? { profile: { ...profile.data, msPerTree: (secs * 1000) / trees.length } } : {}),
    };
    appendFileSync(values.json, JSON.stringify(row) + '\n');
  }
}

/**
 * Profiles scoring the first chunk's worth of trees: tf.profile times every kernel on its own (on WebGPU with
 * timestamp queries where the adapter has them), so the sum is the device's busy time while the wall time also
 * holds dispatch, encoding and read-backs; the gap between them is overhead, not GPU work.
 */
async function profileChunk(run: Runner, trees: readonly Node[]) {
  const some = trees.slice(0, Math.min(16, trees.length));
  let wall = 0;
  const prof = await tf.profile(async () => {
    const t0 = performance.now();
    await run.score(some);
    wall = performance.now() - t0;
    return [];
  });
  const byName = new Map<string, { n: number; ms: number }>();
  let timed = 0, untimed = 0;
  for (const k of prof.kernels) {
    const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : NaN;
    if (Number.isFinite(ms)) timed += ms;
    else untimed++;
    const e = byName.get(k.name) ?? { n: 0, ms: 0 };
    e.n++;
    e.ms += Number.isFinite(ms) ? ms : 0;
    byName.set(k.name, e);
  }
  const top = [...byName].sort((a, b) => b[1].ms - a[1].ms || b[1].n - a[1].n).slice(0, 10);
  const data = {
    trees: some.length, wallMs: wall, kernels: prof.kernels.length, kernelMs: timed, untimedKernels: untimed,
    peakMiB: prof.peakBytes / 2 ** 20, top: top.map(([name, e]) => ({ name, count: e.n, ms: e.ms })),
  };
  const text = [
    `  profile of ${some.length} trees (each kernel timed on its own, so the wall time here is not the rate above):`,
    `  ${prof.kernels.length} kernels (${(prof.kernels.length / some.length).toFixed(1)} per tree), summed kernel time ` +
      `${timed.toFixed(0)} ms${untimed ? ` (${untimed} kernels without a time)` : ''}, wall ${wall.toFixed(0)} ms, peak ${data.peakMiB.toFixed(0)} MiB`,
    ...top.map(([name, e]) => `    ${name.padEnd(22)} x${String(e.n).padStart(5)}  ${e.ms.toFixed(1).padStart(9)} ms`),
  ].join('\n');
  return { data, text };
}

/**
 * What limited the timed run, from the profile: the device's kernel time per tree against the run's time per tree.
 * Kernels busy most of that time mean the GPU's work is the limit (the costliest kernels say which); far less
 * means the time went outside the kernels (dispatch and encoding, read-backs, the host's share of the scoring).
 */
function limitLine(p: { trees: number; kernelMs: number; untimedKernels: number; kernels: number }, msPerTree: number): string {
  if (p.untimedKernels === p.kernels) return '  limit: not known (no kernel times: this adapter has no timestamp queries)';
  const kernelPerTree = p.kernelMs / p.trees;
  const busy = kernelPerTree / msPerTree;
  const verdict = busy >= 0.7
    ? 'the kernels themselves (the costliest above)'
    : 'outside the kernels: dispatch and encoding, read-backs and the host\'s share of scoring';
  return `  limit: kernels ${kernelPerTree.toFixed(2)} ms per tree of ${msPerTree.toFixed(2)} ms per tree in the timed run ` +
    `(${(100 * busy).toFixed(0)} % busy${p.untimedKernels ? `, ${p.untimedKernels} kernels untimed` : ''}): ${verdict}`;
}

try {
  if (values.panel === 'real' || values.panel === 'both') {
    const path = values.data ?? fileURLToPath(new URL('../../shared/data/ashare_15min_sse/bars_30min.csv.gz', import.meta.url));
    if (existsSync(path)) await bench('real 30-minute panel', await loadData(path));
    else console.log(`real panel: data not found at ${path}; skipped (--data FILE points at it)`);
  }
  if (values.panel === 'large' || values.panel === 'both') {
    const t0 = performance.now();
    const market = generateMarket({ stocks, days: Math.ceil(bars / 8), barsPerDay: 8, seed: 1 });
    console.log(`synthetic market generated in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    await bench('large synthetic panel', market.panel);
  }
} finally {
  pool?.close();
  await releaseBackend();
}
