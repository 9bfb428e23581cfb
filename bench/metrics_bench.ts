/**
 * Metrics bench: times populationMetrics and factorCorrelation for 97 factors over 300 days × 300 stocks of
 * random data shaped like real factors (correlated with the label and each other; suspended stock-days missing
 * everywhere, warm-up days, a few factors with their own scattered NaNs; some tied values),
 * from factor values already computed, so the timing is the metrics alone. Prints medians of several runs after a
 * warm-up. `BENCH_RUNS` sets the number of runs.
 */
import { mulberry32 } from '../src/util/rng.ts';
import { factorCorrelation, populationMetrics } from '../src/fitness/metrics.ts';

const D = 300;
const N = 300;
const F = 97;
const runs = Number(process.env.BENCH_RUNS ?? 5);
const rng = mulberry32(97);
const gauss = () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());

const common = new Float64Array(D * N).map(gauss);
// Suspended stock-days: missing for the label and every factor alike, as in real panels.
const suspended = new Uint8Array(D * N).map(() => (rng() < 0.03 ? 1 : 0));
const label = new Float32Array(D * N);
for (let i = 0; i < D * N; i++) label[i] = suspended[i] || rng() < 0.01 ? NaN : 0.02 * (0.1 * common[i] + gauss());
const factors: Float32Array[] = [];
for (let f = 0; f < F; f++) {
  const a = f % 7 === 0 ? 0 : 0.5;
  const x = new Float32Array(D * N);
  for (let i = 0; i < D * N; i++) {
    const v = a * common[i] + gauss();
    // Warm-up days, scattered own NaNs in every tenth factor (log of a negative...), every ninth factor coarse (ties).
    x[i] = suspended[i] || i < N * (f % 5) || (f % 10 === 3 && rng() < 0.01) ? NaN : f % 9 === 0 ? Math.round(v * 2) : v;
  }
  factors.push(x);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
function time(name: string, fn: () => void): void {
  fn();
  const ts: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    fn();
    ts.push(performance.now() - t0);
  }
  console.log(`${name}: median ${(median(ts) / 1000).toFixed(3)} s over ${runs} runs (min ${(Math.min(...ts) / 1000).toFixed(3)} s)`);
}

console.log(`${F} factors, ${D} days x ${N} stocks`);
time(`populationMetrics(${F})`, () => void populationMetrics(factors, label, D, N));
time(`factorCorrelation(${F})`, () => void factorCorrelation(factors, D, N));
