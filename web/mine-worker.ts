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
import { initBackend } from '../src/eval/backend.ts';
import { generateMarket, type SyntheticMarket } from '../src/data/synth.ts';
import { tradingDays } from '../src/data/calendar.ts';
import { mineGenerations } from '../src/mine/miner.ts';
import { FITNESS } from '../src/fitness/registry.ts';
import { MARKET_LIMITS, type BackendReport, type FromWorker, type MarketInfo, type MarketSettings, type ToWorker, type WebBackendChoice } from './protocol.ts';
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
let running: AbortController | undefined;

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

async function startBackend(choice: WebBackendChoice): Promise<BackendReport> {
  if (backend && backendChoice === choice) return backend;
  if (choice === 'wasm') {
    // Vite fingerprints the .wasm files; tell the backend where they ended up instead of letting it guess.
    const { setWasmPaths } = await import('@tensorflow/tfjs-backend-wasm');
    setWasmPaths({ 'tfjs-backend-wasm.wasm': wasmPlain, 'tfjs-backend-wasm-simd.wasm': wasmSimd, 'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded });
  }
  const info = await initBackend(choice);
  backend = { name: info.name, skipped: [...(info.skipped ?? []), ...(info.name !== choice && choice !== 'auto' && info.note ? [info.note] : [])] };
  backendChoice = choice;
  return backend;
}

async function run(msg: Extract<ToWorker, { type: 'start' }>): Promise<void> {
  const abort = new AbortController();
  running = abort;
  const t0 = performance.now();
  try {
    const m = getMarket(msg.market);
    post({ type: 'market', info: m.info });
    post({ type: 'backend', report: await startBackend(msg.backend) });
    let lastProgress = 0;
    const it = mineGenerations(m.data.panel, { population: msg.run.population, generations: msg.run.generations, seed: msg.run.seed, fitness: msg.run.fitness }, {
      signal: abort.signal,
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
      // A generation settles through promise callbacks only, so without a macrotask break here the page's
      // 'stop' message would wait in the queue until the whole run had ended.
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
  } catch (e) {
    post({ type: 'error', message: (e as Error).message ?? String(e), during: 'run' });
  } finally {
    running = undefined;
  }
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
    case 'stop':
      running?.abort();
      return;
  }
});

post({ type: 'ready', fitness: FITNESS.names().map((name) => ({ name, description: FITNESS.get(name).description })) });
