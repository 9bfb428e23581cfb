/**
 * Backend comparison for the CPU default: times representative operators (ts_Mean, stddev, correlation, delta,
 * protected div, cross-sectional rank) on a seeded random 2400 x 300 float32 panel with a few % NaNs, four ways:
 * (a) the tfjs-op composites of `composite_ops.ts` on the tfjs `cpu` backend, (b) the same composites on the
 * `wasm` backend, (c) plain typed-array kernels registered as custom kernels of the `cpu` backend, and (d) the same
 * typed-array kernels registered on the `wasm` backend, reading and writing the wasm heap in place. Also times
 * the primitive ops the composites are made of (slice, pad, broadcast add, ...) on cpu and wasm. Before timing,
 * every variant is checked against a naive float64 loop on small panels with NaNs, ties and constant runs.
 * Self-contained (imports nothing from src/ or kernels/). Run: `npx tsx bench/backend_compare.ts`, or
 * `npx deno run -A bench/backend_compare.ts`. Env: BENCH_T, BENCH_N, BENCH_WINDOW, BENCH_RUNS,
 * BENCH_PAIRWISE_ROWS (rows the all-pairs rank is timed on, scaled to T), BENCH_NO_SIMD=1 (load the scalar
 * tfjs-backend-wasm.wasm instead of the SIMD build).
 */
import * as os from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import * as composite from './composite_ops.ts';
import { mulberry32 } from '../src/util/rng.ts';

// ---------------------------------------------------------------------------------------------------------------
// Seeded random panels


function normal(rand: () => number): number {
  const u = 1 - rand(), v = rand();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

interface Panels { T: number; N: number; x: Float32Array; y: Float32Array }

/**
 * Price-like x (random walk rounded to 0.01, so rows have ties; some constant runs) and volume-like y (rounded
 * lognormal), each with about `nanRate` isolated NaNs plus a few missing blocks (suspended stocks).
 */
function makePanels(T: number, N: number, seed: number, nanRate: number): Panels {
  const rand = mulberry32(seed);
  const x = new Float32Array(T * N), y = new Float32Array(T * N);
  for (let j = 0; j < N; j++) {
    let p = 5 + 20 * rand();
    let flatLeft = 0;
    for (let t = 0; t < T; t++) {
      if (flatLeft > 0) flatLeft--;
      else if (rand() < 0.01) flatLeft = 5 + Math.floor(15 * rand());
      else p = Math.max(0.5, p * (1 + 0.01 * normal(rand)));
      const i = t * N + j;
      x[i] = Math.round(p * 100) / 100;
      y[i] = flatLeft > 0 ? 1000 : Math.round(Math.exp(10 + normal(rand)));
    }
  }
  for (let i = 0; i < T * N; i++) {
    if (rand() < nanRate) x[i] = NaN;
    if (rand() < nanRate) y[i] = NaN;
  }
  const blocks = Math.max(1, Math.floor(N / 20));
  for (let b = 0; b < blocks; b++) {
    const j = Math.floor(rand() * N), t0 = Math.floor(rand() * T), len = 1 + Math.floor(rand() * Math.min(50, T));
    for (let t = t0; t < Math.min(T, t0 + len); t++) { x[t * N + j] = NaN; y[t * N + j] = NaN; }
  }
  return { T, N, x, y };
}

// ---------------------------------------------------------------------------------------------------------------
// Plain typed-array kernels: t outer, j inner; rolling sums in float64 with per-stock state, O(1) per cell.
// Window state counts the NaNs inside the window and the run of values equal to their predecessor, so a window
// with a NaN is NaN and a constant window is exact (mean = the value, std = 0, correlation = NaN). Rolling sums
// are of x - ref (ref: the stock's first value) to limit cancellation. Infinite inputs are not handled.

type HostFn = (xs: Float32Array[], T: number, N: number, n: number, out: Float32Array) => void;

const tsMeanK: HostFn = ([x], T, N, n, out) => {
  const sum = new Float64Array(N), bad = new Int32Array(N), run = new Int32Array(N), prev = new Float64Array(N);
  prev.fill(NaN);
  for (let t = 0; t < T; t++) {
    const row = t * N, old = (t - n) * N, full = t >= n - 1;
    for (let j = 0; j < N; j++) {
      const v = x[row + j];
      if (v === v) sum[j] += v; else bad[j]++;
      if (t >= n) { const u = x[old + j]; if (u === u) sum[j] -= u; else bad[j]--; }
      run[j] = v === prev[j] ? run[j] + 1 : 0;
      prev[j] = v;
      out[row + j] = !full || bad[j] > 0 ? NaN : run[j] >= n - 1 ? v : sum[j] / n;
    }
  }
};

const stddevK: HostFn = ([x], T, N, n, out) => {
  const s1 = new Float64Array(N), s2 = new Float64Array(N), ref = new Float64Array(N);
  const bad = new Int32Array(N), run = new Int32Array(N), prev = new Float64Array(N);
  ref.fill(NaN);
  prev.fill(NaN);
  for (let t = 0; t < T; t++) {
    const row = t * N, old = (t - n) * N, full = t >= n - 1;
    for (let j = 0; j < N; j++) {
      const v = x[row + j];
      if (v === v) {
        if (ref[j] !== ref[j]) ref[j] = v;
        const d = v - ref[j];
        s1[j] += d; s2[j] += d * d;
      } else bad[j]++;
      if (t >= n) {
        const u = x[old + j];
        if (u === u) { const d = u - ref[j]; s1[j] -= d; s2[j] -= d * d; } else bad[j]--;
      }
      run[j] = v === prev[j] ? run[j] + 1 : 0;
      prev[j] = v;
      if (!full || bad[j] > 0) out[row + j] = NaN;
      else if (run[j] >= n - 1) out[row + j] = 0;
      else {
        const ss = s2[j] - (s1[j] * s1[j]) / n;
        out[row + j] = ss > 0 ? Math.sqrt(ss / (n - 1)) : 0;
      }
    }
  }
};

const correlationK: HostFn = ([x, y], T, N, n, out) => {
  const sx = new Float64Array(N), sy = new Float64Array(N), sxx = new Float64Array(N), syy = new Float64Array(N);
  const sxy = new Float64Array(N), rx = new Float64Array(N), ry = new Float64Array(N);
  const bad = new Int32Array(N), runX = new Int32Array(N), runY = new Int32Array(N);
  const px = new Float64Array(N), py = new Float64Array(N);
  rx.fill(NaN); ry.fill(NaN); px.fill(NaN); py.fill(NaN);
  for (let t = 0; t < T; t++) {
    const row = t * N, old = (t - n) * N, full = t >= n - 1;
    for (let j = 0; j < N; j++) {
      const a = x[row + j], b = y[row + j];
      if (a === a && b === b) {
        if (rx[j] !== rx[j]) { rx[j] = a; ry[j] = b; }
        const da = a - rx[j], db = b - ry[j];
        sx[j] += da; sy[j] += db; sxx[j] += da * da; syy[j] += db * db; sxy[j] += da * db;
      } else bad[j]++;
      if (t >= n) {
        const ua = x[old + j], ub = y[old + j];
        if (ua === ua && ub === ub) {
          const da = ua - rx[j], db = ub - ry[j];
          sx[j] -= da; sy[j] -= db; sxx[j] -= da * da; syy[j] -= db * db; sxy[j] -= da * db;
        } else bad[j]--;
      }
      runX[j] = a === px[j] ? runX[j] + 1 : 0;
      runY[j] = b === py[j] ? runY[j] + 1 : 0;
      px[j] = a; py[j] = b;
      if (!full || bad[j] > 0 || runX[j] >= n - 1 || runY[j] >= n - 1) { out[row + j] = NaN; continue; }
      const vx = sxx[j] - (sx[j] * sx[j]) / n, vy = syy[j] - (sy[j] * sy[j]) / n;
      if (!(vx > 0 && vy > 0)) { out[row + j] = NaN; continue; }
      const r = (sxy[j] - (sx[j] * sy[j]) / n) / Math.sqrt(vx * vy);
      out[row + j] = r > 1 ? 1 : r < -1 ? -1 : r;
    }
  }
};

const deltaK: HostFn = ([x], T, N, n, out) => {
  const lag = n * N, size = T * N;
  for (let i = 0; i < Math.min(lag, size); i++) out[i] = NaN;
  for (let i = lag; i < size; i++) out[i] = x[i] - x[i - lag];
};

const divK: HostFn = ([x, y], T, N, _n, out) => {
  const size = T * N;
  for (let i = 0; i < size; i++) {
    const a = x[i], b = y[i];
    out[i] = a !== a || b !== b ? NaN : Math.abs(b) > 0.001 ? a / b : 1;
  }
};

/** Per row: sort a copy (TypedArray sort puts NaN last), then binary-search each value's tie range. */
const rankK: HostFn = ([x], T, N, _n, out) => {
  const sorted = new Float32Array(N);
  for (let t = 0; t < T; t++) {
    const row = t * N;
    sorted.set(x.subarray(row, row + N));
    sorted.sort();
    let count = N;
    while (count > 0 && sorted[count - 1] !== sorted[count - 1]) count--;
    for (let j = 0; j < N; j++) {
      const v = x[row + j];
      if (v !== v) { out[row + j] = NaN; continue; }
      let lo = 0, hi = count;
      while (lo < hi) { const m = (lo + hi) >>> 1; if (sorted[m] < v) lo = m + 1; else hi = m; }
      let up = lo, top = count;
      while (up < top) { const m = (up + top) >>> 1; if (sorted[m] <= v) up = m + 1; else top = m; }
      out[row + j] = (lo + up + 1) / 2 / count;
    }
  }
};

// ---------------------------------------------------------------------------------------------------------------
// Custom-kernel registration on the cpu and wasm backends

function infosOf(inputs: tf.NamedTensorInfoMap, arity: number): tf.TensorInfo[] {
  const infos: tf.TensorInfo[] = [];
  for (let i = 0; i < arity; i++) {
    const info = inputs[`x${i}`];
    if (!info) throw new Error(`missing input x${i}`);
    infos.push(info);
  }
  const [T, N] = infos[0].shape;
  for (const info of infos) {
    if (info.shape.length !== 2 || info.shape[0] !== T || info.shape[1] !== N || info.dtype !== 'float32') {
      throw new Error(`operands must be float32 [${T}, ${N}] panels`);
    }
  }
  return infos;
}

/** cpu: operands read in place (`readSync` returns the backend's own array), output handed over without a copy. */
function cpuKernel(arity: number, fn: HostFn): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const cpu = backend as MathBackendCPU;
    const infos = infosOf(inputs, arity);
    const [T, N] = infos[0].shape;
    const out = new Float32Array(T * N);
    fn(infos.map((i) => cpu.readSync(i.dataId) as Float32Array), T, N, (attrs?.window as number) ?? 0, out);
    return cpu.makeTensorInfo([T, N], 'float32', out);
  };
}

/**
 * wasm: the output is allocated first, because `makeOutput` can grow the wasm memory, which detaches every view
 * of the heap taken before; then operand and output views are taken and the JS loop runs on the heap directly.
 */
function wasmKernel(arity: number, fn: HostFn): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const wasm = backend as BackendWasm;
    const infos = infosOf(inputs, arity);
    const [T, N] = infos[0].shape;
    const outInfo = wasm.makeOutput([T, N], 'float32');
    const xs = infos.map((i) => wasm.typedArrayFromHeap(i) as Float32Array);
    fn(xs, T, N, (attrs?.window as number) ?? 0, wasm.typedArrayFromHeap(outInfo) as Float32Array);
    return outInfo;
  };
}

interface OpDef {
  name: string;
  kernelName: string;
  arity: 1 | 2;
  windowed: boolean;
  host: HostFn;
  comp: (n: number, x: tf.Tensor2D, y: tf.Tensor2D) => tf.Tensor2D;
  naive: (x: Float64Array[], T: number, N: number, n: number) => Float64Array;
  /** Allowed |composite - naive| as a multiple of max(1, |naive|) (composites compute in float32). */
  tol: number;
}

// ---------------------------------------------------------------------------------------------------------------
// Naive float64 references (O(n) per cell), used only for verification

function naiveWindow(x: Float64Array, T: number, N: number, n: number, f: (w: number[]) => number): Float64Array {
  const out = new Float64Array(T * N).fill(NaN);
  for (let t = n - 1; t < T; t++) {
    for (let j = 0; j < N; j++) {
      const w: number[] = [];
      for (let k = t - n + 1; k <= t; k++) w.push(x[k * N + j]);
      if (w.every((v) => !Number.isNaN(v))) out[t * N + j] = f(w);
    }
  }
  return out;
}
const meanOf = (w: number[]) => w.reduce((s, v) => s + v, 0) / w.length;
const devs = (w: number[]) => { const m = meanOf(w); return w.map((v) => v - m); };

const OPS: OpDef[] = [
  {
    name: 'ts_Mean', kernelName: 'AFBench_TsMean', arity: 1, windowed: true, host: tsMeanK, tol: 1e-5,
    comp: (n, x) => composite.tsMean(n, x),
    naive: ([x], T, N, n) => naiveWindow(x, T, N, n, meanOf),
  },
  {
    name: 'stddev', kernelName: 'AFBench_Stddev', arity: 1, windowed: true, host: stddevK, tol: 1e-4,
    comp: (n, x) => composite.stddev(n, x),
    naive: ([x], T, N, n) => naiveWindow(x, T, N, n, (w) => Math.sqrt(devs(w).reduce((s, d) => s + d * d, 0) / (w.length - 1))),
  },
  {
    name: 'correlation', kernelName: 'AFBench_Correlation', arity: 2, windowed: true, host: correlationK, tol: 1e-4,
    comp: (n, x, y) => composite.correlation(n, x, y),
    naive: ([x, y], T, N, n) => {
      const out = new Float64Array(T * N).fill(NaN);
      const wx = naiveWindow(x, T, N, n, () => 0), wy = naiveWindow(y, T, N, n, () => 0);
      for (let t = n - 1; t < T; t++) {
        for (let j = 0; j < N; j++) {
          if (Number.isNaN(wx[t * N + j]) || Number.isNaN(wy[t * N + j])) continue;
          const a: number[] = [], b: number[] = [];
          for (let k = t - n + 1; k <= t; k++) { a.push(x[k * N + j]); b.push(y[k * N + j]); }
          if (a.every((v) => v === a[0]) || b.every((v) => v === b[0])) continue;
          const da = devs(a), db = devs(b);
          let sab = 0, saa = 0, sbb = 0;
          for (let k = 0; k < n; k++) { sab += da[k] * db[k]; saa += da[k] * da[k]; sbb += db[k] * db[k]; }
          out[t * N + j] = sab / Math.sqrt(saa * sbb);
        }
      }
      return out;
    },
  },
  {
    name: 'delta', kernelName: 'AFBench_Delta', arity: 1, windowed: true, host: deltaK, tol: 0,
    comp: (n, x) => composite.delta(n, x),
    naive: ([x], T, N, n) => x.map((v, i) => (i < n * N ? NaN : Math.fround(v - x[i - n * N]))),
  },
  {
    name: 'div', kernelName: 'AFBench_Div', arity: 2, windowed: false, host: divK, tol: 0,
    comp: (_n, x, y) => composite.div(x, y),
    naive: ([x, y]) => x.map((v, i) => (Number.isNaN(v) || Number.isNaN(y[i]) ? NaN : Math.abs(y[i]) > 0.001 ? Math.fround(v / y[i]) : 1)),
  },
  {
    name: 'rank', kernelName: 'AFBench_Rank', arity: 1, windowed: false, host: rankK, tol: 1e-6,
    comp: (_n, x) => composite.rank(x),
    naive: ([x], T, N) => {
      const out = new Float64Array(T * N).fill(NaN);
      for (let t = 0; t < T; t++) {
        const row = Array.from(x.subarray(t * N, t * N + N));
        const valid = row.filter((v) => !Number.isNaN(v));
        row.forEach((v, j) => {
          if (Number.isNaN(v)) return;
          const less = valid.filter((u) => u < v).length, eq = valid.filter((u) => u === v).length;
          out[t * N + j] = (less + (eq + 1) / 2) / valid.length;
        });
      }
      return out;
    },
  },
];

/** rank via the all-pairs composite: same kernel and reference as `rank`, timed as its own row. */
const RANK_PAIRWISE: OpDef = { ...OPS[5], name: 'rank (pairwise)', comp: (_n, x) => composite.rankPairwise(x) };

for (const op of OPS) {
  tf.registerKernel({ kernelName: op.kernelName, backendName: 'cpu', kernelFunc: cpuKernel(op.arity, op.host) });
  tf.registerKernel({ kernelName: op.kernelName, backendName: 'wasm', kernelFunc: wasmKernel(op.arity, op.host) });
}

// ---------------------------------------------------------------------------------------------------------------
// Variants

type Variant = 'cpu composite' | 'wasm composite' | 'cpu typed-array kernel' | 'wasm typed-array kernel';
const VARIANTS: Variant[] = ['cpu composite', 'wasm composite', 'cpu typed-array kernel', 'wasm typed-array kernel'];

function backendOf(v: Variant): 'cpu' | 'wasm' {
  return v.startsWith('cpu') ? 'cpu' : 'wasm';
}

function runOp(op: OpDef, v: Variant, n: number, x: tf.Tensor2D, y: tf.Tensor2D): tf.Tensor2D {
  if (v.endsWith('composite')) return op.comp(n, x, y);
  const inputs: tf.NamedTensorMap = op.arity === 2 ? { x0: x, x1: y } : { x0: x };
  return tf.engine().runKernel(op.kernelName, inputs, { window: n }) as tf.Tensor2D;
}

async function useBackend(name: 'cpu' | 'wasm'): Promise<void> {
  if (tf.getBackend() === name) return;
  if (!(await tf.setBackend(name))) throw new Error(`tfjs backend '${name}' failed to initialise`);
  await tf.ready();
}

// ---------------------------------------------------------------------------------------------------------------
// Verification against the naive loops

function compare(got: Float32Array, want: Float64Array): { nanMismatch: number; maxErr: number } {
  let nanMismatch = 0, maxErr = 0;
  for (let i = 0; i < want.length; i++) {
    const g = got[i], w = want[i];
    if (Number.isNaN(w) !== Number.isNaN(g)) { nanMismatch++; continue; }
    if (Number.isNaN(w)) continue;
    maxErr = Math.max(maxErr, Math.abs(g - w) / Math.max(1, Math.abs(w)));
  }
  return { nanMismatch, maxErr };
}

async function verify(n: number): Promise<boolean> {
  let ok = true;
  const cases: Panels[] = [makePanels(90, 9, 1, 0.04), makePanels(40, 33, 2, 0.1), makePanels(12, 5, 3, 0.02)];
  // Edge values for div: y around the 0.001 threshold, NaNs on either side.
  const edge = makePanels(12, 5, 4, 0);
  const ys = [Math.fround(0.001), -Math.fround(0.001), 0.0009999, 0, -0, NaN, 1e-30, 0.5];
  for (let i = 0; i < edge.y.length; i++) edge.y[i] = ys[i % ys.length];
  edge.x[3] = NaN;
  cases.push(edge);
  for (const op of [...OPS, RANK_PAIRWISE]) {
    const line: string[] = [];
    for (const v of VARIANTS) {
      if (RANK_PAIRWISE === op && !v.endsWith('composite')) continue;
      await useBackend(backendOf(v));
      let worst = 0, mism = 0;
      for (const c of cases) {
        const w = op.windowed ? Math.min(n, c.T) : n;
        const want = op.naive([Float64Array.from(c.x), Float64Array.from(c.y)], c.T, c.N, w);
        const x = tf.tensor2d(c.x, [c.T, c.N]), y = tf.tensor2d(c.y, [c.T, c.N]);
        const out = runOp(op, v, w, x, y);
        const r = compare(out.dataSync() as Float32Array, want);
        worst = Math.max(worst, r.maxErr);
        mism += r.nanMismatch;
        tf.dispose([x, y, out]);
      }
      const tol = v.endsWith('composite') ? op.tol : 1e-6;
      const pass = mism === 0 && worst <= Math.max(tol, 1e-7);
      ok &&= pass;
      line.push(`${v}: ${pass ? 'ok' : 'FAIL'} (max rel err ${worst.toExponential(1)}, NaN mismatches ${mism})`);
    }
    console.log(`  ${op.name.padEnd(16)} ${line.join('; ')}`);
  }
  return ok;
}

// ---------------------------------------------------------------------------------------------------------------
// Timing
//
// The machine is shared (2 cores; other jobs may run), so timings are taken round-robin: every round runs each
// (op, variant) once, and the reported figure is the median over rounds; contention then hits all variants
// alike. The first rounds are warm-up. With `--expose-gc` (tsx / NODE_OPTIONS, or deno --v8-flags=--expose-gc)
// a full GC runs before each timed call, outside the timing, so one variant's garbage is not billed to the next.

function envNum(name: string, dflt: number): number {
  const v = (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env[name];
  return v ? Number(v) : dflt;
}

const median = (a: number[]) => {
  const s = [...a].sort((p, q) => p - q), m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

const gc = (globalThis as { gc?: () => void }).gc;

/** One timed call: wall time of `fn` until its result is read back with dataSync (then disposed). */
function timeOnce(fn: () => tf.Tensor): number {
  gc?.();
  const s = performance.now();
  const t = fn();
  t.dataSync();
  const ms = performance.now() - s;
  t.dispose();
  return ms;
}

interface Job { label: string; backend: 'cpu' | 'wasm'; fn: () => tf.Tensor; scale: number; times: number[] }

/** Runs `warm` + `rounds` rounds over all jobs, switching backends as needed; records the timed rounds. */
async function roundRobin(jobs: Job[], warm: number, rounds: number): Promise<void> {
  for (let r = 0; r < warm + rounds; r++) {
    for (const job of jobs) {
      await useBackend(job.backend);
      const before = tf.memory().numTensors;
      const ms = timeOnce(job.fn) * job.scale;
      if (tf.memory().numTensors !== before) throw new Error(`${job.label}: leaked ${tf.memory().numTensors - before} tensors`);
      if (r >= warm) job.times.push(ms);
    }
  }
}

const fmt = (ms: number, cells: number) => `${ms >= 100 ? ms.toFixed(0) : ms.toFixed(1)} ms (${(cells / ms / 1e3).toFixed(1)})`;
const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');

async function main(): Promise<void> {
  const T = envNum('BENCH_T', 2400), N = envNum('BENCH_N', 300), n = envNum('BENCH_WINDOW', 10);
  const rounds = envNum('BENCH_RUNS', 7), pairwiseRows = envNum('BENCH_PAIRWISE_ROWS', 240);
  tf.env().set('PROD', true);
  if (envNum('BENCH_NO_SIMD', 0)) tf.env().set('WASM_HAS_SIMD_SUPPORT', false);

  const deno = (globalThis as { Deno?: { version: { deno: string } } }).Deno;
  const runtime = deno ? `Deno ${deno.version.deno}` : `Node ${process.version}`;
  console.log(`# backend_compare: ${runtime}, ${os.cpus().length} cpus (${os.cpus()[0]?.model ?? '?'}), tfjs-core ${tf.version_core}`);

  await useBackend('wasm');
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  const threads = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
  const binary = simd && threads ? 'tfjs-backend-wasm-threaded-simd.wasm' : simd ? 'tfjs-backend-wasm-simd.wasm' : 'tfjs-backend-wasm.wasm';
  console.log(`# wasm: initialised; IS_NODE=${tf.env().getBool('IS_NODE')} SIMD=${simd} multithread=${threads} -> ${binary}, threads=${getThreadsCount()}`);

  console.log(`\n## Verification against naive float64 loops (window ${n}, small panels with NaNs, ties, constant runs)`);
  const ok = await verify(n);
  if (!ok) console.log('!! verification FAILED (timings below are still printed)');

  const p = makePanels(T, N, 20261121, 0.03);
  const cells = T * N;
  let nan = 0;
  for (let i = 0; i < cells; i++) if (Number.isNaN(p.x[i])) nan++;
  console.log(`\n## Timing: panel ${T} x ${N} (${(cells / 1e6).toFixed(2)}M cells), ${(100 * nan / cells).toFixed(1)}% NaN in x, ` +
    `window ${n}; median of ${rounds} round-robin rounds after 2 warm-up rounds; ms (M cells/s); ` +
    `GC between calls: ${gc ? 'yes' : 'no (run with --expose-gc for steadier figures)'}; load average at start: ${load()}`);

  // Inputs live on each backend, so no call pays for moving data between backends.
  const inputs = new Map<'cpu' | 'wasm', { x: tf.Tensor2D; y: tf.Tensor2D; xHead: tf.Tensor2D }>();
  for (const b of ['cpu', 'wasm'] as const) {
    await useBackend(b);
    const x = tf.tensor2d(p.x, [T, N]), y = tf.tensor2d(p.y, [T, N]);
    inputs.set(b, { x, y, xHead: tf.slice(x, [0, 0], [Math.min(T, pairwiseRows), N]) });
  }

  const jobs: Job[] = [];
  for (const op of OPS) {
    for (const v of VARIANTS) {
      const inp = inputs.get(backendOf(v))!;
      jobs.push({ label: `${op.name}|${v}`, backend: backendOf(v), fn: () => runOp(op, v, n, inp.x, inp.y), scale: 1, times: [] });
    }
  }
  await roundRobin(jobs, 2, rounds);

  // The all-pairs rank is O(N) per cell and far slower: timed on the first rows only, scaled to the whole panel.
  const rows = Math.min(T, pairwiseRows);
  const pairJobs: Job[] = (['cpu composite', 'wasm composite'] as const).map((v) => {
    const inp = inputs.get(backendOf(v))!;
    return { label: `${RANK_PAIRWISE.name}|${v}`, backend: backendOf(v), fn: () => composite.rankPairwise(inp.xHead), scale: T / rows, times: [] };
  });
  await roundRobin(pairJobs, 1, 3);

  console.log(`\n| op (window ${n}) | ${VARIANTS.join(' | ')} |`);
  console.log(`| --- | ${VARIANTS.map(() => '---:').join(' | ')} |`);
  for (const op of [...OPS, RANK_PAIRWISE]) {
    const cols = VARIANTS.map((v) => {
      const job = [...jobs, ...pairJobs].find((j) => j.label === `${op.name}|${v}`);
      if (!job) return '(same kernel as rank)';
      return fmt(median(job.times), cells) + (job.scale !== 1 ? ` [${rows} rows, scaled]` : '');
    });
    console.log(`| ${op.name} | ${cols.join(' | ')} |`);
  }

  // Primitive ops the composites are built from.
  const prims: [string, (x: tf.Tensor2D) => tf.Tensor][] = [
    ['slice rows [1:T] (contiguous)', (x) => tf.slice(x, [1, 0], [T - 1, N])],
    ['slice cols [1:N] (strided)', (x) => tf.slice(x, [0, 1], [T, N - 1])],
    ['pad top 9 rows with NaN', (x) => tf.pad(x, [[9, 0], [0, 0]], NaN)],
    ['add [T,N]+[T,N]', (x) => tf.add(x, x)],
    ['add [T,N]+[1,N] (broadcast)', (x) => tf.add(x, tf.slice(x, [0, 0], [1, N]))],
    ['add [T,N]+[T,1] (broadcast)', (x) => tf.add(x, tf.slice(x, [0, 0], [T, 1]))],
    ['div [T,N] / scalar', (x) => tf.div(x, 10)],
    ['where(isNaN(x), 0, x)', (x) => tf.where(tf.isNaN(x), tf.zerosLike(x), x)],
    ['addN of 10 panels', (x) => tf.addN(Array(10).fill(x))],
    ['sum over stocks (axis 1)', (x) => tf.sum(x, 1)],
    ['topk per row (k = N)', (x) => tf.topk(x, N).values],
  ];
  const primJobs: Job[] = [];
  for (const [name, f] of prims) {
    for (const b of ['cpu', 'wasm'] as const) {
      const inp = inputs.get(b)!;
      primJobs.push({ label: `${name}|${b}`, backend: b, fn: () => tf.tidy(() => f(inp.x)), scale: 1, times: [] });
    }
  }
  await roundRobin(primJobs, 2, rounds);
  console.log(`\n| primitive (${T} x ${N} input) | cpu | wasm | cpu / wasm |\n| --- | ---: | ---: | ---: |`);
  for (const [name] of prims) {
    const [c, w] = (['cpu', 'wasm'] as const).map((b) => median(primJobs.find((j) => j.label === `${name}|${b}`)!.times));
    console.log(`| ${name} | ${fmt(c, cells)} | ${fmt(w, cells)} | ${(c / w).toFixed(1)}x |`);
  }
  console.log(`\n# load average at end: ${load()}`);
  for (const { x, y, xHead } of inputs.values()) tf.dispose([x, y, xHead]);
}

await main();
