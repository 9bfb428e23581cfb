/**
 * Miner throughput: factor evaluations per second (values plus training-segment metrics) for a population of
 * 1,000 random GP trees (ramped half-and-half over the whole operator table, windows 1..15, seed 1) on the full
 * real 30-minute panel, scored exactly as `alphaflow mine` scores a generation (src/eval/scorer.ts: one DAG per
 * chunk, the training half of the days plus a lookback margin, the registered metrics kernel), on this thread
 * and on one worker thread per core, fingerprints for the novelty term included. Target: >= 100 per second on
 * the 2-core CPU default. Skips with a message when ../shared data is absent.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadBars } from '../src/data/csv.ts';
import { tradingDays } from '../src/data/calendar.ts';
import { computeLabels } from '../src/data/labels.ts';
import { MIN_STOCKS } from '../src/fitness/metrics.ts';
import { initBackend } from '../src/eval/backend.ts';
import { Scorer, type ScoreSetup } from '../src/eval/scorer.ts';
import { EvalPool, availableCores } from '../src/eval/pool.ts';
import { resolvePrimitives } from '../src/gp/primitives.ts';
import { rampedHalfAndHalf } from '../src/gp/generate.ts';
import { mulberry32 } from '../src/util/rng.ts';

const dataPath = fileURLToPath(new URL('../../shared/data/ashare_15min_sse/bars_30min.csv.gz', import.meta.url));
if (!existsSync(dataPath)) {
  console.log(`bench: shared data not found (${dataPath}); skipping`);
  process.exit(0);
}
const P = Number(process.env.BENCH_POPULATION ?? 1000);

await initBackend('cpu');
const panel = await loadBars(dataPath);
const cal = tradingDays(panel);
const labels = computeLabels(panel, { horizon: 1 }).values;
const prims = resolvePrimitives({ fields: ['open', 'high', 'low', 'close', 'volume', 'amount', 'vwap'] });
const trees = rampedHalfAndHalf(mulberry32(1), prims, P);
const D = cal.days.length;
const setup: ScoreSetup = {
  labels, dayStart: cal.start, dayEnd: cal.end, first: 0, last: Math.round(D / 2) - 1,
  margin: prims.maxDepth * (Math.max(...prims.windows) + 1), groups: 5, minStocks: MIN_STOCKS,
  refDays: Int32Array.from({ length: 30 }, (_, i) => i * 5),
};
console.log(`${panel.T} bars x ${panel.N} stocks; ${trees.length} random trees; training days 0..${setup.last} of ${D}`);

const scorer = new Scorer(panel, setup);
await scorer.score(trees.slice(0, 50)); // warm-up
let t0 = performance.now();
const local = await scorer.score(trees);
const s1 = (performance.now() - t0) / 1000;
console.log(`one thread: ${s1.toFixed(2)} s, ${(trees.length / s1).toFixed(1)} evaluations/s`);
scorer.dispose();

const cores = await availableCores();
const pool = await EvalPool.create(cores);
await pool.score(panel, setup, trees.slice(0, 50));
t0 = performance.now();
const parallel = await pool.score(panel, setup, trees);
const s2 = (performance.now() - t0) / 1000;
pool.close();
const same = parallel.every((s, i) => Object.is(s.summary.rank_ic, local[i]!.summary.rank_ic) && s.fingerprint.every((x, k) => Object.is(x, local[i]!.fingerprint[k])));
console.log(`${cores} worker threads: ${s2.toFixed(2)} s, ${(trees.length / s2).toFixed(1)} evaluations/s (target >= 100); same rank ICs and fingerprints as one thread: ${same}`);
