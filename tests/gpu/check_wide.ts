/**
 * Cross-sections as wide as the large benchmark panel (5,000 stocks): the width at which the cross-sectional
 * operators and the metric kernels take their sorting paths with the most keys. Used by the WebGPU tests (when
 * Deno's WebGPU runs over Vulkan, where such shaders compile in seconds) and by bench/device/gpu_check.ts on a
 * lent GPU. Runtime-agnostic like check_kernels.ts: it reports, the caller asserts.
 */
import { OPS } from '../../src/ops/table.ts';
import type { Rng } from '../../src/util/rng.ts';
import { type CheckReport, checkOpKernels, hardPanel, type PanelData } from './check_kernels.ts';
import { population, type Population } from './check_metrics.ts';

/** Two hard fields of 12 bars x N stocks, for the cross-sectional operators. */
export function widePanel(rng: Rng, N: number): PanelData {
  return { label: `wide 12x${N}`, T: 12, N, xs: [hardPanel(rng, 12, N), hardPanel(rng, 12, N)] };
}

/** Three factors x 4 days x N stocks with holes, ties and constant days, for the metric kernels. */
export function widePopulation(rng: Rng, N: number): Population {
  return population(rng, `wide 3x4x${N}`, 3, 4, N, [0, 1, 2]);
}

/** The cross-sectional operators on widePanel. */
export function checkWideOps(rng: Rng, N: number): Promise<CheckReport> {
  return checkOpKernels([widePanel(rng, N)], OPS.filter((op) => op.kind === 'cross_section'));
}
