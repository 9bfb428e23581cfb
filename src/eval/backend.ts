/**
 * TensorFlow.js set-up: registers every operator's kernels from the operator table through the tfjs kernel
 * registry, keyed by (kernel name, backend), and starts the backend a command asks for. Backends with custom
 * kernels (cpu, webgpu, webgl) run the table's kernels; any other (wasm, tfjs-node's `tensorflow`) runs each
 * operator's composite of standard tfjs ops (src/eval/evaluate.ts decides per call through the registry).
 * Backend packages other than cpu are imported only when asked for, so Node never loads WebGPU or WebGL code.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { OPS } from '../ops/table.ts';
import { registerMetricKernels } from '../fitness/metric_kernels.ts';
import type { DeviceKernel, HostKernel, OpSpec } from '../ops/types.ts';
import type { WebGpuBackendLike } from '../../kernels/webgpu/program.ts';

/** Backends a command can ask for; `auto` picks among them (see `initBackend`). */
export const BACKENDS = ['cpu', 'wasm', 'webgpu', 'webgl', 'tensorflow'] as const;
export type BackendName = (typeof BACKENDS)[number];
export type BackendChoice = BackendName | 'auto';
export const BACKEND_CHOICES: readonly BackendChoice[] = ['auto', ...BACKENDS];

/** Input names of an operator's tensors in the kernel call, by position. */
export function inputNames(op: OpSpec): string[] {
  return op.args.map((_, i) => `x${i}`);
}

function operands(op: OpSpec, inputs: tf.NamedTensorInfoMap): { infos: tf.TensorInfo[]; T: number; N: number } {
  const infos = inputNames(op).map((n) => {
    const info = inputs[n];
    if (!info) throw new Error(`${op.name}: missing input ${n}`);
    return info;
  });
  const [T, N] = infos[0].shape;
  for (const info of infos) {
    if (info.shape.length !== 2 || info.shape[0] !== T || info.shape[1] !== N) {
      throw new Error(`${op.name}: operand shapes differ ([${infos[0].shape}] vs [${info.shape}])`);
    }
  }
  return { infos, T, N };
}

/** Adapts a typed-array kernel to the tfjs `cpu` backend: reads operands in place, returns a fresh tensor. */
function hostKernelFunc(op: OpSpec, kernel: HostKernel): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const cpu = backend as MathBackendCPU;
    const { infos, T, N } = operands(op, inputs);
    const xs = infos.map((info) => cpu.readSync(info.dataId) as Float32Array);
    const out = takeBuffer(T * N);
    kernel({ xs, T, N, window: (attrs?.window as number | undefined) ?? 0, out });
    return cpu.makeTensorInfo([T, N], 'float32', out);
  };
}

/** Adapts a device kernel (WebGPU, WebGL): operands and output stay on the device. */
function deviceKernelFunc<B>(op: OpSpec, kernel: DeviceKernel<B>): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { infos, T, N } = operands(op, inputs);
    return kernel({ backend: backend as unknown as B, inputs: infos, T, N, window: (attrs?.window as number | undefined) ?? 0 });
  };
}

/**
 * Output buffers of released intermediates, reused for the next kernel outputs of the same size: allocating
 * a fresh multi-megabyte array costs about as much as a simple elementwise kernel. Kernels write every cell.
 */
const freeBuffers: Float32Array[] = [];
const MAX_FREE_BUFFERS = 8;

function takeBuffer(size: number): Float32Array {
  for (let i = freeBuffers.length - 1; i >= 0; i--) {
    if (freeBuffers[i].length === size) return freeBuffers.splice(i, 1)[0];
  }
  return new Float32Array(size);
}

/**
 * Disposes a tensor that nothing else will read; on the `cpu` backend its array is kept for reuse when no
 * other tensor shares it.
 */
export function disposeIntermediate(t: tf.Tensor): void {
  if (tf.getBackend() === 'cpu' && !t.isDisposed) {
    const cpu = tf.backend() as MathBackendCPU;
    if (cpu.refCount(t.dataId) === 1 && freeBuffers.length < MAX_FREE_BUFFERS) {
      const values = cpu.readSync(t.dataId);
      if (values instanceof Float32Array) freeBuffers.push(values);
    }
  }
  t.dispose();
}

let registered = false;

/** Registers all table kernels for every custom-kernel backend, and the metrics' kernels (idempotent). */
export function registerOpKernels(): void {
  if (registered) return;
  registered = true;
  registerMetricKernels();
  for (const op of OPS) {
    const funcs: Record<string, tf.KernelFunc> = {
      cpu: hostKernelFunc(op, op.kernels.cpu),
      webgpu: deviceKernelFunc(op, op.kernels.webgpu),
      webgl: deviceKernelFunc(op, op.kernels.webgl),
    };
    for (const [backendName, kernelFunc] of Object.entries(funcs)) {
      if (!tf.getKernel(op.kernelName, backendName)) tf.registerKernel({ kernelName: op.kernelName, backendName, kernelFunc });
    }
  }
}

/** Whether the active backend runs `op` through a registered kernel (else its composite). */
export function hasCustomKernel(op: OpSpec): boolean {
  return tf.getKernel(op.kernelName, tf.getBackend()) !== undefined;
}

/** The backend that ended up active, and what the user should be told about how it was chosen. */
export interface BackendInfo {
  readonly name: BackendName;
  /** Set when the choice was automatic, a fallback happened or there is a device to name: one line for stderr. */
  readonly note?: string;
  /** With `auto`: the faster backends passed over, each with the reason. */
  readonly skipped?: readonly string[];
}

/** What must fit the device: the largest tensor a job makes (a `[T, N]` float32 panel), and how to name it. */
export interface DeviceNeed {
  readonly bytes: number;
  readonly what: string;
}

/** The need of evaluating on a `T x N` panel: every field and intermediate is one `[T, N]` float32 tensor. */
export function panelNeed(T: number, N: number): DeviceNeed {
  return { bytes: T * N * 4, what: `a ${T} x ${N} panel` };
}

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(bytes < 2 ** 24 ? 1 : 0)} MiB`;

/**
 * A tensor larger than the active device can hand to a kernel. WebGPU binds at most
 * maxStorageBufferBindingSize bytes of a buffer to a shader (128 MiB on some adapters, Mesa's llvmpipe among
 * them), and past it does not throw: the dispatch fails validation on the device's error scope and the
 * output reads back as zeros. So sizes are checked before the work, and this is thrown instead.
 */
export class DeviceLimitError extends Error {
  constructor(readonly need: DeviceNeed, readonly limit: number) {
    super(`${need.what} needs ${mib(need.bytes)} per tensor, more than this ${tf.getBackend()} device binds (${mib(limit)})`);
    this.name = 'DeviceLimitError';
  }
}

/** The largest tensor, in bytes, the active backend can hand a kernel: WebGPU's binding limit; unbounded elsewhere. */
export function largestTensorBytes(): number {
  if (tf.getBackend() !== 'webgpu') return Infinity;
  const limits = (tf.backend() as unknown as WebGpuBackendLike).device?.limits;
  // WebGPU's guaranteed minimum where the device does not say.
  return Math.min(limits?.maxStorageBufferBindingSize ?? 2 ** 27, limits?.maxBufferSize ?? Infinity);
}

/** Why `need` does not fit the active backend, or undefined when it does. */
function misfit(need: DeviceNeed | undefined): DeviceLimitError | undefined {
  const limit = largestTensorBytes();
  return need && need.bytes > limit ? new DeviceLimitError(need, limit) : undefined;
}

/** Throws DeviceLimitError when `need` does not fit the active backend. */
export function assertFits(need: DeviceNeed): void {
  const error = misfit(need);
  if (error) throw error;
}

// Module names held in variables: bundlers and type checkers must not require these optional packages.
const TFJS_NODE_GPU = '@tensorflow/tfjs-node-gpu';
const TFJS_NODE = '@tensorflow/tfjs-node';
const DAWN_NODE = 'webgpu';

interface GpuLike {
  requestAdapter(o?: object): Promise<unknown>;
}

function runtimeGpu(): GpuLike | undefined {
  return (globalThis.navigator as { gpu?: GpuLike } | undefined)?.gpu;
}

/**
 * Node has no WebGPU of its own: when the optional `webgpu` package (Dawn's Node binding) is installed, its
 * `navigator.gpu` is installed globally so tfjs-backend-webgpu finds it. Throws with the reason otherwise.
 */
async function ensureWebGpu(): Promise<GpuLike> {
  const present = runtimeGpu();
  if (present) return present;
  let mod: { create(flags: string[]): GpuLike; globals: object };
  try {
    mod = await import(/* @vite-ignore */ DAWN_NODE);
  } catch {
    throw new Error('this runtime has no WebGPU (navigator.gpu); in Node, `npm install webgpu` adds Dawn\'s binding');
  }
  const gpu = mod.create([]);
  Object.assign(globalThis, mod.globals);
  const g = globalThis as { navigator?: object };
  if (!g.navigator) g.navigator = { gpu };
  else Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true });
  return gpu;
}

/** Imports a backend's package so that tfjs knows its factory; throws with the reason when it cannot. */
async function loadBackend(name: BackendName): Promise<void> {
  if (tf.findBackendFactory(name)) return;
  switch (name) {
    case 'cpu':
      return;
    case 'wasm':
      await import('@tensorflow/tfjs-backend-wasm');
      return;
    case 'webgpu':
      // auto has just seen one; otherwise ask, so that "no adapter" is said plainly instead of by tfjs.
      if (!adapterSeen && !(await (await ensureWebGpu()).requestAdapter())) throw new Error('WebGPU found no adapter');
      await import('@tensorflow/tfjs-backend-webgpu');
      return;
    case 'webgl':
      if (typeof document === 'undefined' && typeof OffscreenCanvas === 'undefined') throw new Error('this runtime has no WebGL (no canvas)');
      await import('@tensorflow/tfjs-backend-webgl');
      return;
    case 'tensorflow': {
      const errors: string[] = [];
      for (const pkg of [TFJS_NODE_GPU, TFJS_NODE]) {
        try {
          await import(/* @vite-ignore */ pkg);
          if (tf.findBackendFactory('tensorflow')) return;
          errors.push(`${pkg} loaded but registered no 'tensorflow' backend (a second copy of @tensorflow/tfjs-core?)`);
        } catch (e) {
          errors.push(`${pkg}: ${firstLine(e)}`);
        }
      }
      throw new Error(`tfjs-node is not usable (${errors.join('; ')}); see the README, "CUDA"`);
    }
  }
}

function firstLine(e: unknown): string {
  return String((e as Error)?.message ?? e).split('\n')[0];
}

async function activate(name: BackendName): Promise<void> {
  await loadBackend(name);
  if (tf.getBackend() === name) return;
  let ok = false;
  try {
    ok = await tf.setBackend(name);
  } catch (e) {
    throw new Error(firstLine(e));
  }
  if (!ok) throw new Error('tfjs could not start it');
  await tf.ready();
  // Where float textures cannot be rendered at 32 bits (some mobile GPUs), tfjs computes in 16-bit floats: ranks
  // past 2,048 stocks, windows of sums and every metric would come out wrong without any error.
  if (name === 'webgl' && !tf.env().getBool('WEBGL_RENDER_FLOAT32_ENABLED')) {
    throw new Error('this GPU renders float textures at 16 bits only, and the kernels need 32-bit floats');
  }
  if (name === 'webgpu') watchDevice();
  // tfjs's start-up probes (which float textures render) may leave error flags that are no fault of the work.
  const gl = webGlContext();
  if (gl && !gl.isContextLost()) glErrors(gl);
}

/**
 * A GPU device that reported an error. WebGPU raises validation and out-of-memory errors on the device, not as
 * exceptions where the call was made, and the work that hit one yields zeros; so does a WebGL call that failed
 * (out of memory), and a lost WebGL context makes every later draw a no-op; tfjs watches none of these. So every
 * error a WebGPU device reports is kept, a WebGL context is asked for its errors and whether it is lost, and the
 * readers of results (the Scorer, evaluateToArrays) throw this once their values are back, rather than hand on
 * numbers computed from invalid buffers.
 */
export class DeviceError extends Error {
  constructor(readonly messages: readonly string[]) {
    super(`the ${tf.getBackend()} device reported ${messages.length === 1 ? 'an error' : `${messages.length} errors`}, so results computed since are not trustworthy: ${messages[0]}`);
    this.name = 'DeviceError';
  }
}

interface WatchedDevice {
  addEventListener(type: 'uncapturederror', listener: (e: { error?: { message?: string } }) => void): void;
  readonly lost?: Promise<{ message?: string }>;
}

const deviceErrors: string[] = [];
const watched = new WeakSet<object>();
/** Set when the WebGPU device is lost; the reads waiting then are failed through `waitingReads`. */
let deviceLost: string | undefined;
const waitingReads = new Set<(e: DeviceError) => void>();

function watchDevice(): void {
  const device = (tf.backend() as unknown as WebGpuBackendLike).device as (WatchedDevice & object) | undefined;
  if (!device || watched.has(device) || typeof device.addEventListener !== 'function') return;
  watched.add(device);
  deviceLost = undefined;
  device.addEventListener('uncapturederror', (e) => {
    // Kept short: a burst of one fault can raise it for every dispatch.
    if (deviceErrors.length < 20) deviceErrors.push(firstLine(e.error?.message ?? 'unknown device error'));
  });
  void device.lost?.then((info) => {
    deviceLost = `the WebGPU device was lost: ${info?.message || 'no reason given'}`;
    for (const fail of waitingReads) fail(new DeviceError([deviceLost]));
  });
}

const CONTEXT_LOST = 'the WebGL context was lost (the browser or its driver reset the GPU)';

interface GlLike {
  isContextLost(): boolean;
  getError(): number;
}

function webGlContext(): GlLike | undefined {
  return tf.getBackend() === 'webgl' ? (tf.backend() as unknown as { gpgpu?: { gl?: GlLike } }).gpgpu?.gl : undefined;
}

const GL_ERROR_NAMES: Record<number, string> = {
  0x500: 'INVALID_ENUM', 0x501: 'INVALID_VALUE', 0x502: 'INVALID_OPERATION', 0x505: 'OUT_OF_MEMORY',
  0x506: 'INVALID_FRAMEBUFFER_OPERATION', 0x9242: 'CONTEXT_LOST_WEBGL',
};

/**
 * The errors a WebGL context has raised since it was last asked. tfjs asks only in debug mode, so in production
 * a failed call (a texture the GPU had no memory for) goes unnoticed and the draws that use it yield zeros.
 * getError hands the flags back one per call and clears each; a context keeps only a few.
 */
function glErrors(gl: GlLike): string[] {
  const names: string[] = [];
  for (let i = 0; i < 8; i++) {
    const code = gl.getError();
    if (!code) break;
    names.push(GL_ERROR_NAMES[code] ?? `0x${code.toString(16)}`);
  }
  return names;
}

/** Throws DeviceError when the device has reported errors since the last call (and forgets them). */
export function assertDeviceHealthy(): void {
  const gl = webGlContext();
  // A lost WebGL context (a browser resetting its GPU, a long draw) turns every later draw into a no-op.
  if (gl?.isContextLost()) deviceErrors.push(CONTEXT_LOST);
  else if (gl) {
    const failed = glErrors(gl);
    const oom = failed.includes('OUT_OF_MEMORY') ? ': the GPU ran out of memory' : '';
    if (failed.length) deviceErrors.push(`the WebGL context reported ${failed.join(', ')} (a GL call failed${oom}, and the work that used it computed nothing)`);
  }
  if (deviceErrors.length === 0) return;
  throw new DeviceError(deviceErrors.splice(0));
}

/**
 * Awaits a read of results from the active backend: rejects with DeviceError should the device be lost meanwhile
 * (a read from a lost WebGL context waits forever on tfjs's fence; a lost WebGPU device rejects with a bare
 * message), and once it resolves, when the device has reported an error (assertDeviceHealthy). Every read of
 * results from a backend goes through here.
 */
export async function deviceRead<T>(read: Promise<T>): Promise<T> {
  const name = tf.getBackend();
  if (name !== 'webgl' && name !== 'webgpu') return read;
  // Also where the caller started the backend itself (tf.setBackend) rather than through initBackend.
  if (name === 'webgpu') watchDevice();
  let timer: ReturnType<typeof setInterval> | undefined;
  let fail: ((e: DeviceError) => void) | undefined;
  const lost = new Promise<never>((_, reject) => {
    if (name === 'webgl') {
      const gl = webGlContext();
      timer = setInterval(() => gl?.isContextLost() && reject(new DeviceError([CONTEXT_LOST])), 100);
    } else if (deviceLost) {
      reject(new DeviceError([deviceLost]));
    } else {
      // One handler on the device's `lost` for all reads (watchDevice), not one per read that outlives it.
      fail = reject;
      waitingReads.add(reject);
    }
  });
  // Whichever settles second is nobody's business.
  read.catch(() => undefined);
  lost.catch(() => undefined);
  try {
    const value = await Promise.race([read, lost]);
    assertDeviceHealthy();
    return value;
  } catch (e) {
    if (e instanceof DeviceError) throw e;
    // A read that failed because the device went (its `lost` may settle a moment after the read's rejection).
    await new Promise((resolve) => setTimeout(resolve, 0));
    const gone = name === 'webgpu' ? deviceLost : webGlContext()?.isContextLost() ? CONTEXT_LOST : undefined;
    throw gone ? new DeviceError([gone]) : e;
  } finally {
    if (timer !== undefined) clearInterval(timer);
    if (fail) waitingReads.delete(fail);
  }
}

/** Set once an adapter was found, so that starting the backend does not ask for one a second time. */
let adapterSeen = false;

/** Software renderers and adapters (CPU emulations of a GPU): slower than the host kernels. */
const SOFTWARE = /llvmpipe|swiftshader|lavapipe|software|basic render/i;

type AdapterInfoLike = { isFallbackAdapter?: boolean; description?: string; vendor?: string; architecture?: string };

/** What an adapter's info calls it (vendor, architecture, description), for messages and logs. */
function adapterLabel(info: AdapterInfoLike | undefined): string {
  return [info?.vendor, info?.architecture, info?.description].filter(Boolean).join(' ') || 'unnamed adapter';
}

/**
 * The name of the adapter WebGPU hands out (tfjs keeps only vendor and architecture), so that a log shows which
 * device ran; undefined where this runtime has no WebGPU adapter.
 */
export async function webGpuAdapterLabel(): Promise<string | undefined> {
  const adapter = (await runtimeGpu()?.requestAdapter({ powerPreference: 'high-performance' })) as { info?: AdapterInfoLike } | null | undefined;
  return adapter ? adapterLabel(adapter.info) : undefined;
}

/** A hardware WebGPU adapter's description, or the reason there is none worth using. */
async function hardwareWebGpu(): Promise<{ gpu: string } | { why: string }> {
  let gpu: GpuLike;
  try {
    gpu = await ensureWebGpu();
  } catch {
    return { why: 'webgpu: none in this runtime' };
  }
  try {
    const adapter = (await gpu.requestAdapter({ powerPreference: 'high-performance' })) as { isFallbackAdapter?: boolean; info?: AdapterInfoLike } | null;
    if (!adapter) return { why: 'webgpu: no adapter' };
    adapterSeen = true;
    const d = adapterLabel(adapter.info);
    if (adapter.isFallbackAdapter || adapter.info?.isFallbackAdapter || SOFTWARE.test(d)) return { why: `webgpu: software adapter only (${d}), slower than the CPU kernels` };
    return { gpu: d };
  } catch (e) {
    return { why: `webgpu: ${firstLine(e)}` };
  }
}

/** The WebGL 2 renderer's name when it is a hardware one, or the reason to pass over WebGL. */
function hardwareWebGl(): { gpu: string } | { why: string } {
  let canvas: { getContext(kind: 'webgl2'): WebGL2RenderingContext | null } | undefined;
  if (typeof OffscreenCanvas !== 'undefined') canvas = new OffscreenCanvas(1, 1);
  else if (typeof document !== 'undefined') canvas = document.createElement('canvas');
  if (!canvas) return { why: 'webgl: none in this runtime' };
  const gl = canvas.getContext('webgl2');
  if (!gl) return { why: 'webgl: no WebGL 2 context' };
  const ext = gl.getExtension('WEBGL_debug_renderer_info');
  const renderer = String(ext ? gl.getParameter(ext.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER));
  gl.getExtension('WEBGL_lose_context')?.loseContext();
  return SOFTWARE.test(renderer) ? { why: `webgl: software renderer only (${renderer.slice(0, 60)}), slower than the CPU kernels` } : { gpu: renderer };
}

/**
 * `auto`: a hardware WebGPU adapter, then tfjs-node-gpu (CUDA), then hardware WebGL, else the host kernels.
 * wasm is never chosen: it runs composites, several times slower than the cpu backend's own kernels.
 */
async function autoBackend(need?: DeviceNeed): Promise<BackendInfo> {
  const skipped: string[] = [];
  const chosen = (name: BackendName, why: string): BackendInfo => ({ name, note: `backend: ${name} (auto: ${why})`, skipped });
  const webgpu = await hardwareWebGpu();
  if ('gpu' in webgpu) {
    try {
      await activate('webgpu');
      const tooLarge = misfit(need);
      if (!tooLarge) return chosen('webgpu', webgpu.gpu);
      skipped.push(`webgpu: ${tooLarge.message}`);
    } catch (e) {
      skipped.push(`webgpu: ${firstLine(e)}`);
    }
  } else skipped.push(webgpu.why);
  // Only the CUDA build is worth choosing over the host kernels: tfjs-node on the CPU runs composites.
  let cuda = false;
  try {
    await import(/* @vite-ignore */ TFJS_NODE_GPU);
    cuda = true;
  } catch {
    skipped.push('tensorflow: @tensorflow/tfjs-node-gpu not installed');
  }
  if (cuda) {
    try {
      await activate('tensorflow');
      return chosen('tensorflow', '@tensorflow/tfjs-node-gpu, CUDA');
    } catch (e) {
      skipped.push(`tensorflow: ${firstLine(e)}`);
    }
  }
  const webgl = hardwareWebGl();
  if ('gpu' in webgl) {
    try {
      await activate('webgl');
      return chosen('webgl', webgl.gpu);
    } catch (e) {
      skipped.push(`webgl: ${firstLine(e)}`);
    }
  } else skipped.push(webgl.why);
  await activate('cpu');
  return chosen('cpu', skipped.join('; '));
}

/**
 * Quiets tfjs's debug checks, registers kernels and activates a backend. An explicit backend that fails to
 * start falls back to `cpu`, and the returned note says why; `auto` picks the fastest present (a hardware
 * WebGPU adapter, then tfjs-node-gpu, then WebGL in a browser, else the host kernels) and says which. With a
 * `need` (panelNeed of the job's panel), a device that cannot bind tensors that large is passed over the same way.
 */
export async function initBackend(choice?: BackendChoice, need?: DeviceNeed): Promise<BackendInfo> {
  tf.env().set('PROD', true);
  registerOpKernels();
  // Library calls without a choice keep whatever a command started (a miner after `--backend webgpu`).
  if (choice === undefined && active && tf.getBackend() === active.name) return active;
  active = await start(choice ?? 'cpu', need);
  return active;
}

let active: BackendInfo | undefined;

async function start(choice: BackendChoice, need?: DeviceNeed): Promise<BackendInfo> {
  if (choice === 'auto') return autoBackend(need);
  if (!(BACKENDS as readonly string[]).includes(choice)) {
    throw new RangeError(`unknown backend '${choice}' (choose from ${BACKEND_CHOICES.join(', ')})`);
  }
  try {
    await activate(choice);
  } catch (e) {
    if (choice === 'cpu') throw e;
    await activate('cpu');
    return { name: 'cpu', note: `backend '${choice}' failed to initialise (${firstLine(e)}); falling back to cpu` };
  }
  const tooLarge = misfit(need);
  if (tooLarge) {
    await activate('cpu');
    return { name: 'cpu', note: `backend '${choice}' cannot hold the job (${tooLarge.message}); falling back to cpu` };
  }
  if (choice !== 'webgpu') return { name: choice };
  // Name the device, so that a log shows which GPU ran (or that it was a CPU emulation of one).
  const label = await webGpuAdapterLabel().catch(() => undefined);
  if (!label) return { name: choice };
  const soft = SOFTWARE.test(label) ? '; a software adapter, slower than the CPU kernels' : '';
  return { name: choice, note: `backend: webgpu (${label}${soft})` };
}

/**
 * Waits for the WebGPU queue to drain, drops tfjs's webgpu backend and destroys its device; a no-op when
 * WebGPU never started. Commands and test files call it when they are done: a device left alive with work
 * in flight is torn down by the process's exit handlers instead, where drivers that run in-process (Mesa's
 * software drivers in CI) have aborted (that abort has another cause as well: scripts/deno_test.ts). Afterwards
 * `webgpu` cannot be started again in this process.
 */
export async function releaseBackend(): Promise<void> {
  // engine.registry, not tf.findBackend: findBackend would start a backend that was never used.
  const registry = (tf.engine() as unknown as { registry: Record<string, unknown> }).registry;
  const device = (registry.webgpu as WebGpuBackendLike | undefined)?.device;
  if (!device) return;
  await device.queue.onSubmittedWorkDone();
  if (active?.name === 'webgpu') active = undefined;
  tf.removeBackend('webgpu');
  device.destroy();
}

/** Whether `choice` names a backend (or auto); for validating user input before any work. */
export function isBackendChoice(choice: string): choice is BackendChoice {
  return (BACKEND_CHOICES as readonly string[]).includes(choice);
}
