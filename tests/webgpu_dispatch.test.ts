/**
 * WebGPU dispatches wider than one dimension allows: WebGPU caps the workgroups per dimension (65,535 on most
 * adapters) and tfjs spreads a larger flat dispatch over a square of workgroups, padding groups included. The
 * large GPU panel needs it (4,800 x 5,000 cells are 187,500 workgroups of 128), so every kind of program is run
 * here just past the cap against the host kernels: a per-cell program (elementwise and lagged operators), a
 * per-bar program (rank, zscore), the day-end row copy and the daily metrics' per-factor-day stage. Deno only;
 * Node has no WebGPU and skips, saying so.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { webgpuOrSkip } from './gpu/webgpu_only.ts';
import { checkOpKernels, hardPanel } from './gpu/check_kernels.ts';
import { compareDailyMetrics, population } from './gpu/check_metrics.ts';
import { OPS } from '../src/ops/table.ts';
import { CELL_WORKGROUP } from '../kernels/webgpu/program.ts';
import { mulberry32 } from '../src/util/rng.ts';

/** The per-dimension cap of the active WebGPU device. */
function cap(): number {
  const device = (tf.backend() as unknown as { device: { limits: { maxComputeWorkgroupsPerDimension: number } } }).device;
  return device.limits.maxComputeWorkgroupsPerDimension;
}

const ops = (...names: string[]) => OPS.filter((o) => names.includes(o.name));

test('WebGPU kernels past the per-dimension workgroup cap match the host kernels', async (t) => {
  if (!(await webgpuOrSkip(t))) return;
  const limit = cap();
  const rng = mulberry32(17);
  const before = tf.memory().numTensors;

  // Per cell: just over limit * CELL_WORKGROUP cells.
  const N = 2048;
  const T = Math.ceil(((limit + 64) * CELL_WORKGROUP) / N);
  const cells = await checkOpKernels([{ label: `${T}x${N} cells`, T, N, xs: [hardPanel(rng, T, N), hardPanel(rng, T, N)] }], ops('add', 'log', 'delay'));
  assert.deepEqual(cells.failures, []);
  assert.ok(cells.runs >= 5);

  // Per bar: one workgroup a bar, just over the cap of bars.
  const bars = limit + 37;
  const rows = await checkOpKernels([{ label: `${bars}x6 bars`, T: bars, N: 6, xs: [hardPanel(rng, bars, 6)] }], ops('rank', 'zscore'));
  assert.deepEqual(rows.failures, []);
  assert.equal(rows.runs, 2);

  // Daily metrics: one workgroup per factor-day, just over the cap of factor-days.
  const days = Math.ceil((limit + 50) / 2);
  const p = population(rng, `2x${days}x9`, 2, days, 9, [0, 1]);
  assert.equal(await compareDailyMetrics(p, 3, 4), undefined);

  // Day-end rows (its own panels are small; one past the cap here).
  const x = tf.tensor2d(hardPanel(rng, 40, N), [40, N]);
  const R = Math.ceil(((limit + 64) * CELL_WORKGROUP) / N);
  const idx = Int32Array.from({ length: R }, (_, r) => (r * 7) % 43 - 1);
  const rowsT = tf.tensor1d(idx, 'int32');
  const took = tf.engine().runKernel('af_take_rows', { x, rows: rowsT }, {}) as tf.Tensor;
  const got = (await took.data()) as Float32Array;
  const xs = (await x.data()) as Float32Array;
  let bad = 0;
  for (let r = 0; r < R; r++) {
    for (let j = 0; j < N; j++) {
      const want = idx[r]! >= 0 && idx[r]! < 40 ? xs[idx[r]! * N + j]! : NaN;
      if (!Object.is(got[r * N + j], want) && !(Number.isNaN(want) && Number.isNaN(got[r * N + j]!))) bad++;
    }
  }
  assert.equal(bad, 0, 'af_take_rows cells differ');
  tf.dispose([x, rowsT, took]);
  assert.equal(tf.memory().numTensors, before, 'tensors leaked');
});
