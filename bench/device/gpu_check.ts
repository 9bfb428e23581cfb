/**
 * The kernel checks of the test suite, run on a real GPU: every WebGPU operator and metric kernel against the
 * host kernels (tests/gpu/check_kernels.ts, check_metrics.ts) on the hard random panels, a real-data slice, and
 * cross-sections as wide as the benchmark's panel. The tests run these checks on software adapters only (Mesa's
 * llvmpipe, SwiftShader) and on narrower cross-sections (a 5,000-stock sort takes llvmpipe minutes to compile),
 * and a vendor's shader compiler may treat a kernel differently from Mesa's. Speed figures from a device are
 * worth recording only when this passes there. bench/device/run.sh `check` runs it (bundled by pack.sh):
 *
 *   npx deno run -A bench/device/gpu_check.ts [--stocks 5000] [--data bars.csv.gz] [--json out.json]
 *
 * Prints the adapter, the paths the wide checks take, each section's runs, failures and time; exit status 1 on
 * any failure or when WebGPU does not start, 2 on bad options.
 */
import { writeFileSync } from 'node:fs';
import process from 'node:process';
import * as tf from '@tensorflow/tfjs-core';
import { assertDeviceHealthy, initBackend, largestTensorBytes, releaseBackend, webGpuAdapterLabel } from '../../src/eval/backend.ts';
import { mulberry32 } from '../../src/util/rng.ts';
import { COL } from '../../src/fitness/daily_layout.ts';
import { type WebGpuBackendLike, workgroupStorageBytes } from '../../kernels/webgpu/program.ts';
import { rankSortWidth } from '../../kernels/webgpu/rank.ts';
import { corrSortWidth, dailySortWidth } from '../../kernels/webgpu/metric_programs.ts';
import { type CheckReport, checkOpKernels, hardPanels } from '../../tests/gpu/check_kernels.ts';
import { checkMetricKernels, populationFromBars } from '../../tests/gpu/check_metrics.ts';
import { REAL_BARS, realSlice } from '../../tests/gpu/real_slice.ts';
import { checkFingerprints } from '../../tests/gpu/check_fingerprints.ts';
import { checkWideOps, widePopulation } from '../../tests/gpu/check_wide.ts';
import { benchArgs, wholeArg } from '../bench_args.ts';

const SCRIPT = 'device/gpu_check';
const values = benchArgs(SCRIPT, "the WebGPU kernel checks of the test suite on this machine's GPU, with cross-sections as wide as the benchmark's.", {
  stocks: { value: 'N', default: '5000', help: 'width of the wide cross-sections (the large benchmark panel has 5,000 stocks)' },
  data: { value: 'FILE', help: `the real 30-minute panel for the real-data slice (default ${REAL_BARS})` },
  json: { value: 'FILE', help: 'write the sections, paths and failures as JSON' },
});
const N = wholeArg(SCRIPT, 'stocks', values.stocks, 2);

const info = await initBackend('webgpu');
if (info.name !== 'webgpu') {
  console.log(`WebGPU did not start: ${info.note ?? info.name}`);
  process.exit(1);
}
const backend = tf.backend() as unknown as WebGpuBackendLike;
const storage = workgroupStorageBytes(backend);
const adapter = await webGpuAdapterLabel();
// Which path each wide kernel takes on this device: a sort width, or 0 where it counts.
const paths = {
  rank: rankSortWidth(N, storage),
  dailyMetricsQ5: dailySortWidth(N, 5, COL, storage),
  dailyMetricsQ10: dailySortWidth(N, 10, COL, storage),
  factorCorr: corrSortWidth(N, storage),
};
const binding = largestTensorBytes();
console.log(`adapter: ${adapter}; workgroup memory ${storage} bytes; largest tensor bound ${(binding / 2 ** 20).toFixed(0)} MiB (a 4,800 x 5,000 panel is 92 MiB)`);
console.log(`paths at ${N} stocks (sort width, 0 = counting): ${Object.entries(paths).map(([k, v]) => `${k} ${v}`).join(', ')}`);

interface Section extends CheckReport {
  name: string;
  seconds: number;
}
const sections: Section[] = [];
async function section(name: string, check: () => Promise<CheckReport>): Promise<void> {
  const t0 = performance.now();
  let report: CheckReport;
  try {
    report = await check();
  } catch (e) {
    report = { backend: tf.getBackend(), runs: 0, cells: 0, failures: [`threw ${(e as Error).stack ?? e}`] };
  }
  try {
    assertDeviceHealthy();
  } catch (e) {
    // What the device said, beside the mismatches it caused.
    report = { ...report, failures: [...report.failures, (e as Error).message] };
  }
  const s: Section = { name, ...report, seconds: (performance.now() - t0) / 1000 };
  sections.push(s);
  console.log(`${name}: ${s.runs} runs, ${s.cells} cells, ${s.failures.length} failures, ${s.seconds.toFixed(1)} s`);
  for (const f of s.failures.slice(0, 10)) console.log(`  FAIL ${f}`);
  if (s.failures.length > 10) console.log(`  ... and ${s.failures.length - 10} more`);
}

const rng = mulberry32(5);
const real = await realSlice(undefined, undefined, undefined, values.data ?? REAL_BARS);
if (!real) console.log(`real-data slice skipped: no data at ${values.data ?? REAL_BARS}`);
try {
  await section('operators, hard random panels', () => checkOpKernels(hardPanels(11)));
  if (real) await section(`operators, ${real.label}`, () => checkOpKernels([real]));
  await section(`cross-sectional operators, wide 12x${N}`, () => checkWideOps(rng, N));
  const extra = [widePopulation(rng, N)];
  if (real) extra.push(populationFromBars(real));
  await section('metric kernels, hard populations, real bars and a wide population', () => checkMetricKernels(7, 'auto', extra));
  await section('the Scorer\'s fingerprints on the device', () => checkFingerprints(9));
} finally {
  await releaseBackend();
}

const failures = sections.reduce((n, s) => n + s.failures.length, 0);
console.log(failures ? `${failures} failures` : 'every check passed');
if (values.json) writeFileSync(values.json, JSON.stringify({ date: new Date().toISOString(), adapter, workgroupStorageBytes: storage, largestTensorBytes: binding, stocks: N, paths, sections }, null, 2) + '\n');
process.exitCode = failures ? 1 : 0;
