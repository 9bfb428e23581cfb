/**
 * The page side of tests/browser_kernels.test.ts: bundled by esbuild for the browser and loaded into headless
 * Chromium, it exposes `runKernelChecks` (and `halfFloatWebGl`) on `window`; the Node test calls it once per backend (in a fresh page)
 * and asserts on the reports it returns. It only runs the shared checks and describes the environment; all
 * judging happens on the Node side, so a report that never comes back fails rather than passes.
 */
import * as tf from '@tensorflow/tfjs-core';
import { assertDeviceHealthy, initBackend, type BackendName } from '../../src/eval/backend.ts';
import { evaluateToArrays } from '../../src/eval/evaluate.ts';
import { parse } from '../../src/expr/parse.ts';
import { checkOpKernels, hardPanels, type CheckReport, type PanelData } from '../gpu/check_kernels.ts';
import { checkMetricKernels, populationFromBars } from '../gpu/check_metrics.ts';
import { checkWebGlPaths } from '../gpu/check_webgl_paths.ts';
import { checkFingerprints } from '../gpu/check_fingerprints.ts';

/** A real-data slice as it crosses from Node: plain arrays (Playwright serialises NaN faithfully). */
export interface WirePanel {
  readonly label: string;
  readonly T: number;
  readonly N: number;
  readonly xs: readonly number[][];
}

export interface PageReport {
  /** The backend asked for, and the one tfjs ended up on (initBackend falls back to cpu on failure). */
  readonly asked: string;
  readonly active: string;
  readonly note?: string;
  /** Why the backend cannot run here at all (no navigator.gpu, no adapter): the test skips with this reason. */
  readonly unavailable?: string;
  /** The GPU the backend runs on, as the browser describes it. */
  readonly adapter?: string;
  readonly hard?: CheckReport;
  readonly real?: CheckReport;
  readonly metrics?: CheckReport;
  /** WebGL only: its counting and sorting ranks against each other (tests/gpu/check_webgl_paths.ts). */
  readonly paths?: CheckReport;
  /** The Scorer's device fingerprints against the host's (tests/gpu/check_fingerprints.ts). */
  readonly fingerprints?: CheckReport;
  /** Tensors alive after the checks minus before: kernels must not leak outputs. */
  readonly leakedTensors?: number;
  /** After the checks, whether the device had reported errors meanwhile: 'healthy', or the DeviceError's message. */
  readonly health?: string;
  /** What evaluations threw after the device was made to fail on purpose (`faultsAfterChecks`). */
  readonly faults?: FaultReport;
  /** An exception that escaped the checks themselves. */
  readonly error?: string;
  readonly seconds: number;
}

/** Each as `name: message` of what the evaluation threw, or what it returned. */
export interface FaultReport {
  /** After an invalid call (WebGL: an unknown capability; WebGPU: a buffer with no usage). */
  readonly invalid: string;
  /** The next evaluation, which must be clean and right again: 'right', or what went wrong. */
  readonly after: string;
  /** WebGL only: after the context was lost. */
  readonly lost?: string;
}

async function describeWebGpu(): Promise<{ adapter?: string; unavailable?: string }> {
  const gpu = (navigator as { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
  if (!gpu) return { unavailable: 'navigator.gpu is undefined (Chromium started without --enable-unsafe-webgpu, or not a secure context)' };
  const adapter = (await gpu.requestAdapter()) as { info?: { vendor?: string; architecture?: string; description?: string } } | null;
  if (!adapter) return { unavailable: 'navigator.gpu.requestAdapter() returned null (no Vulkan/SwiftShader adapter)' };
  const i = adapter.info ?? {};
  return { adapter: [i.vendor, i.architecture, i.description].filter(Boolean).join(' ') || 'unknown adapter' };
}

function describeWebGl(): { adapter?: string; unavailable?: string } {
  const gl = document.createElement('canvas').getContext('webgl2');
  if (!gl) return { unavailable: 'no WebGL2 context' };
  const dbg = gl.getExtension('WEBGL_debug_renderer_info');
  return { adapter: String(gl.getParameter(dbg ? dbg.UNMASKED_RENDERER_WEBGL : gl.RENDERER)) };
}

function show(text: string): void {
  const pre = document.getElementById('log') ?? document.body.appendChild(document.createElement('pre'));
  pre.id = 'log';
  pre.textContent += text + '\n';
}

function summary(name: string, r: CheckReport | undefined): string {
  if (!r) return `${name}: not run`;
  const head = `${name}: ${r.runs} runs, ${r.cells} cells, ${r.failures.length} failures`;
  return [head, ...r.failures.slice(0, 40).map((f) => '  ' + f)].join('\n');
}

async function runKernelChecks(asked: BackendName, seed: number, real: WirePanel | null): Promise<PageReport> {
  const t0 = performance.now();
  const seconds = () => (performance.now() - t0) / 1000;
  const env = asked === 'webgpu' ? await describeWebGpu() : describeWebGl();
  show(`backend ${asked}: ${env.adapter ?? env.unavailable}`);
  if (env.unavailable) return { asked, active: tf.getBackend() ?? 'none', unavailable: env.unavailable, seconds: seconds() };
  const info = await initBackend(asked);
  const active = tf.getBackend();
  if (active !== asked) {
    show(`fell back to ${active}: ${info.note ?? ''}`);
    return { asked, active, note: info.note, adapter: env.adapter, seconds: seconds() };
  }
  const before = tf.memory().numTensors;
  let hard: CheckReport | undefined, realReport: CheckReport | undefined, metrics: CheckReport | undefined, paths: CheckReport | undefined;
  let prints: CheckReport | undefined;
  try {
    hard = await checkOpKernels(hardPanels(seed));
    show(summary('hard panels', hard));
    const panel: PanelData | undefined = real ? { label: real.label, T: real.T, N: real.N, xs: real.xs.map((x) => Float32Array.from(x)) } : undefined;
    if (panel) {
      realReport = await checkOpKernels([panel]);
      show(summary('real data', realReport));
    }
    metrics = await checkMetricKernels(seed, 'auto', panel ? [populationFromBars(panel)] : []);
    show(summary('metrics', metrics));
    if (asked === 'webgl') {
      paths = await checkWebGlPaths(seed);
      show(summary('count and sort paths', paths));
    }
    prints = await checkFingerprints(seed);
    show(summary('fingerprints', prints));
  } catch (e) {
    const error = (e as Error)?.stack ?? String(e);
    show(`error: ${error}`);
    return { asked, active, note: info.note, adapter: env.adapter, hard, real: realReport, metrics, paths, fingerprints: prints, error, seconds: seconds() };
  }
  const leakedTensors = tf.memory().numTensors - before;
  // The checks read through plain data(): a device error during them would otherwise go unseen here.
  let health = 'healthy';
  try {
    assertDeviceHealthy();
  } catch (e) {
    health = (e as Error).message;
  }
  const faults = await faultsAfterChecks(asked);
  show(`device errors during the checks: ${health}; after faults: ${JSON.stringify(faults)}`);
  return { asked, active, note: info.note, adapter: env.adapter, hard, real: realReport, metrics, paths, fingerprints: prints, leakedTensors, health, faults, seconds: seconds() };
}

const FAULT_T = 30;
const FAULT_N = 12;
const faultClose = Float32Array.from({ length: FAULT_T * FAULT_N }, (_, i) => 10 + Math.sin(i));
const faultPanel = {
  times: Array.from({ length: FAULT_T }, (_, i) => String(i)),
  codes: Array.from({ length: FAULT_N }, (_, j) => `s${j}`),
  fields: new Map([['close', faultClose]]),
  T: FAULT_T,
  N: FAULT_N,
};

/** Evaluates ts_Mean(3,close) and holds it against a plain loop: 'right', what differs, or what it threw. */
async function evaluateOnce(): Promise<string> {
  try {
    const [values] = await evaluateToArrays(faultPanel, [parse('ts_Mean(3,close)')]);
    for (let i = 0; i < values!.length; i++) {
      const t = Math.floor(i / FAULT_N);
      const want = t < 2 ? NaN : (faultClose[i]! + faultClose[i - FAULT_N]! + faultClose[i - 2 * FAULT_N]!) / 3;
      const ok = Number.isNaN(want) ? Number.isNaN(values![i]!) : Math.abs(values![i]! - want) <= 1e-5 * Math.abs(want);
      if (!ok) return `wrong: cell ${i} is ${values![i]}, not ${want}`;
    }
    return 'right';
  } catch (e) {
    return `${(e as Error).name}: ${(e as Error).message}`;
  }
}

/**
 * Makes the device fail on purpose and evaluates after each fault: an invalid call (the next evaluation must
 * throw, the one after must be right again), then, for WebGL, a lost context (last: the backend is unusable after).
 */
async function faultsAfterChecks(asked: BackendName): Promise<FaultReport> {
  const backend = tf.backend() as unknown as { gpgpu?: { gl: WebGL2RenderingContext }; device?: { createBuffer(d: { size: number; usage: number }): unknown } };
  if (asked === 'webgl') backend.gpgpu!.gl.enable(0x1234);
  else backend.device!.createBuffer({ size: 4, usage: 0 });
  const invalid = await evaluateOnce();
  const after = await evaluateOnce();
  if (asked !== 'webgl') return { invalid, after };
  backend.gpgpu!.gl.getExtension('WEBGL_lose_context')!.loseContext();
  return { invalid, after, lost: await evaluateOnce() };
}

/** WebGL where float textures render at 16 bits only (forced here): what `initBackend('webgl')` ends up on. */
async function halfFloatWebGl(): Promise<{ active: string; note?: string }> {
  await import('@tensorflow/tfjs-backend-webgl'); // registers the flag, as initBackend's own import would
  tf.env().set('WEBGL_RENDER_FLOAT32_ENABLED', false);
  const info = await initBackend('webgl');
  return { active: tf.getBackend(), note: info.note };
}

(globalThis as { runKernelChecks?: typeof runKernelChecks }).runKernelChecks = runKernelChecks;
(globalThis as { halfFloatWebGl?: typeof halfFloatWebGl }).halfFloatWebGl = halfFloatWebGl;
document.title = 'alphaflow kernel checks';
