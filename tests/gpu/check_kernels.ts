/**
 * Checks the active tfjs backend's operator and metric kernels against the host (CPU) kernels, on panels built
 * to hit the hard cases: NaN cells and NaN runs, ties, windows that are constant, rows where every stock is equal,
 * a stock with no data, windows longer than the panel, and optionally a real-data slice. Runtime-agnostic: Deno
 * runs it for WebGPU (tests/webgpu_kernels.test.ts) and headless Chromium runs it for WebGPU and WebGL
 * (tests/browser_kernels.test.ts); it only reports, the caller asserts.
 *
 * Tolerance: device kernels compute in float32, the host kernels in float64 then round. A cell passes when the
 * NaN pattern agrees exactly and |got - want| <= 3e-4 |want| + 2e-5 R, R being the median |want| of that
 * stock's column: float32 cancellation inside a window costs about 1e-7 * n of the terms' own scale, which is
 * what R measures, so a kernel that accumulates in float32 passes and one with a wrong rule does not.
 */
import * as tf from '@tensorflow/tfjs-core';
import { OPS } from '../../src/ops/table.ts';
import type { OpSpec } from '../../src/ops/types.ts';
import { inputNames } from '../../src/eval/backend.ts';
import { mulberry32, type Rng } from '../../src/util/rng.ts';

export interface PanelData {
  readonly label: string;
  readonly T: number;
  readonly N: number;
  /** Operand panels, `[T, N]` time-major; operators with two operands take the first two. */
  readonly xs: readonly Float32Array[];
}

export interface CheckReport {
  readonly backend: string;
  /** (operator, panel, window) combinations run. */
  readonly runs: number;
  readonly cells: number;
  readonly failures: string[];
}

/** A random walk per stock at that stock's own scale (1e-2, 1 or 1e3), with the hard cases written in. */
export function hardPanel(rng: Rng, T: number, N: number, withNaN = true): Float32Array {
  const x = new Float32Array(T * N);
  for (let j = 0; j < N; j++) {
    const scale = [1e-2, 1, 1e3][j % 3];
    const quantised = j % 4 === 1; // few distinct values: ties in time and across stocks
    let v = 1 + rng();
    for (let t = 0; t < T; t++) {
      v += (rng() - 0.5) * 0.2;
      let cell = quantised ? Math.round(v * 4) / 4 : v;
      if (j % 5 === 2 && t >= 8 && t < 30) cell = 1.25; // constant windows
      x[t * N + j] = cell * scale * (j % 7 === 3 ? -1 : 1);
    }
  }
  if (withNaN) {
    for (let i = 0; i < x.length; i++) if (rng() < 0.06) x[i] = NaN;
    if (N > 6) for (let t = 0; t < T; t++) x[t * N + 6] = NaN; // a stock with no data
    if (T > 20 && N > 1) for (let t = 15; t < 19; t++) x[t * N + 1] = NaN; // a NaN run
  }
  if (T > 40) for (let j = 0; j < N; j++) x[40 * N + j] = 2; // a bar where every stock is equal
  return x;
}

/** The test panels: two operands each, so pair operators see related but different series. */
export function hardPanels(seed: number): PanelData[] {
  const rng = mulberry32(seed);
  const make = (label: string, T: number, N: number, withNaN: boolean): PanelData => {
    const x = hardPanel(rng, T, N, withNaN);
    const noise = hardPanel(rng, T, N, withNaN);
    const y = x.map((v, i) => (i % 11 === 0 ? v : 0.5 * v + noise[i]));
    return { label, T, N, xs: [x, y] };
  };
  return [make(`random ${64}x${37}`, 64, 37, true), make('clean 50x9', 50, 9, false), make('tiny 5x3', 5, 3, true)];
}

function windows(op: OpSpec, T: number): number[] {
  if (!op.windowed) return [0];
  return [...new Set([op.minWindow, 3, 10, T + 2])].filter((n) => n >= op.minWindow).sort((a, b) => a - b);
}

/**
 * Below this, a host result is the float64 rounding residue of an exact zero and counts as 0 for the column
 * scale. Written for REGresid_ts on the quantised columns: their windows are often fitted exactly, the exact
 * residual is 0, the host reports ±1e-19 and a float32 kernel 0 (or ±1e-10); when such cells are most of a
 * column, a median of that residue (1e-19) would demand agreement far below float32 resolution of the
 * operands (1e-2 here), where the rule for a column of exact zeros (scale 1) is what was meant.
 */
const ZERO_RESIDUE = 1e-12;

function columnScale(want: Float32Array, T: number, N: number, j: number): number {
  const vals: number[] = [];
  for (let t = 0; t < T; t++) {
    const v = want[t * N + j];
    if (Number.isFinite(v)) vals.push(Math.abs(v) < ZERO_RESIDUE ? 0 : Math.abs(v));
  }
  if (vals.length === 0) return 1;
  vals.sort((a, b) => a - b);
  return vals[vals.length >> 1] || 1;
}

/** Compares device output with host output cell by cell; returns a description of the first mismatches. */
export function compareCells(got: Float32Array, want: Float32Array, T: number, N: number): string | undefined {
  let bad = 0;
  let first = '';
  const scales = Array.from({ length: N }, (_, j) => columnScale(want, T, N, j));
  for (let i = 0; i < want.length; i++) {
    const w = want[i], g = got[i];
    const ok = Number.isNaN(w) ? Number.isNaN(g) : Math.abs(g - w) <= 3e-4 * Math.abs(w) + 2e-5 * scales[i % N];
    if (!ok) {
      if (bad === 0) first = `t=${Math.floor(i / N)} j=${i % N}: want ${w}, got ${g}`;
      bad++;
    }
  }
  return bad ? `${bad} of ${want.length} cells differ, first ${first}` : undefined;
}

/**
 * Runs every operator (or `ops`) through the active backend's registered kernel on each panel and window and
 * compares with the host kernel. Reads back with `await data()`, so it also works where sync reads are banned.
 */
export async function checkOpKernels(panels: readonly PanelData[], ops: readonly OpSpec[] = OPS): Promise<CheckReport> {
  const failures: string[] = [];
  let runs = 0, cells = 0;
  for (const op of ops) {
    for (const p of panels) {
      for (const n of windows(op, p.T)) {
        const xs = p.xs.slice(0, op.args.length);
        const want = new Float32Array(p.T * p.N);
        op.kernels.cpu({ xs, T: p.T, N: p.N, window: n, out: want });
        const inputs: tf.NamedTensorMap = {};
        const names = inputNames(op);
        xs.forEach((x, i) => (inputs[names[i]] = tf.tensor2d(x, [p.T, p.N], 'float32')));
        let got: Float32Array;
        try {
          const out = tf.engine().runKernel(op.kernelName, inputs, op.windowed ? { window: n } : {}) as tf.Tensor;
          got = (await out.data()) as Float32Array;
          out.dispose();
        } catch (e) {
          failures.push(`${op.name}(n=${n}) on ${p.label}: threw ${(e as Error).message}`);
          continue;
        } finally {
          for (const t of Object.values(inputs)) t.dispose();
        }
        runs++;
        cells += want.length;
        const diff = compareCells(got, want, p.T, p.N);
        if (diff) failures.push(`${op.name}(n=${n}) on ${p.label}: ${diff}`);
      }
    }
  }
  return { backend: tf.getBackend(), runs, cells, failures };
}
