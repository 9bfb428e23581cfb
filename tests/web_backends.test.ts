/**
 * The web app mining on the GPU backends a user can pick, end to end in headless Chromium (the shared harness of
 * tests/support/browser.ts, with WEBGPU_ARGS on top of its flags): a tiny job (60 stocks × 120 days, population
 * 16, 2 generations, a handful of operators and two windows) run through the page once with the backend set to
 * WebGPU and once to WebGL. Both run on SwiftShader here, which `auto` would pass over; an explicit choice must be
 * honoured, so the header must name the chosen backend (a silent fallback to cpu fails the test, with the reasons
 * the page gives) and the run must end with a history. The job is kept small because SwiftShader compiles every
 * shader on the CPU; each run's time is reported. Skips under Deno and without Chromium.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ARTIFACTS, WEBGPU_ARGS, browserSkip, fillMarket, fillSearch, recordProblems, reportFailure, useWebApp } from './support/browser.ts';

const SKIP = browserSkip('web_backends', 'mining on WebGPU and WebGL through the page is NOT checked');

/** Few operators and windows: each distinct kernel is a shader SwiftShader compiles on the CPU. */
const OPS = ['sub', 'div', 'rank', 'ts_Mean', 'delta'];
const WINDOWS = '5, 10';

describe('web app on the GPU backends (software adapters)', { skip: SKIP }, () => {
  const site = useWebApp('/', WEBGPU_ARGS);

  for (const [backend, label] of [['webgpu', 'WebGPU'], ['webgl', 'WebGL']] as const) {
    test(`a tiny run with the backend set to ${label}`, { timeout: 75_000 }, async (t) => {
      const page = await site.browser.newPage({ viewport: { width: 1280, height: 800 } });
      const problems: string[] = [];
      // tfjs logs the WebGPU adapter's and SwiftShader's performance warnings as console messages, not errors;
      // page errors and console errors still count.
      recordProblems(page, problems);
      try {
        await page.goto(site.url);
        await page.getByRole('list', { name: 'Planted alphas' }).waitFor({ timeout: 30_000 });
        await fillMarket(page, { stocks: 60, days: 120, seed: 1 });
        await fillSearch(page, { population: 16, generations: 2, seed: 1, backend });
        await page.getByText('Pool rule, segments, windows and operators').click();
        await page.getByLabel('Windows', { exact: true }).fill(WINDOWS);
        await page.locator('af-run-panel summary', { hasText: 'Operators:' }).click();
        await page.getByRole('button', { name: 'None' }).click();
        for (const op of OPS) await page.getByRole('checkbox', { name: op, exact: true }).check();

        const t0 = performance.now();
        await page.getByRole('button', { name: 'Start' }).click();
        await page.locator('af-app[state="done"], af-app[state="error"]').waitFor({ timeout: 60_000 });
        const seconds = (performance.now() - t0) / 1000;
        const status = (await page.locator('#progress').textContent()) ?? '';
        t.diagnostic(`${label}: run in ${seconds.toFixed(1)} s; ${status}`);
        assert.equal(await page.locator('af-app').getAttribute('state'), 'done', status);

        // The header names what ran; on a fallback it says why the chosen one was passed over.
        const ran = await page.locator('af-app span#backend strong').getAttribute('data-backend');
        const why = (await page.locator('af-app span#backend').textContent())?.replace(/\s+/g, ' ') ?? '';
        const reasons = await page.locator('af-app span#backend li').allTextContents();
        assert.equal(ran, backend, `the page ran on ${ran}, not ${backend}: ${why} ${reasons.join('; ')}`);

        assert.match(status, /Finished: (all generations done after 2 generations|the pool is full)/);
        // The chart's summary names the last generation recorded: two of them, so the history is not empty.
        const history = await page.locator('af-fitness-chart #chart-summary').textContent();
        assert.match(history ?? '', /^Generation 1: best/, `the chart summarises a two-generation history: ${history}`);
        await page.screenshot({ path: join(ARTIFACTS, `web_backends_${backend}.png`) });
        assert.deepEqual(problems, []);
      } catch (e) {
        await reportFailure(page, problems, t, `web_backends_${backend}_failure.png`);
        throw e;
      } finally {
        await page.close();
      }
    });
  }
});
