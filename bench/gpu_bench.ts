/**
 * Population evaluation on a device backend against the CPU default: factor evaluations per second (values
 * plus training-segment metrics and fingerprints, scored exactly as `alphaflow mine` scores a generation through
 * src/eval/scorer.ts) for seeded random GP trees, on the full real 30-minute panel and on a large synthetic panel
 * (default 4,800 bars x 5,000 stocks, the target size). Run it once per backend and compare:
 *
 *   npx deno run -A bench/gpu_bench.ts --backend webgpu      # Deno's WebGPU (Vulkan on an NVIDIA GPU)
 *   npx tsx bench/gpu_bench.ts --backend cpu                 # the CPU default, one thread
 *
 * Options: --backend NAME (default auto), --panel real|large|both (default both), --population P (default 128),
 * --cpu-population P (trees timed on cpu, default 16: the large panel takes seconds per tree there),
 * --bars T --stocks N (large panel size). The trees are the same for every backend (seed 1), so rates compare.
 * Also prints the time spent in the first chunk (shader compilation) separately from steady state.
 */
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { loadData } from '../src/data/load.ts';
import { generateMarket } from '../src/data/synth.ts';
import type { Panel } from '../src/data/panel.ts';
import { tradingDays } from '../src/data/calendar.ts';
import { computeLabels } from '../src/data/labels.ts';
import { MIN_STOCKS } from '../src/fitness/metrics.ts';
import { initBackend, isBackendChoice } from '../src/eval/backend.ts';
import { Scorer, type ScoreSetup } from '../src/eval/scorer.ts';
import { resolvePrimitives } from '../src/gp/primitives.ts';
import { rampedHalfAndHalf } from '../src/gp/generate.ts';
import { mulberry32 } from '../src/util/rng.ts';

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    backend: { type: 'string', default: 'auto' },
    panel: { type: 'string', default: 'both' },
    population: { type: 'string', default: '128' },
    'cpu-population': { type: 'string', default: '16' },
    bars: { type: 'string', default: '4800' },
    stocks: { type: 'string', default: '5000' },
  },
});
const choice = values.backend!;
if (!isBackendChoice(choice)) throw new Error(`--backend: unknown backend '${choice}'`);
const info = await initBackend(choice);
console.log(info.note ?? `backend: ${info.name}`);
const P = Number(info.name === 'cpu' ? values['cpu-population'] : values.population);

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
  const scorer = new Scorer(panel, setup);
  let t0 = performance.now();
  await scorer.score(trees.slice(0, 8)); // first use: shader compilation, uploads of the fields
  const warm = (performance.now() - t0) / 1000;
  t0 = performance.now();
  const out = await scorer.score(trees);
  const secs = (performance.now() - t0) / 1000;
  const finite = out.filter((r) => Number.isFinite(r.summary.rank_ic)).length;
  scorer.dispose();
  const mem = tf.memory() as { numBytes: number; numTensors: number };
  console.log(`${label}: ${panel.T} bars x ${panel.N} stocks, ${trees.length} trees on ${tf.getBackend()}: ${secs.toFixed(2)} s, ` +
    `${(trees.length / secs).toFixed(2)} evaluations/s (first 8 trees incl. compilation ${warm.toFixed(2)} s; ${finite} finite rank ICs; ` +
    `${mem.numTensors} tensors / ${(mem.numBytes / 2 ** 20).toFixed(0)} MiB left)`);
}

if (values.panel === 'real' || values.panel === 'both') {
  const path = fileURLToPath(new URL('../../shared/data/ashare_15min_sse/bars_30min.csv.gz', import.meta.url));
  if (existsSync(path)) await bench('real 30-minute panel', await loadData(path));
  else console.log(`real panel: data not found at ${path}; skipped`);
}
if (values.panel === 'large' || values.panel === 'both') {
  const bars = Number(values.bars), stocks = Number(values.stocks);
  const t0 = performance.now();
  const market = generateMarket({ stocks, days: Math.ceil(bars / 8), barsPerDay: 8, seed: 1 });
  console.log(`synthetic market generated in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  await bench('large synthetic panel', market.panel);
}
