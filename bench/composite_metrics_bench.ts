/**
 * The metric kernels of one backend against their composites of standard tfjs ops (kernels/composite/): time of
 * `af_daily_metrics` for one population, through the backend's registered kernel and through the composite,
 * from tensors already on the backend to the rows read back. The composite is what tfjs-node's `tensorflow`
 * backend (the CUDA path) runs; on `wasm` the registered kernel is the host one on wasm's memory, which is why
 * wasm does not run the composite. Populations are check_metrics.ts's random ones (ties, NaNs, large offsets).
 *
 *   npx tsx bench/composite_metrics_bench.ts --backend wasm --factors 8 --days 100 --stocks 1000
 *
 * Prints the median of `--runs` runs (default 3) after a warm-up run of each.
 */
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, isBackendChoice, releaseBackend } from '../src/eval/backend.ts';
import { DAILY_METRICS_KERNEL, runMetricKernel, type MetricPath } from '../src/fitness/metric_kernels.ts';
import { population } from '../tests/gpu/check_metrics.ts';
import { mulberry32 } from '../src/util/rng.ts';
import { badArgs, benchArgs, wholeArg } from './bench_args.ts';
import { timeRuns } from './timing.ts';

const SCRIPT = 'composite_metrics_bench';
const values = benchArgs(SCRIPT, "af_daily_metrics through a backend's registered kernel and through its composite.", {
  backend: { value: 'NAME', default: 'wasm', help: 'cpu, wasm, webgpu, webgl or tensorflow' },
  factors: { value: 'F', default: '8', help: 'factors in the population' },
  days: { value: 'D', default: '100', help: 'days' },
  stocks: { value: 'N', default: '1000', help: 'stocks' },
  groups: { value: 'Q', default: '10', help: 'qcut groups' },
  runs: { value: 'R', default: '3', help: 'timed runs after the warm-up, median printed' },
});
const [F, D, N, q, runs] = (['factors', 'days', 'stocks', 'groups', 'runs'] as const).map((name) => wholeArg(SCRIPT, name, values[name]));
if (!isBackendChoice(values.backend!)) badArgs(SCRIPT, `--backend: unknown backend '${values.backend}'`);
const info = await initBackend(values.backend!);
console.log(`${info.note ?? `backend: ${info.name}`}; ${F} factors x ${D} days x ${N} stocks, ${q} groups`);

const p = population(mulberry32(3), 'bench', F, D, N, [0, 1, 0, 5, 2], false);
const factors = tf.tensor3d(p.factors, [F, D, N]);
const label = tf.tensor2d(p.y, [D, N]);
const attrs = { groups: q, minStocks: 10, first: 0, last: D - 1 };

async function once(path: MetricPath): Promise<void> {
  const out = runMetricKernel(DAILY_METRICS_KERNEL, { factors, label }, attrs, path);
  await out.data();
  out.dispose();
}

try {
  for (const path of ['auto', 'composite'] as const) {
    const { medianMs, minMs } = await timeRuns(runs!, () => once(path));
    const what = path === 'auto' ? (tf.getKernel(DAILY_METRICS_KERNEL, tf.getBackend()) ? 'registered kernel' : 'composite (no kernel)') : 'composite';
    console.log(`${DAILY_METRICS_KERNEL}, ${what}: median ${medianMs.toFixed(0)} ms over ${runs} runs (min ${minMs.toFixed(0)} ms)`);
  }
} finally {
  tf.dispose([factors, label]);
  await releaseBackend();
}
