/**
 * The WebGL and WebGPU kernels (operators and metrics) against the host kernels, in headless Chromium: the only
 * runtime here with WebGL, and a second WebGPU implementation next to Deno's. The page module
 * (tests/browser/kernels_page.ts) is bundled with esbuild, served from a throwaway static server on 127.0.0.1
 * (a secure context, which WebGPU requires) and driven with playwright-core; each backend runs in a fresh page
 * on the shared checks of tests/gpu/ and sends its reports back for the assertions below. A backend that falls
 * back to cpu fails; one the browser cannot start at all (no WebGPU adapter) is skipped with the reason. Skips,
 * with a message, under Deno and where /usr/bin/chromium is absent. A screenshot of each page's summary goes to
 * test-artifacts/.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ARTIFACTS, WEBGPU_ARGS, browserSkip, buildModulePage, launch, serveStatic } from './support/browser.ts';
import type { PageReport, WirePanel } from './browser/kernels_page.ts';
import type { CheckReport } from './gpu/check_kernels.ts';

const SEED = 11;
/** Per-backend budget for the in-page checks; SwiftShader compiles every program on the CPU. */
const PAGE_TIMEOUT_MS = 50_000;

/** Why the whole test cannot run here, decided before it starts so that every runner reports a skip. */
const SKIP = browserSkip('browser_kernels', 'WebGL/WebGPU kernels NOT checked');

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms / 1000} s`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

function failuresOf(r: CheckReport | undefined, what: string): string[] {
  if (!r) return [`${what}: no report`];
  return r.failures.map((f) => `${what}: ${f}`);
}

test('WebGL and WebGPU kernels in headless Chromium match the host kernels', { timeout: 170_000, skip: SKIP ?? false }, async (t) => {
  const { realSlice, REAL_BARS } = await import('./gpu/real_slice.ts');
  const real = await realSlice();
  const wire: WirePanel | null = real ? { label: real.label, T: real.T, N: real.N, xs: real.xs.map((x) => Array.from(x)) } : null;

  const dir = mkdtempSync(join(tmpdir(), 'alphaflow-browser-'));
  await buildModulePage('tests/browser/kernels_page.ts', dir, 'kernels');
  const server = await serveStatic(dir, { quietFavicon: true });
  const url = server.url;
  const browser = await launch(WEBGPU_ARGS);
  try {
    for (const backend of ['webgl', 'webgpu'] as const) {
      await t.test(backend, async (st) => {
        const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
        const console: string[] = [];
        page.on('console', (m) => console.push(`${m.type()}: ${m.text()}`));
        page.on('pageerror', (e) => console.push(`pageerror: ${e.message}`));
        try {
          await page.goto(url);
          await page.waitForFunction(() => 'runKernelChecks' in globalThis, undefined, { timeout: 20_000 });
          const run = page.evaluate(
            ([name, seed, panel]) =>
              (globalThis as unknown as { runKernelChecks(b: string, s: number, r: WirePanel | null): Promise<PageReport> }).runKernelChecks(name, seed, panel),
            [backend, SEED, wire] as const,
          );
          const report = await withTimeout(run, PAGE_TIMEOUT_MS, `${backend} checks`);
          await page.screenshot({ path: join(ARTIFACTS, `browser_kernels_${backend}.png`), fullPage: true });
          st.diagnostic(`${backend} on ${report.adapter ?? '?'}: ${report.seconds.toFixed(1)} s`);
          if (report.unavailable) {
            st.skip(`${backend} cannot start in this Chromium: ${report.unavailable}; its kernels were NOT checked`);
            return;
          }
          assert.equal(report.active, backend, `tfjs ended up on '${report.active}', not '${backend}': ${report.note ?? ''}`);
          assert.equal(report.error, undefined, `checks threw: ${report.error}`);
          if (!real) st.diagnostic(`real-data part skipped: no data at ${REAL_BARS}`);
          st.diagnostic(`tensors leaked: ${report.leakedTensors ?? 'not measured (checks threw)'}`);
          const failures = [
            ...failuresOf(report.hard, 'hard panels'),
            ...(real ? failuresOf(report.real, 'real data') : []),
            ...failuresOf(report.metrics, 'metrics'),
            ...(backend === 'webgl' ? failuresOf(report.paths, 'count and sort paths') : []),
            ...failuresOf(report.fingerprints, 'fingerprints'),
          ];
          const shown = failures.slice(0, 40).join('\n');
          assert.equal(failures.length, 0, `${failures.length} ${backend} checks failed, first ${Math.min(40, failures.length)}:\n${shown}`);
          assert.ok((report.hard?.runs ?? 0) > 100, `only ${report.hard?.runs} operator runs on hard panels`);
          if (backend === 'webgl') assert.equal(report.paths?.runs, 16, 'runs of the count and sort paths');
          assert.equal(report.fingerprints?.runs, 3, 'fingerprint runs');
          assert.equal(report.leakedTensors, 0, 'tensors leaked');
          // No device error during the checks (so the error watch raises no false alarm on tfjs's own work)...
          assert.equal(report.health, 'healthy', 'device errors during the checks');
          // ...and a broken device must fail the evaluation loudly, not return the zeros it computed.
          const faults = report.faults;
          const deviceError = new RegExp(`^DeviceError: the ${backend} device reported an error, so results computed since are not trustworthy: `);
          assert.match(faults?.invalid ?? '', deviceError, 'evaluation after an invalid call');
          if (backend === 'webgl') assert.match(faults?.invalid ?? '', /the WebGL context reported INVALID_ENUM \(a GL call failed, and/);
          assert.equal(faults?.after, 'right', 'the evaluation after the one that reported the error');
          if (backend === 'webgl') assert.match(faults?.lost ?? '', new RegExp(deviceError.source + 'the WebGL context was lost'));
        } catch (e) {
          if (console.length) st.diagnostic(`page console (last 20):\n${console.slice(-20).join('\n')}`);
          throw e;
        } finally {
          await page.close();
        }
      });
    }
    await t.test('webgl with 16-bit float textures only falls back to cpu, saying why', async () => {
      const page = await browser.newPage();
      try {
        await page.goto(url);
        await page.waitForFunction(() => 'halfFloatWebGl' in globalThis, undefined, { timeout: 20_000 });
        const got = await page.evaluate(() => (globalThis as unknown as { halfFloatWebGl(): Promise<{ active: string; note?: string }> }).halfFloatWebGl());
        assert.equal(got.active, 'cpu');
        assert.match(got.note ?? '', /^backend 'webgl' failed to initialise \(this GPU renders float textures at 16 bits only, and the kernels need 32-bit floats\); falling back to cpu/);
      } finally {
        await page.close();
      }
    });
  } finally {
    await browser.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
