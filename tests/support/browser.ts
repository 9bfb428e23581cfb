/**
 * The harness the browser tests share (tests/web_*.test.ts and tests/browser_kernels.test.ts): Debian's Chromium
 * driven by playwright-core, pages served from a throwaway static server on 127.0.0.1, the Vite build of web/
 * they load, and the page probes (problems reported by the page, pixels painted on a canvas) their assertions
 * read. Kept in one place so the launch flags, the skip rule and the server cannot drift apart between files.
 * Vite and playwright-core are imported only when a test starts, so Deno can load every browser test file and
 * report it as skipped.
 */
import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize, sep } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { PROJECT_ROOT } from './paths.ts';

export const CHROMIUM = '/usr/bin/chromium';
export const ARTIFACTS = join(PROJECT_ROOT, 'test-artifacts');

/**
 * Why a browser test file cannot run here, or undefined; also printed, because a skip is easy to miss in a
 * long run. `name` is the file's stem, `unchecked` what goes untested without Chromium.
 */
export function browserSkip(name: string, unchecked: string): string | undefined {
  const reason = 'Deno' in globalThis
    ? `runs under Node only (npx tsx --test tests/${name}.test.ts): it drives Chromium with playwright-core`
    : !existsSync(CHROMIUM)
      ? `no Chromium at ${CHROMIUM}: ${unchecked} (install chromium, as .ci/run does)`
      : undefined;
  if (reason) console.warn(`${name}: skipped: ${reason}`);
  return reason;
}

const ARGS = [
  // Containers here have no user namespaces for Chromium's sandbox, and often run as root, which it refuses.
  '--no-sandbox',
  // The container has no network: keep Chromium from trying to reach Google's services.
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  // WebGL through ANGLE on SwiftShader, the same on every machine (the app's `auto` passes over software
  // renderers anyway); newer Chromium refuses the software GL fallback unless it is explicitly allowed.
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
];

/**
 * Added to the shared flags by the tests that need WebGPU (tests/browser_kernels.test.ts, tests/web_backends.test.ts).
 * WebGPU is off by default on Linux. `--enable-unsafe-webgpu` alone (on a secure origin, hence 127.0.0.1 rather
 * than about:blank, where navigator.gpu is undefined) gives Dawn's SwiftShader Vulkan adapter in Chromium 150
 * without a GPU; --use-webgpu-adapter=swiftshader pins that adapter so a machine with a real GPU runs the same
 * software path (checked: the adapter reports vendor google, architecture swiftshader).
 */
export const WEBGPU_ARGS: readonly string[] = ['--enable-unsafe-webgpu', '--use-webgpu-adapter=swiftshader'];

/** Chromium with the shared flags and `extraArgs`; test-artifacts/ exists once it returns. */
export async function launch(extraArgs: readonly string[] = []): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: [...ARGS, ...extraArgs] });
  mkdirSync(ARTIFACTS, { recursive: true });
  return browser;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
};

export interface StaticServer {
  url: string;
  close(): Promise<void>;
}

/**
 * Serves `dir` on 127.0.0.1 at a free port (a secure context, which WebGPU requires, unlike about:blank).
 * `prefix` serves it under a sub-path instead of the root, to catch pages that assume they live at `/`.
 * `quietFavicon` answers a missing favicon.ico with 204, so Chromium's own request for it leaves no 404 in a
 * page console that failures print.
 */
export async function serveStatic(dir: string, options: { prefix?: string; quietFavicon?: boolean } = {}): Promise<StaticServer> {
  const prefix = options.prefix ?? '/';
  const server = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0]!);
    if (!path.startsWith(prefix)) {
      res.writeHead(404).end();
      return;
    }
    const rel = path.slice(prefix.length) || 'index.html';
    const file = normalize(join(dir, rel));
    if (!file.startsWith(dir + sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(options.quietFavicon && rel === 'favicon.ico' ? 204 : 404).end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    res.end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  if (!addr || typeof addr === 'string') throw new Error('no server address');
  return {
    url: `http://127.0.0.1:${addr.port}${prefix}`,
    close: () => new Promise<void>((resolve) => {
      // Chromium may still hold keep-alive connections, and close() alone waits for them to end.
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/**
 * Bundles the page module `entry` (a path under the project root) with esbuild into `dir`/page.js and writes the
 * `index.html` that loads it, titled `title`.
 */
export async function buildModulePage(entry: string, dir: string, title: string): Promise<void> {
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [join(PROJECT_ROOT, entry)],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    outfile: join(dir, 'page.js'),
    logLevel: 'silent',
    // What a page never loads: tfjs-node (imported by name only for the `tensorflow` backend), and Node's own
    // modules, which only the worker-thread pool behind evaluateToArrays' `workers` option imports.
    external: ['@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu', 'node:*'],
  });
  assert.deepEqual(result.errors, []);
  writeFileSync(join(dir, 'index.html'), `<!doctype html><meta charset="utf-8"><title>${title}</title><body><script type="module" src="page.js"></script></body>`);
}

let site: Promise<string> | undefined;

/**
 * The Vite build of web/ in a temporary folder, built once per process (node --test gives each file its own)
 * and removed when the process exits, since any test in the process may still be serving it until then.
 */
export function buildWebSite(): Promise<string> {
  site ??= (async () => {
    const out = mkdtempSync(join(tmpdir(), 'alphaflow-web-'));
    process.once('exit', () => rmSync(out, { recursive: true, force: true }));
    const { build } = await import('vite');
    const t0 = performance.now();
    await build({ configFile: join(PROJECT_ROOT, 'vite.config.ts'), logLevel: 'warn', build: { outDir: out, emptyOutDir: true } });
    console.log(`vite build: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    assert.ok(existsSync(join(out, 'index.html')), 'the build wrote index.html');
    return out;
  })();
  return site;
}

export interface WebApp {
  /** The served site; set once the suite's `before` hook has run. */
  url: string;
  browser: Browser;
}

/**
 * Registers, in the enclosing describe(), the hooks that build and serve the web app and launch Chromium for
 * its tests, and close them after. The returned object is filled in by the `before` hook, so read it in tests,
 * not at describe time. `launchArgs` go to Chromium on top of the shared flags (e.g. WEBGPU_ARGS).
 */
export function useWebApp(prefix = '/', launchArgs: readonly string[] = []): WebApp {
  const app = { url: '' } as WebApp;
  let server: StaticServer | undefined;
  before(async () => {
    server = await serveStatic(await buildWebSite(), { prefix });
    app.url = server.url;
    app.browser = await launch(launchArgs);
  });
  after(async () => {
    await app.browser?.close();
    await server?.close();
  });
  return app;
}

/**
 * Collects what a page reports going wrong into `problems`, for a final `assert.deepEqual(problems, [])`:
 * uncaught errors always, console errors unless `console` is false, failed requests (HTTP 400 and up) if `http`.
 */
export function recordProblems(page: Page, problems: string[], options: { console?: boolean; http?: boolean } = {}): void {
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  if (options.console ?? true) {
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
    });
  }
  if (options.http) {
    page.on('response', (r) => {
      if (r.status() >= 400) problems.push(`HTTP ${r.status()} ${r.url()}`);
    });
  }
}

export interface CanvasPixels {
  width: number;
  height: number;
  /** Pixels drawn at all (alpha above 0). */
  painted: number;
  /** Painted pixels with a clear colour (channel spread above 40), i.e. data series rather than grey axes. */
  tinted: number;
  /** Pixels within `tolerance` of `color` on every channel and more opaque than `minAlpha`. */
  near: number;
}

/**
 * Per canvas under `selector` (the locator pierces shadow roots): its size and pixel counts. Counting pixels
 * is how these tests tell a chart that drew its data from one that only drew its frame.
 */
export async function canvasPixels(
  page: Page,
  selector: string,
  color?: string,
  { tolerance = 30, minAlpha = 150 }: { tolerance?: number; minAlpha?: number } = {},
): Promise<CanvasPixels[]> {
  return page.locator(selector).evaluateAll((els, o) => els.map((el) => {
    const c = el as HTMLCanvasElement;
    const px = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    const want = o.hex ? [1, 3, 5].map((i) => parseInt(o.hex!.slice(i, i + 2), 16)) : undefined;
    let painted = 0;
    let tinted = 0;
    let near = 0;
    for (let i = 0; i < px.length; i += 4) {
      if (px[i + 3]! === 0) continue;
      painted++;
      if (Math.max(px[i]!, px[i + 1]!, px[i + 2]!) - Math.min(px[i]!, px[i + 1]!, px[i + 2]!) > 40) tinted++;
      if (want && want.every((v, k) => Math.abs(px[i + k]! - v) < o.tolerance) && px[i + 3]! > o.minAlpha) near++;
    }
    return { width: c.width, height: c.height, painted, tinted, near };
  }), { hex: color, tolerance, minAlpha });
}

/**
 * On a failed test: a screenshot at test-artifacts/`shot`, to show where it stopped, and what the page reported,
 * which is usually the reason. Never throws, so the test's own error is the one reported.
 */
export async function reportFailure(page: Page, problems: string[], t: { diagnostic(s: string): void }, shot: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, shot) }).catch(() => undefined);
  if (problems.length) t.diagnostic(`page problems:\n${problems.join('\n')}`);
}

/**
 * Enters the small mining job several web tests run, through the app's labelled fields: 100 stocks × 200 days
 * (market seed 1), population 40 for 3 generations (run seed 1), rank IC. It finishes in seconds on any backend,
 * and the tests' expectations (a pool of two or more, the same pool after a resume) are for exactly this job.
 */
export async function fillSmallRun(page: Page): Promise<void> {
  await fillMarket(page, { stocks: 100, days: 200, seed: 1 });
  await fillSearch(page, { population: 40, generations: 3, seed: 1, fitness: 'rank_ic' });
}

/** The synthetic market's fields of the data panel. */
export async function fillMarket(page: Page, m: { stocks: number; days: number; seed: number }): Promise<void> {
  await page.getByLabel('Stocks', { exact: true }).fill(String(m.stocks));
  await page.getByLabel('Days', { exact: true }).fill(String(m.days));
  await page.getByLabel('Market seed', { exact: true }).fill(String(m.seed));
}

/** The run panel's search fields; fitness and backend are left as they are unless given. */
export async function fillSearch(page: Page, r: { population: number; generations: number; seed: number; fitness?: string; backend?: string }): Promise<void> {
  await page.getByLabel('Population', { exact: true }).fill(String(r.population));
  await page.getByLabel('Generations', { exact: true }).fill(String(r.generations));
  await page.getByLabel('Run seed', { exact: true }).fill(String(r.seed));
  if (r.fitness) await page.getByLabel('Fitness', { exact: true }).selectOption(r.fitness);
  if (r.backend) await page.getByLabel('Backend', { exact: true }).selectOption(r.backend);
}
