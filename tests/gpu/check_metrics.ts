/**
 * Checks the active tfjs backend's metric kernels (af_daily_metrics, af_factor_corr, af_take_rows) against the host kernels
 * called directly on the same arrays, on random populations built to hit the rules' edge cases: NaN and
 * infinite cells, ties (quantised factors, few-level factors that force qcut's tie fallback, -0 next to +0),
 * factors and labels constant on a day, days with fewer than minStocks valid stocks, a factor with no data, a
 * large offset (float32 cancellation), several q (including q = 10 with n = 91, where the float64 qcut position
 * falls just short of an integer), ranges inside, past and outside the data, and a cross-section wider than
 * one workgroup chunk. Runtime-agnostic like check_kernels.ts: it reports, the caller asserts.
 *
 * Tolerance. The used flag and the coverage count are exact, and so is every NaN pattern (unused days, empty
 * groups, first turnover). The device computes in float32, the host in float64; the discrete parts (ranks,
 * groups, turnover counts) are exact on both, so only accumulation error remains: correlations and turnover
 * within 2e-5 absolute (sums of up to ~1e3 terms in float32 lose a few 1e-7 each, correlations are bounded by 1);
 * means (market, group means) within 2e-5 of the day's largest |label| (a float32 mean carries about 1e-7 of the
 * terms' scale per halving step, and the scale is what the largest label measures). A wrong rule moves these
 * numbers by far more. af_take_rows copies, so it must match a naive copy bit for bit (NaN rows where the index
 * is outside the panel).
 */
import * as tf from '@tensorflow/tfjs-core';
import { dailyMetrics } from '../../kernels/cpu/daily_metrics.ts';
import { factorCorrelationKernel } from '../../kernels/cpu/factor_corr.ts';
import { COL, dailyWidth } from '../../src/fitness/daily_layout.ts';
import { DAILY_METRICS_KERNEL, FACTOR_CORR_KERNEL, type MetricPath, registerMetricKernels, runMetricKernel, TAKE_ROWS_KERNEL } from '../../src/fitness/metric_kernels.ts';
import { mulberry32, type Rng } from '../../src/util/rng.ts';
import type { CheckReport, PanelData } from './check_kernels.ts';

export interface Population {
  readonly label: string;
  readonly F: number;
  readonly D: number;
  readonly N: number;
  /** `[F, D, N]` row-major. */
  readonly factors: Float32Array;
  /** `[D, N]`. */
  readonly y: Float32Array;
}

function gauss(rng: Rng): number {
  return Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
}

/** One factor's `[D, N]` panel of the given kind, correlated with the label so ICs are not all near zero. */
function factorPanel(rng: Rng, kind: number, D: number, N: number, y: Float32Array, holes: boolean): Float32Array {
  const x = new Float32Array(D * N);
  for (let k = 0; k < D; k++) {
    for (let j = 0; j < N; j++) {
      const i = k * N + j;
      const base = (Number.isFinite(y[i]) ? y[i] : 0) * 3 + gauss(rng);
      let v: number;
      switch (kind % 7) {
        case 0: v = base * 10; break; // continuous
        case 1: v = Math.round(base * 2) / 4; break; // ties
        case 2: v = Math.min(2, Math.max(0, Math.round(base))); break; // three levels: qcut's tie fallback
        case 3: v = rng() < 0.7 ? NaN : base; break; // sparse: days below minStocks
        case 4: v = k % 3 === 1 ? 7.5 : base; break; // constant days
        case 5: v = 1000 + base * 1e-3; break; // large offset
        default: v = [-0, 0, 1, 2][Math.floor(rng() * 4)]; // -0 beside +0
      }
      if (holes && rng() < 0.05) v = NaN;
      if (holes && rng() < 0.01) v = rng() < 0.5 ? Infinity : -Infinity;
      x[i] = v;
    }
  }
  return x;
}

/** `holes`: NaN and infinite cells and the thin label day; without, every day of a dense factor has all N stocks. */
export function population(rng: Rng, label: string, F: number, D: number, N: number, kinds: number[], holes = true): Population {
  const y = new Float32Array(D * N);
  for (let k = 0; k < D; k++) {
    for (let j = 0; j < N; j++) {
      let v = gauss(rng) * 0.02;
      if (k % 5 === 3) v = Math.round(v * 100) / 100; // label ties
      if (k % 7 === 5) v = 0.01; // constant label
      if (holes && rng() < 0.04) v = NaN;
      y[k * N + j] = v;
    }
  }
  if (holes && D > 2) for (let j = 0; j < N; j++) y[2 * N + j] = j % 3 === 0 ? y[2 * N + j] : NaN; // thin label day
  const factors = new Float32Array(F * D * N);
  for (let f = 0; f < F; f++) factors.set(factorPanel(rng, kinds[f % kinds.length], D, N, y, holes), f * D * N);
  if (F > 2) factors.fill(NaN, 2 * D * N, 3 * D * N); // a factor with no data
  return { label, F, D, N, factors, y };
}

/**
 * A population from real bars (a check_kernels.ts panel whose operands are close and volume): each bar a "day",
 * the factors close, volume, the bar's return and close x volume, the label the next bar's return. Real data
 * brings what random data does not: suspended stocks, limit-locked ties, flat stretches, prices and volumes six
 * orders of magnitude apart.
 */
export function populationFromBars(bars: PanelData): Population {
  const { T, N } = bars;
  const [close, volume] = bars.xs as [Float32Array, Float32Array];
  const D = T - 2;
  const y = new Float32Array(D * N);
  const makers: Array<(t: number, j: number) => number> = [
    (t, j) => close[t * N + j]!,
    (t, j) => volume[t * N + j]!,
    (t, j) => close[t * N + j]! / close[(t - 1) * N + j]! - 1,
    (t, j) => close[t * N + j]! * volume[t * N + j]!,
  ];
  const F = makers.length;
  const factors = new Float32Array(F * D * N);
  for (let d = 0; d < D; d++) {
    const t = d + 1;
    for (let j = 0; j < N; j++) {
      y[d * N + j] = close[(t + 1) * N + j]! / close[t * N + j]! - 1;
      makers.forEach((m, f) => (factors[(f * D + d) * N + j] = m(t, j)));
    }
  }
  return { label: `${bars.label} as a population`, F, D, N, factors, y };
}

function views(p: Population): Float32Array[] {
  return Array.from({ length: p.F }, (_, f) => p.factors.subarray(f * p.D * p.N, (f + 1) * p.D * p.N));
}

function dayScale(p: Population, day: number): number {
  let s = 0;
  for (let j = 0; j < p.N; j++) {
    const v = p.y[day * p.N + j];
    if (Number.isFinite(v)) s = Math.max(s, Math.abs(v));
  }
  return s;
}

/** First mismatches of a factor-day rows tensor against the float64 host rows, or undefined. */
function compareRows(p: Population, got: Float32Array, want: Float64Array, q: number, first: number, nDays: number): string | undefined {
  const W = dailyWidth(q);
  const bad: string[] = [];
  let count = 0;
  for (let f = 0; f < p.F; f++) {
    for (let d = 0; d < nDays; d++) {
      const scale = dayScale(p, first + d);
      for (let c = 0; c < W; c++) {
        const i = (f * nDays + d) * W + c;
        const w = want[i], g = got[i];
        let ok: boolean;
        if (c === COL.used || c === COL.covered) ok = g === w;
        else if (Number.isNaN(w) || Number.isNaN(g)) ok = Number.isNaN(w) && Number.isNaN(g);
        else if (c === COL.market || c >= COL.groups) ok = Math.abs(g - w) <= 2e-5 * scale;
        else ok = Math.abs(g - w) <= 2e-5;
        if (!ok) {
          count++;
          if (bad.length < 3) bad.push(`f=${f} day=${first + d} col=${c}: want ${w}, got ${g}`);
        }
      }
    }
  }
  return count ? `${count} cells differ: ${bad.join('; ')}` : undefined;
}

/**
 * `af_daily_metrics` on one population through the active backend (`path` as in runMetricKernel) against the
 * host kernel: a description of the first mismatches, or undefined when every cell agrees.
 */
export async function compareDailyMetrics(p: Population, q: number, minStocks: number, path: MetricPath = 'auto'): Promise<string | undefined> {
  const run = (factors: tf.Tensor3D, label: tf.Tensor2D) => runMetricKernel(DAILY_METRICS_KERNEL, { factors, label }, { groups: q, minStocks }, path);
  return (await compareDailyMetricsBy(p, q, minStocks, run)).diff;
}

/**
 * compareDailyMetrics for any way of computing the rows (`run` returns a tensor, disposed here): the mismatches'
 * description and the rows computed.
 */
export async function compareDailyMetricsBy(
  p: Population,
  q: number,
  minStocks: number,
  run: (factors: tf.Tensor3D, label: tf.Tensor2D) => tf.Tensor,
): Promise<{ diff: string | undefined; got: Float32Array }> {
  const want = new Float64Array(p.F * p.D * dailyWidth(q));
  dailyMetrics({ factors: views(p), label: p.y, N: p.N, q, minStocks, first: 0, last: p.D - 1, out: want });
  const factors = tf.tensor3d(p.factors, [p.F, p.D, p.N], 'float32');
  const label = tf.tensor2d(p.y, [p.D, p.N], 'float32');
  try {
    const out = run(factors, label);
    const got = (await out.data()) as Float32Array;
    out.dispose();
    return { diff: compareRows(p, got, want, q, 0, p.D), got };
  } finally {
    tf.dispose([factors, label]);
  }
}

/** A `[F, F]` correlation matrix against the host kernel's over days first..last: the first mismatches, or undefined. */
export function compareFactorCorr(p: Population, got: Float32Array, minStocks: number, first: number, last: number): string | undefined {
  const want = new Float64Array(p.F * p.F);
  factorCorrelationKernel({ factors: views(p), N: p.N, minStocks, first, last, out: want });
  if (got.length !== want.length) return `${got.length} cells, not ${want.length}`;
  let bad = 0, firstBad = '';
  for (let i = 0; i < want.length; i++) {
    const w = want[i], g = got[i];
    const ok = Number.isNaN(w) ? Number.isNaN(g) : Math.abs(g - w) <= 2e-5;
    if (!ok && bad++ === 0) firstBad = `cell ${Math.floor(i / p.F)},${i % p.F}: want ${w}, got ${g}`;
  }
  return bad ? `${bad} of ${want.length} cells differ, first ${firstBad}` : undefined;
}

interface DailyCase {
  readonly q: number;
  readonly minStocks: number;
  /** Attributes as passed (may be out of range); undefined leaves the default. */
  readonly first?: number;
  readonly last?: number;
}

/**
 * Runs the metric kernels through the active backend (its registered kernels, or with `path` = `composite` the
 * composites of standard ops) on seeded random populations, and `extra` ones (real bars), and compares every
 * cell with the host kernels. Reads back with `await data()`, so it also works where sync reads are banned.
 */
export async function checkMetricKernels(seed: number, path: MetricPath = 'auto', extra: readonly Population[] = []): Promise<CheckReport> {
  registerMetricKernels();
  const rng = mulberry32(seed);
  const failures: string[] = [];
  let runs = 0, cells = 0;
  const pops: Array<[Population, DailyCase[]]> = [
    [population(rng, 'mixed 7x12x37', 7, 12, 37, [0, 1, 2, 3, 4, 5, 6]), [
      { q: 5, minStocks: 5 }, { q: 1, minStocks: 2 }, { q: 3, minStocks: 10, first: 3, last: 9 },
      { q: 7, minStocks: 30, first: -4, last: 40 }, { q: 5, minStocks: 5, first: 8, last: 4 },
    ]],
    [population(rng, 'dense 3x6x91', 3, 6, 91, [5, 1, 0], false), [{ q: 10, minStocks: 10 }, { q: 4, minStocks: 3, first: 5, last: 5 }]],
    [population(rng, 'wide 4x3x1100', 4, 3, 1100, [0, 2, 1, 6]), [{ q: 5, minStocks: 10 }]],
    ...extra.map((p): [Population, DailyCase[]] => [p, [{ q: 5, minStocks: 20 }, { q: 10, minStocks: 20 }]]),
  ];
  for (const [p, dailyCases] of pops) {
    const factors = tf.tensor3d(p.factors, [p.F, p.D, p.N], 'float32');
    const label = tf.tensor2d(p.y, [p.D, p.N], 'float32');
    try {
      for (const c of dailyCases) {
        const first = Math.max(0, c.first ?? 0);
        const last = Math.min(p.D - 1, c.last ?? p.D - 1);
        const nDays = Math.max(0, last - first + 1);
        const want = new Float64Array(p.F * nDays * dailyWidth(c.q));
        dailyMetrics({ factors: views(p), label: p.y, N: p.N, q: c.q, minStocks: c.minStocks, first, last, out: want });
        const attrs: tf.NamedAttrMap = { groups: c.q, minStocks: c.minStocks };
        if (c.first !== undefined) attrs.first = c.first;
        if (c.last !== undefined) attrs.last = c.last;
        const what = `${DAILY_METRICS_KERNEL}(q=${c.q}, minStocks=${c.minStocks}, days ${c.first ?? 'default'}..${c.last ?? 'default'}) on ${p.label}`;
        try {
          const out = runMetricKernel(DAILY_METRICS_KERNEL, { factors, label }, attrs, path);
          const shape = out.shape.join(',');
          const got = (await out.data()) as Float32Array;
          out.dispose();
          runs++;
          cells += want.length;
          if (shape !== [p.F, nDays, dailyWidth(c.q)].join(',')) failures.push(`${what}: shape [${shape}]`);
          else {
            const diff = compareRows(p, got, want, c.q, first, nDays);
            if (diff) failures.push(`${what}: ${diff}`);
          }
        } catch (e) {
          failures.push(`${what}: threw ${(e as Error).message}`);
        }
      }
      for (const [minStocks, first, last] of [[5, 0, p.D - 1], [12, 2, 4], [5, 3, 1]]) {
        const nDays = Math.max(0, last - first + 1);
        const what = `${FACTOR_CORR_KERNEL}(minStocks=${minStocks}, days ${first}..${last}, ${nDays} days) on ${p.label}`;
        try {
          const out = runMetricKernel(FACTOR_CORR_KERNEL, { factors }, { minStocks, first, last }, path);
          const got = (await out.data()) as Float32Array;
          out.dispose();
          runs++;
          cells += got.length;
          const diff = compareFactorCorr(p, got, minStocks, first, last);
          if (diff) failures.push(`${what}: ${diff}`);
        } catch (e) {
          failures.push(`${what}: threw ${(e as Error).message}`);
        }
      }
    } finally {
      factors.dispose();
      label.dispose();
    }
  }
  const take = await checkTakeRows(seed, path);
  runs += take.runs;
  cells += take.cells;
  failures.push(...take.failures);
  // A single factor: the correlation matrix is [[1]] and needs no pair program.
  const one = tf.tensor3d(new Float32Array(2 * 12).map((_, i) => i % 5), [1, 2, 12]);
  try {
    const out = runMetricKernel(FACTOR_CORR_KERNEL, { factors: one }, { minStocks: 2 }, path);
    const got = await out.data();
    out.dispose();
    runs++;
    cells++;
    if (got.length !== 1 || got[0] !== 1) failures.push(`${FACTOR_CORR_KERNEL} on one factor: got [${Array.from(got)}]`);
  } catch (e) {
    failures.push(`${FACTOR_CORR_KERNEL} on one factor: threw ${(e as Error).message}`);
  } finally {
    one.dispose();
  }
  return { backend: tf.getBackend(), runs, cells, failures };
}

/**
 * `af_take_rows` on the active backend against a naive copy: panels with NaN cells, -0 and huge values, row
 * lists in and out of order, repeated, empty, and with indices before and past the panel (NaN rows).
 */
export async function checkTakeRows(seed: number, path: MetricPath = 'auto'): Promise<CheckReport> {
  registerMetricKernels();
  const rng = mulberry32(seed);
  const failures: string[] = [];
  let runs = 0, cells = 0;
  for (const [T, N] of [[40, 37], [9, 1100], [1, 3]] as const) {
    const x = new Float32Array(T * N).map(() => {
      const u = rng();
      return u < 0.08 ? NaN : u < 0.1 ? -0 : u < 0.12 ? 3e38 : gauss(rng);
    });
    const lists = [
      Int32Array.from({ length: T }, (_, t) => T - 1 - t),
      Int32Array.from([0, T - 1, 0, -1, T, T + 5, Math.floor(T / 2)]),
      new Int32Array(0),
    ];
    const xt = tf.tensor2d(x, [T, N], 'float32');
    for (const rows of lists) {
      const what = `${TAKE_ROWS_KERNEL}(${rows.length} rows) on ${T}x${N}`;
      const rt = tf.tensor1d(rows, 'int32');
      try {
        const out = runMetricKernel(TAKE_ROWS_KERNEL, { x: xt, rows: rt }, {}, path);
        const shape = out.shape.join(',');
        const got = (await out.data()) as Float32Array;
        out.dispose();
        runs++;
        cells += rows.length * N;
        if (shape !== `${rows.length},${N}`) {
          failures.push(`${what}: shape [${shape}]`);
          continue;
        }
        let bad = 0, firstBad = '';
        for (let r = 0; r < rows.length; r++) {
          for (let j = 0; j < N; j++) {
            const t = rows[r]!;
            const want = t >= 0 && t < T ? x[t * N + j]! : NaN;
            const g = got[r * N + j]!;
            const ok = Number.isNaN(want) ? Number.isNaN(g) : Object.is(g, want);
            if (!ok && bad++ === 0) firstBad = `row ${r} (bar ${t}) stock ${j}: want ${want}, got ${g}`;
          }
        }
        if (bad) failures.push(`${what}: ${bad} cells differ, first ${firstBad}`);
      } catch (e) {
        failures.push(`${what}: threw ${(e as Error).message}`);
      } finally {
        rt.dispose();
      }
    }
    xt.dispose();
  }
  return { backend: tf.getBackend(), runs, cells, failures };
}
