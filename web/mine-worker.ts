/**
 * The page's compute thread: generates the synthetic market, starts a TensorFlow.js backend and runs the miner
 * (src/mine/miner.ts) generation by generation, posting each generation's record and pool back (messages in
 * web/protocol.ts). Mining here keeps the page responsive; the library code is the same the CLI runs, in one
 * thread (the Node worker pool of src/eval/pool.ts is not used in a browser).
 *
 * Backends: src/eval/backend.ts's `auto` (a hardware WebGPU adapter, then hardware WebGL, else the CPU kernels;
 * software GPU emulations are passed over, and wasm, which runs composites, is never picked automatically). An
 * explicit choice is taken as asked, falling back to cpu with the reason if it cannot start.
 */
import { DeviceError, initBackend, largestTensorBytes, panelNeed } from '../src/eval/backend.ts';
import { generateMarket, type SyntheticMarket } from '../src/data/synth.ts';
import { tradingDays } from '../src/data/calendar.ts';
import { mineGenerations } from '../src/mine/miner.ts';
import { FITNESS } from '../src/fitness/registry.ts';
import { MARKET_LIMITS, type BackendReport, type FromWorker, type MarketInfo, type MarketSettings, type ToWorker, type WebBackendChoice } from './protocol.ts';
import { describeLoadError, loadFile, setupMessage } from './worker-data.ts';
import { queueAnalysis, settingsOfConfig, type AnalysisContext, type TearSheetSettings } from './tear-sheet-data.ts';
import type { DataSource, SavedData } from './protocol.ts';
import type { MineConfig } from '../src/mine/config.ts';
import { PauseGate, runSegments } from './run-control.ts';
import type { Checkpoint } from '../src/mine/miner.ts';
import type { Panel } from '../src/data/panel.ts';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';

interface WorkerScope {
  postMessage(message: FromWorker): void;
  addEventListener(type: 'message', listener: (e: MessageEvent<ToWorker>) => void): void;
}
const scope = self as unknown as WorkerScope;
const post = (m: FromWorker): void => scope.postMessage(m);

let market: { key: string; data: SyntheticMarket; info: MarketInfo } | undefined;
let backend: BackendReport | undefined;
let backendChoice: WebBackendChoice | undefined;
/** Set when a GPU backend failed in this page (DeviceError): GPU choices run on the CPU from then on. */
let gpuFailure: string | undefined;
let running: AbortController | undefined;
const gate = new PauseGate();
/** The last bar file loaded (web/worker-data.ts), mined when a run asks for `source: 'file'`. */
let filePanel: Panel | undefined;
let fileName: string | undefined;
let fileLoads = 0;
/** The last run's panel and scoring settings: its pool's tear sheets are scored as the run scored them. */
let lastRun: { panel: Panel; label: string; settings: TearSheetSettings } | undefined;
/**
 * A saved run the page restored after a reload: this fresh worker never held its panel, so it is rebuilt on the
 * first tear sheet asked for (the market from its settings; a file only once the user loads it again).
 */
let restored: { data: SavedData; market?: MarketSettings; config?: MineConfig } | undefined;

function checkMarket(s: MarketSettings): void {
  for (const k of ['stocks', 'days'] as const) {
    const [lo, hi] = MARKET_LIMITS[k];
    if (!Number.isInteger(s[k]) || s[k] < lo || s[k] > hi) throw new RangeError(`${k} must be a whole number in ${lo}..${hi}, got ${s[k]}`);
  }
  if (s.stocks * s.days > MARKET_LIMITS.stockDays) throw new RangeError(`stocks × days must be at most ${MARKET_LIMITS.stockDays.toLocaleString('en')}, got ${(s.stocks * s.days).toLocaleString('en')}`);
  if (!Number.isInteger(s.seed) || s.seed < 0 || s.seed > 2 ** 32 - 1) throw new RangeError(`market seed must be a whole number in 0..${2 ** 32 - 1}, got ${s.seed}`);
}

function getMarket(s: MarketSettings): { data: SyntheticMarket; info: MarketInfo } {
  const key = `${s.stocks}/${s.days}/${s.seed}`;
  if (market?.key === key) return market;
  checkMarket(s);
  const t0 = performance.now();
  const data = generateMarket({ stocks: s.stocks, days: s.days, seed: s.seed });
  const cal = tradingDays(data.panel);
  const info: MarketInfo = {
    settings: { ...s }, stocks: data.panel.N, days: cal.days.length, bars: data.panel.T,
    firstDay: cal.days[0] ?? '', lastDay: cal.days[cal.days.length - 1] ?? '', planted: data.planted,
    ms: performance.now() - t0,
  };
  market = { key, data, info };
  return market;
}

/** Starts `choice`, passed over for cpu where the device cannot bind the panel's tensors (src/eval/backend.ts). */
async function startBackend(choice: WebBackendChoice, panel: Panel | undefined): Promise<BackendReport> {
  const need = panel ? panelNeed(panel.T, panel.N) : undefined;
  // The cpu standing in for a GPU is asked again: the GPU may hold this panel where it could not hold the last.
  const standIn = backend?.name === 'cpu' && choice !== 'cpu' && !gpuFailure;
  if (backend && backendChoice === choice && !standIn && (!need || need.bytes <= largestTensorBytes())) return backend;
  if (choice === 'wasm') {
    // Vite fingerprints the .wasm files; tell the backend where they ended up instead of letting it guess.
    const { setWasmPaths } = await import('@tensorflow/tfjs-backend-wasm');
    setWasmPaths({ 'tfjs-backend-wasm.wasm': wasmPlain, 'tfjs-backend-wasm-simd.wasm': wasmSimd, 'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded });
  }
  if (gpuFailure && choice !== 'cpu' && choice !== 'wasm') {
    await initBackend('cpu');
    backend = { name: 'cpu', skipped: [`${choice}: the GPU failed earlier in this page (${gpuFailure})`] };
    backendChoice = choice;
    return backend;
  }
  const info = await initBackend(choice, need);
  backend = { name: info.name, skipped: [...(info.skipped ?? []), ...(info.name !== choice && choice !== 'auto' && info.note ? [info.note] : [])] };
  backendChoice = choice;
  return backend;
}

async function run(msg: Extract<ToWorker, { type: 'start' | 'start-setup' }>, resume?: Checkpoint): Promise<void> {
  const abort = new AbortController();
  running = abort;
  restored = undefined;
  // A pause asked for as the previous run ended must not hold this one.
  gate.resume();
  const t0 = performance.now();
  try {
    const fromFile = msg.type === 'start-setup' && msg.source === 'file';
    if (fromFile && !filePanel) throw new Error('no data file is loaded: choose one, or mine the synthetic market');
    const m = fromFile ? { data: { panel: filePanel! } } : getMarket(msg.market);
    if ('info' in m) post({ type: 'market', info: m.info });
    post({ type: 'backend', report: await startBackend(msg.backend, m.data.panel) });
    let lastProgress = 0;
    const it = mineGenerations(m.data.panel, { ...(msg.type === 'start-setup' ? msg.config : {}), population: msg.run.population, generations: msg.run.generations, seed: msg.run.seed, fitness: msg.run.fitness }, {
      signal: abort.signal,
      resume,
      onProgress: ({ generation, done, total }) => {
        // Posting every expression would flood the page; a few updates a second are enough for a progress line.
        const now = performance.now();
        if (done !== 0 && done !== total && now - lastProgress < 150) return;
        lastProgress = now;
        post({ type: 'progress', generation, done, total });
      },
    });
    for (;;) {
      const r = await it.next();
      if (r.done) {
        post({ type: 'done', stop: r.value.stop, seconds: (performance.now() - t0) / 1000 });
        break;
      }
      post({ type: 'generation', record: r.value.record, pool: r.value.checkpoint.pool });
      lastRun = { panel: m.data.panel, label: 'info' in m ? `the run's synthetic market (${m.info.stocks} stocks × ${m.info.days} days)` : "the run's data file", settings: settingsOfConfig(r.value.checkpoint.config) };
      post({ type: 'checkpoint', checkpoint: r.value.checkpoint, segments: runSegments(m.data.panel, r.value.checkpoint.config), stop: r.value.stop });
      // A generation settles through promise callbacks only, so without a macrotask break here the page's
      // 'stop' message would wait in the queue until the whole run had ended.
      await new Promise((resolve) => setTimeout(resolve, 0));
      if (r.value.stop === null && (await gate.hold(abort.signal, r.value.record.generation, post))) {
        await it.return(undefined as never);
        post({ type: 'done', stop: 'aborted', seconds: (performance.now() - t0) / 1000 });
        break;
      }
    }
  } catch (e) {
    let message = (e as Error).message ?? String(e);
    if (e instanceof DeviceError) {
      // A lost or failing GPU stays so in this page (tfjs cannot start its backend twice): the CPU from now on.
      gpuFailure = message;
      backend = undefined;
      message += '; later runs in this page use the CPU (reload the page to try the GPU again)';
    }
    post({ type: 'error', message, during: 'run' });
  } finally {
    running = undefined;
  }
}

type Held = { panel: Panel | undefined; label: string; settings: TearSheetSettings | undefined; missing?: string };

/** The restored run's panel and split; a panel that cannot be had comes back undefined with the reason. */
function restoredContext(r: NonNullable<typeof restored>): Held {
  const settings = r.config ? settingsOfConfig(r.config) : undefined;
  if (r.data.kind === 'file') {
    const name = r.data.name;
    if (filePanel && fileName === name) return { panel: filePanel, label: `the saved run's data file (${name})`, settings };
    return {
      panel: undefined, label: '', settings,
      missing: `the saved run mined the file ${name}, which this page does not keep after a reload: load ${name} again (Data, Bar file) to see its factors' tear sheets`,
    };
  }
  if (!r.market) return { panel: undefined, label: '', settings, missing: "the saved run's market settings were not saved" };
  try {
    const m = getMarket(r.market);
    return { panel: m.data.panel, label: `the saved run's synthetic market (${m.info.stocks} stocks × ${m.info.days} days, seed ${r.market.seed})`, settings };
  } catch (e) {
    return { panel: undefined, label: '', settings, missing: `the saved run's market could not be rebuilt (${(e as Error).message})` };
  }
}

/**
 * Tear sheets use the last run's data and split (a restored run's, after a reload); before any run, the source
 * the page shows, split 50/25/25.
 */
function analysisContext(source: DataSource | undefined): AnalysisContext {
  const held: Held | undefined = lastRun ?? (restored ? restoredContext(restored) : undefined) ?? (source === 'file' ? (filePanel ? { panel: filePanel, label: 'the loaded data file', settings: undefined } : undefined)
    : market ? { panel: market.data.panel, label: `the synthetic market (${market.info.stocks} stocks × ${market.info.days} days)`, settings: undefined } : undefined);
  return {
    panel: held?.panel, dataLabel: held?.label ?? '', settings: held?.settings, missing: held?.missing,
    ensureBackend: async () => {
      if (!backend) post({ type: 'backend', report: await startBackend('auto', held?.panel) });
    },
  };
}

scope.addEventListener('message', (e) => {
  const msg = e.data;
  switch (msg.type) {
    case 'market':
      try {
        post({ type: 'market', info: getMarket(msg.market).info });
      } catch (err) {
        post({ type: 'error', message: (err as Error).message, during: 'market' });
      }
      return;
    case 'start':
      if (running) post({ type: 'error', message: 'a run is already in progress', during: 'run' });
      else void run(msg);
      return;
    case 'start-setup':
      if (running) post({ type: 'error', message: 'a run is already in progress', during: 'run' });
      else void run(msg);
      return;
    case 'load': {
      const bytes = new Uint8Array(msg.bytes);
      // A new file replaces the old one even if it fails, so a run never mines data the page no longer shows.
      filePanel = undefined;
      fileName = undefined;
      // Only the latest of overlapping loads may answer: a slow earlier file must not replace a later one.
      const id = ++fileLoads;
      loadFile(msg.name, bytes).then(
        ({ panel, info }) => {
          if (id !== fileLoads) return;
          filePanel = panel;
          fileName = msg.name;
          post({ type: 'loaded', info });
        },
        async (err) => {
          const error = await describeLoadError(err, msg.name, bytes);
          if (id === fileLoads) post({ type: 'load-error', error });
        },
      );
      return;
    }
    case 'tear-sheet':
    case 'pool-corr':
      queueAnalysis(msg, () => analysisContext(msg.source), post);
      return;
    case 'stop':
      running?.abort();
      return;
    case 'pause':
      if (running) gate.pause();
      return;
    case 'resume':
      gate.resume();
      return;
    case 'resume-run':
      if (running) post({ type: 'error', message: 'a run is already in progress', during: 'run' });
      else void run({ type: 'start', market: msg.market, run: msg.run, backend: msg.backend }, msg.checkpoint);
      return;
    case 'restored':
      // Ignored mid-run: the run in progress is what the page shows.
      if (running) return;
      lastRun = undefined;
      restored = { data: msg.data, market: msg.market, config: msg.config };
      return;
  }
});

post(setupMessage());
post({ type: 'ready', fitness: FITNESS.names().map((name) => ({ name, description: FITNESS.get(name).description })) });
