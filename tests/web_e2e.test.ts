/**
 * End-to-end check of the web app (web/, issue 7): builds the site with Vite into a temporary folder, serves it
 * from a throwaway static server on 127.0.0.1 and drives Debian's Chromium with playwright-core at 1280×800. It
 * runs a small mining job to the end through the page's own form, then checks what a user would look at: the
 * backend line, the fitness chart (the best-fitness series is drawn on its canvas), the pool table and its
 * sorting, the expression box's parse error with the caret under the right column, Stop, and that nothing
 * overflows the window sideways. The component tests mount single elements of the same build on a blank copy
 * of the page, with fixture data (NaN metrics, invalid form values) that a short run would not produce.
 * Screenshots go to test-artifacts/. Skips, with a message, under Deno and where /usr/bin/chromium is absent.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { ARTIFACTS, browserSkip, canvasPixels, fillSmallRun, recordProblems, reportFailure, useWebApp } from './support/browser.ts';

const SKIP = browserSkip('web_e2e', 'the web app is NOT checked end to end');

describe('web app', { skip: SKIP }, () => {
  // Served under a sub-path: the site must not assume it lives at the server's root.
  const site = useWebApp('/some/path/');

  /** A fresh page at 1280×800 that records errors, failed requests and console errors into `problems`. */
  async function open(problems: string[]): Promise<Page> {
    const page = await site.browser.newPage({ viewport: { width: 1280, height: 800 } });
    recordProblems(page, problems, { http: true });
    return page;
  }

  /** The page with the app removed: the elements stay defined, so one can be mounted alone. */
  async function bare(problems: string[]): Promise<Page> {
    const page = await open(problems);
    await page.goto(site.url);
    await page.waitForFunction(() => customElements.get('af-app') !== undefined);
    await page.evaluate(() => document.querySelector('af-app')!.remove());
    return page;
  }

  test('mine on the synthetic market: chart, pool table, expression errors, stop', { timeout: 100_000 }, async (t) => {
    const problems: string[] = [];
    const page = await open(problems);
    try {
      await page.goto(site.url);
      await page.getByRole('heading', { name: 'alphaflow' }).waitFor();

      // The default market is generated and its planted alphas listed before any run.
      await page.getByRole('list', { name: 'Planted alphas' }).getByText('sub(close,ts_Mean(8,low))').waitFor({ timeout: 30_000 });

      // A small market and search, entered through the labelled fields.
      await fillSmallRun(page);
      await page.getByRole('button', { name: 'Start' }).click();
      const runStart = performance.now();
      await page.locator('af-app[state="done"], af-app[state="error"]').waitFor({ timeout: 75_000 });
      const status = (await page.locator('#progress').textContent()) ?? '';
      t.diagnostic(`run: ${((performance.now() - runStart) / 1000).toFixed(1)} s; status: ${status}`);
      assert.equal(await page.locator('af-app').getAttribute('state'), 'done', status);
      assert.match(status, /Finished: all generations done after 3 generations/);
      assert.match(status, /evaluations\/s/);

      const backend = await page.locator('[data-backend]').getAttribute('data-backend');
      t.diagnostic(`backend: ${backend}`);
      assert.ok(['webgpu', 'webgl', 'wasm', 'cpu'].includes(backend ?? ''), `backend shown: ${backend}`);

      // The chart's canvas holds the best-fitness series (#1f883d): uPlot drew the data, not only the axes.
      const [chart] = await canvasPixels(page, 'af-app af-fitness-chart canvas', '#1f883d', { tolerance: 24, minAlpha: 200 });
      assert.ok(chart, 'the chart has a canvas');
      t.diagnostic(`chart canvas: ${JSON.stringify(chart)}`);
      assert.ok(chart.width > 200 && chart.height > 100, 'the chart has a size');
      assert.ok(chart.near > 20, 'the best-fitness line is drawn');
      await page.getByText(/Generation 2: best \d\.\d{4}, mean/).waitFor();

      // The pool table: rows, and a metric column that sorts both ways.
      const poolTitle = (await page.getByRole('heading', { name: /Factor pool/ }).textContent()) ?? '';
      const members = Number(/\((\d+)\)/.exec(poolTitle)?.[1] ?? 0);
      t.diagnostic(`pool: ${members} member(s)`);
      if (members > 0) {
        const rows = page.locator('af-pool-table tbody tr');
        assert.equal(await rows.count(), members);
        const column = async () => (await page.locator('af-pool-table td[data-col="rank_ic.valid"]').allTextContents()).map(Number);
        const header = page.locator('af-pool-table button[data-sort="rank_ic.valid"]');
        await header.click();
        const down = await column();
        assert.deepEqual(down, [...down].sort((a, b) => b - a), `rank IC (valid) descending: ${down}`);
        await header.press('Enter');
        const up = await column();
        assert.deepEqual(up, [...up].sort((a, b) => a - b), `rank IC (valid) ascending: ${up}`);
        assert.equal(await page.locator('af-pool-table th[aria-sort="ascending"]').count(), 1);
      }
      await page.screenshot({ path: join(ARTIFACTS, 'web_e2e_run.png') });

      // The expression box: an unknown operator at column 11 (1-based), with a caret under its 7 characters.
      const box = page.getByLabel('Expression', { exact: true });
      await box.fill('sub(close,ts_mean(8,low))');
      const error = page.getByText(/Column 11: unknown operator 'ts_mean'; did you mean 'ts_Mean'\?/);
      await error.waitFor({ timeout: 10_000 });
      assert.equal(await box.getAttribute('aria-invalid'), 'true');
      const caret = (await page.locator('af-expr-box .caret').textContent()) ?? '';
      assert.equal(caret, `${' '.repeat(10)}${'^'.repeat('ts_mean'.length)}`);
      await page.screenshot({ path: join(ARTIFACTS, 'web_e2e_expr_error.png') });
      await box.fill('sub(close, ts_Mean(8, low))');
      await page.getByText('Valid:').waitFor();
      assert.equal(await box.getAttribute('aria-invalid'), 'false');

      // Stop: a long run started again ends after its generation in progress, as stopped.
      await page.getByLabel('Generations', { exact: true }).fill('200');
      await page.getByRole('button', { name: 'Start' }).click();
      // Any generation of the new run: each takes well under a second here, so waiting for one in particular races.
      await page.locator('#progress', { hasText: /Generation \d+ of 200/ }).waitFor({ timeout: 30_000 });
      await page.getByRole('button', { name: 'Stop' }).click();
      await page.locator('af-app[state="done"], af-app[state="error"]').waitFor({ timeout: 30_000 });
      assert.match((await page.locator('#progress').textContent()) ?? '', /Finished: stopped after \d+ generations?/);

      // 1280×800 without sideways scrolling.
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `page wider than the window by ${overflow}px`);
      assert.deepEqual(problems, []);
    } catch (e) {
      await reportFailure(page, problems, t, 'web_e2e_failure.png');
      throw e;
    } finally {
      await page.close();
    }
  });

  test('component <af-pool-table>: sorts by any metric both ways, NaN last; metric columns toggle', async () => {
    const problems: string[] = [];
    const page = await bare(problems);
    try {
      // Built here, not in the page: tsx's name-keeping helpers do not exist inside page functions.
      const summary = (rank_ic: number) => ({
        ic: rank_ic / 2, rank_ic, icir: 1, rank_icir: 1, ic_t: 2, ic_positive_share: 0.5, long_excess: 0.2, long_short: 0.3,
        long_short_ir: 1, monotonicity: 0.9, turnover: 0.4, coverage: 1, direction: 1, days: 50, skipped_days: 0,
      });
      const member = (expr: string, fitness: number, valid: number) => ({
        expr, fitness, size: 3, generation: 0, metrics: { train: summary(fitness), valid: summary(valid), test: summary(0.01) },
      });
      const pool = [member('a(close)', 0.05, 0.02), member('b(close)', 0.04, NaN), member('c(close)', 0.06, 0.07)];
      await page.evaluate((members) => {
        const el = document.createElement('af-pool-table') as HTMLElement & { pool: unknown };
        el.pool = members;
        document.body.append(el);
      }, pool);
      const column = async (col: string) => page.locator(`af-pool-table td[data-col="${col}"]`).allTextContents();
      const exprs = async () => page.locator('af-pool-table td.expr').allTextContents();
      assert.deepEqual(await exprs(), ['c(close)', 'a(close)', 'b(close)'], 'fitness, descending, by default');
      const header = page.locator('af-pool-table button[data-sort="rank_ic.valid"]');
      await header.click();
      assert.deepEqual(await column('rank_ic.valid'), ['0.0700', '0.0200', 'NaN']);
      await header.focus();
      await page.keyboard.press('Space');
      assert.deepEqual(await column('rank_ic.valid'), ['0.0200', '0.0700', 'NaN'], 'ascending, NaN still last');
      assert.equal(await page.locator('af-pool-table th[aria-sort="ascending"]').count(), 1);
      await page.locator('af-pool-table button[data-sort="expr"]').click();
      assert.deepEqual(await exprs(), ['a(close)', 'b(close)', 'c(close)'], 'text columns start ascending');
      assert.equal(await page.locator('af-pool-table td[data-col^="turnover."]').count(), 0);
      await page.getByRole('checkbox', { name: 'turnover' }).check();
      assert.deepEqual(await column('turnover.test'), ['0.4000', '0.4000', '0.4000']);
      assert.deepEqual(problems, []);
    } finally {
      await page.close();
    }
  });

  test('component <af-expr-box>: messages and carets for several mistakes', async () => {
    const problems: string[] = [];
    const page = await bare(problems);
    try {
      await page.evaluate(() => document.body.append(document.createElement('af-expr-box')));
      const box = page.getByLabel('Expression', { exact: true });
      const cases: [string, RegExp, number][] = [
        ['sub(close,ts_Mean(8,low)', /Column 4: /, 4],
        ['sub(close,ts_Mean(0,low))', /Column 19: .*window/, 19],
        ['sub(close,lowe)', /Column 11: .*lowe/, 11],
      ];
      for (const [text, message, column] of cases) {
        await box.fill(text);
        await page.locator('af-expr-box .err').filter({ hasText: message }).waitFor({ timeout: 5_000 });
        const caret = (await page.locator('af-expr-box .caret').textContent()) ?? '';
        assert.equal(caret.indexOf('^'), column - 1, `${text}: caret at column ${column}`);
      }
      await box.fill('');
      await page.getByText('Type a factor').waitFor();
      assert.deepEqual(problems, []);
    } finally {
      await page.close();
    }
  });

  test('component <af-run-panel>: start with the entered settings, refuse out-of-range values, stop', async () => {
    const problems: string[] = [];
    const page = await bare(problems);
    try {
      await page.evaluate(() => {
        const el = document.createElement('af-run-panel') as HTMLElement & { fitness: unknown };
        el.fitness = [{ name: 'rank_ic', description: 'r' }, { name: 'composite', description: 'c' }];
        const w = window as unknown as { events: unknown[] };
        w.events = [];
        for (const type of ['af-start', 'af-stop', 'af-market-change']) el.addEventListener(type, (e) => w.events.push({ type, detail: (e as CustomEvent).detail ?? null }));
        document.body.append(el);
      });
      const events = () => page.evaluate(() => (window as unknown as { events: unknown[] }).events.splice(0));
      // The market fields moved to <af-data-panel> (tests/web_data.test.ts); the rest of MineConfig rides in `config`.
      await page.getByLabel('Population', { exact: true }).fill('33');
      await page.getByLabel('Fitness', { exact: true }).selectOption('composite');
      await page.getByLabel('Backend', { exact: true }).selectOption('cpu');
      await page.getByLabel('Population', { exact: true }).press('Enter');
      assert.deepEqual(await events(), [{
        type: 'af-start',
        detail: {
          run: { population: 33, generations: 10, seed: 1, fitness: 'composite' }, backend: 'cpu',
          config: { poolSize: 100, correlation: 0.7, thresholds: { ic: 0.03, longExcess: 0.15, monotonicity: 0.8 }, split: { split: '0.5,0.25,0.25' } },
        },
      }]);
      await page.getByLabel('Generations', { exact: true }).fill('0');
      await page.getByRole('button', { name: 'Start' }).click();
      assert.deepEqual(await events(), [], 'generations below the minimum: no start');
      assert.ok(await page.getByRole('button', { name: 'Stop' }).isDisabled());
      await page.evaluate(() => {
        (document.querySelector('af-run-panel') as HTMLElement & { running: boolean }).running = true;
      });
      assert.ok(await page.getByRole('button', { name: 'Start' }).isDisabled());
      await page.getByRole('button', { name: 'Stop' }).click();
      assert.deepEqual(await events(), [{ type: 'af-stop', detail: null }]);
      assert.deepEqual(problems, []);
    } finally {
      await page.close();
    }
  });

  test('component <af-fitness-chart>: draws a history with a missing mean and follows its width', async () => {
    const problems: string[] = [];
    const page = await bare(problems);
    try {
      await page.evaluate(() => {
        const el = document.createElement('af-fitness-chart') as HTMLElement & { history: unknown };
        el.style.width = '600px';
        el.history = [0, 1, 2, 3].map((g) => ({
          generation: g, best: 0.03 + g * 0.01, mean: g === 2 ? NaN : 0.01 + g * 0.002, best_expr: `x${g}`, pool: g,
          evaluations: 10, unique: 10, seconds: 1, evals_per_second: 10,
        }));
        document.body.append(el);
      });
      await page.getByText('Generation 3: best 0.0600, mean 0.0160, pool 3. Best expression: x3').waitFor();
      const width = () => page.evaluate(() => document.querySelector('af-fitness-chart')!.shadowRoot!.querySelector('canvas')!.getBoundingClientRect().width);
      const before = await width();
      await page.evaluate(() => {
        (document.querySelector('af-fitness-chart') as HTMLElement).style.width = '900px';
      });
      await page.waitForFunction((w) => document.querySelector('af-fitness-chart')!.shadowRoot!.querySelector('canvas')!.getBoundingClientRect().width > w + 100, before);
      await page.locator('af-fitness-chart').screenshot({ path: join(ARTIFACTS, 'web_component_chart.png') });
      assert.deepEqual(problems, []);
    } finally {
      await page.close();
    }
  });
});
