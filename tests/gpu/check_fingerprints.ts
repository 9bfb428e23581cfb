/**
 * Checks the fingerprints a device backend computes in the miner's Scorer (`fingerprintsTensor`: the `rank`
 * kernel and standard ops) against the host code (src/fitness/fingerprint.ts) on hard rows: NaNs, ties and
 * constant stretches (hardPanel), a row with too few stocks and a constant row, which must both be exactly zero,
 * at widths that take the narrow rank path, one workgroup tile and the sorting path. The host computes in
 * float64, the device in float32 on exact integer ranks, so cells agree to float32 rounding and zeros exactly.
 * Runtime-agnostic like check_kernels.ts: it reports, the caller asserts.
 */
import * as tf from '@tensorflow/tfjs-core';
import { fingerprintsTensor } from '../../src/eval/scorer.ts';
import { fingerprints } from '../../src/fitness/fingerprint.ts';
import { MIN_STOCKS } from '../../src/fitness/metrics.ts';
import { mulberry32 } from '../../src/util/rng.ts';
import { type CheckReport, hardPanel } from './check_kernels.ts';

export async function checkFingerprints(seed: number): Promise<CheckReport> {
  const rng = mulberry32(seed);
  const failures: string[] = [];
  let runs = 0, cells = 0;
  for (const [rows, N] of [[30, 37], [12, 256], [6, 700]] as const) {
    const values = hardPanel(rng, rows, N);
    values.fill(NaN, N + 5, 2 * N);
    values.fill(1.5, 2 * N, 3 * N);
    const sample = tf.tensor2d(values, [rows, N]);
    const out = fingerprintsTensor(sample, MIN_STOCKS);
    const got = (await out.data()) as Float32Array;
    tf.dispose([sample, out]);
    const want = fingerprints(values, 1, rows, N, MIN_STOCKS);
    runs++;
    cells += want.length;
    let bad = 0, first = '';
    want.forEach((w, i) => {
      const g = got[i]!;
      if (Math.abs(g - w) < 2e-6 && (g === 0) === (w === 0)) return;
      if (!bad) first = `row ${Math.floor(i / N)} stock ${i % N}: ${g}, host ${w}`;
      bad++;
    });
    if (bad) failures.push(`fingerprints ${rows}x${N}: ${bad} cells differ, first ${first}`);
    if (!want.some((w) => w !== 0)) failures.push(`fingerprints ${rows}x${N}: the host gave no non-zero cell (a vacuous check)`);
  }
  return { backend: tf.getBackend(), runs, cells, failures };
}
