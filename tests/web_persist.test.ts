/**
 * Run control, persistence and export in the web app (web/af-run-controls.ts, web/run-keeper.ts,
 * web/run-store.ts), end to end: builds the site with Vite, serves it on 127.0.0.1 and drives Debian's Chromium
 * with playwright-core, as tests/web_e2e.test.ts does. One browser context throughout, so IndexedDB survives the
 * reloads. A tiny run is paused after its first generation and resumed from the keyboard; the pool is downloaded
 * as CSV and JSON (checked against the pool table) and the chart as PNG; a reload shows the saved run marked as
 * restored; a run interrupted by a reload while paused is resumed from its checkpoint and ends with the same
 * pool as the uninterrupted run; Stop while paused ends the run at once, and a stopped run can be continued
 * after a reload; clearing empties storage; no sideways overflow at 1280×800 or 1920×1080.
 * Screenshots go to test-artifacts/. Skips under Deno and where /usr/bin/chromium is absent.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Download } from 'playwright-core';
import { ARTIFACTS, browserSkip, fillSmallRun, recordProblems, reportFailure, useWebApp } from './support/browser.ts';

const SKIP = browserSkip('web_persist', 'run control and persistence are NOT checked end to end');

/** pool.csv's header, as src/mine/run_files.ts writes it. */
const CSV_HEADER = ['expr', 'fitness', ...['train', 'valid', 'test'].flatMap((s) =>
  ['ic', 'rank_ic', 'icir', 'rank_icir', 'long_excess', 'long_short', 'monotonicity', 'turnover'].map((m) => `${s}_${m}`))].join(',');

describe('web app: pause, resume, saved run, export', { skip: SKIP }, () => {
  const site = useWebApp();

  test('pause and resume, downloads, restore after reload, resume an interrupted run, clear', { timeout: 120_000 }, async (t) => {
    const context = await site.browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
    const page = await context.newPage();
    const problems: string[] = [];
    recordProblems(page, problems);
    const app = page.locator('af-app');
    const status = async () => (await page.locator('#progress').textContent()) ?? '';
    const poolCount = async () => Number(/\((\d+)\)/.exec((await page.getByRole('heading', { name: /Factor pool/ }).textContent()) ?? '')?.[1] ?? NaN);
    const download = async (click: () => Promise<void>): Promise<{ d: Download; bytes: Buffer }> => {
      const [d] = await Promise.all([page.waitForEvent('download'), click()]);
      const path = await d.path();
      return { d, bytes: readFileSync(path) };
    };
    const settings = async () => {
      await page.getByRole('list', { name: 'Planted alphas' }).waitFor({ timeout: 30_000 });
      await fillSmallRun(page);
    };
    const pause = page.getByRole('button', { name: 'Pause' });
    const resume = page.getByRole('button', { name: 'Resume', exact: true });
    try {
      await page.goto(site.url);
      await settings();
      assert.ok(await pause.isDisabled(), 'Pause is disabled before a run');
      assert.ok(await resume.isDisabled(), 'Resume is disabled before a run');

      // Pause at once: the run holds after its first generation.
      await page.getByRole('button', { name: 'Start' }).click();
      await pause.click();
      assert.equal(await app.getAttribute('state'), 'paused');
      await page.locator('#progress', { hasText: 'paused after generation 1' }).waitFor({ timeout: 30_000 });
      await page.getByText(/^Generation 0: best/).waitFor();
      assert.ok(await pause.isDisabled(), 'Pause is disabled while paused');
      assert.ok(await resume.isEnabled(), 'Resume is enabled while paused');
      assert.ok(await page.getByRole('button', { name: 'Start' }).isDisabled(), 'Start is disabled while paused');
      await page.waitForTimeout(700);
      assert.match((await page.locator('af-fitness-chart #chart-summary').textContent()) ?? '', /^Generation 0:/, 'no generation runs while paused');
      await page.screenshot({ path: join(ARTIFACTS, 'web_persist_paused.png') });

      // Resume from the keyboard, to the end.
      await resume.focus();
      await page.keyboard.press('Enter');
      await page.locator('af-app[state="done"], af-app[state="error"]').waitFor({ timeout: 60_000 });
      assert.match(await status(), /Finished: all generations done after 3 generations/);
      const members = await poolCount();
      t.diagnostic(`pool: ${members} member(s)`);

      // Downloads: pool.csv and pool.json agree with the pool table; the chart as a PNG.
      const csv = await download(() => page.getByRole('link', { name: 'Download the pool as CSV' }).click());
      assert.equal(csv.d.suggestedFilename(), 'pool.csv');
      const lines = csv.bytes.toString('utf8').trimEnd().split('\n');
      assert.equal(lines[0], CSV_HEADER);
      assert.equal(lines.length - 1, members, 'a CSV row per pool member');
      assert.equal(await page.locator('af-pool-table tbody tr').count(), members);
      const json = await download(() => page.getByRole('link', { name: 'Download the pool as JSON' }).click());
      assert.equal(json.d.suggestedFilename(), 'pool.json');
      const pool = JSON.parse(json.bytes.toString('utf8'));
      assert.equal(pool.factors.length, members);
      assert.equal(pool.config.population, 40);
      assert.equal(pool.stop, 'generations');
      assert.deepEqual(pool.segments.map((s: { name: string }) => s.name), ['train', 'valid', 'test']);
      const png = await download(() => page.getByRole('button', { name: 'Save the fitness chart as PNG' }).click());
      assert.deepEqual([...png.bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'PNG signature');
      assert.ok(png.bytes.length > 3000, `PNG of ${png.bytes.length} bytes`);

      // A reload shows the saved run, marked as restored.
      await page.reload();
      await page.locator('af-app[restored]').waitFor({ timeout: 30_000 });
      await page.locator('#restored').waitFor();
      assert.match(await status(), /Restored the saved run \(synthetic market 100 × 200, seed 1\): all generations done after 3 generations/);
      await page.getByText(/^Generation 2: best/).waitFor();
      assert.equal(await poolCount(), members);
      assert.equal(await page.getByRole('button', { name: 'Resume saved run' }).count(), 0, 'a finished run is not offered for resuming');
      const csvAgain = await download(() => page.getByRole('link', { name: 'Download the pool as CSV' }).click());
      assert.equal(csvAgain.bytes.toString('utf8'), csv.bytes.toString('utf8'), 'the restored pool downloads the same');
      await page.screenshot({ path: join(ARTIFACTS, 'web_persist_restored.png') });

      // A run interrupted by a reload (paused after its first generation) resumes from its checkpoint and ends
      // with the pool of the uninterrupted run: same market settings, same seed, same state.
      await settings();
      await page.getByRole('button', { name: 'Start' }).click();
      assert.equal(await app.getAttribute('restored'), null, 'a new run is not marked restored');
      await pause.click();
      await page.locator('#progress', { hasText: 'paused after generation 1' }).waitFor({ timeout: 30_000 });
      await page.reload();
      await page.locator('af-app[restored]').waitFor({ timeout: 30_000 });
      assert.match(await status(), /interrupted by a reload after 1 generation of 3\. Resume it from its checkpoint/);
      await page.getByRole('button', { name: 'Resume saved run' }).click();
      await page.locator('af-app[state="done"], af-app[state="error"]').waitFor({ timeout: 60_000 });
      assert.match(await status(), /Finished: all generations done after 3 generations/);
      await page.getByText(/^Generation 2: best/).waitFor();
      const resumed = await download(() => page.getByRole('link', { name: 'Download the pool as CSV' }).click());
      assert.equal(resumed.bytes.toString('utf8'), csv.bytes.toString('utf8'), 'the resumed run ends with the same pool');

      // Layout: nothing wider than the window, at both sizes.
      for (const [width, height] of [[1280, 800], [1920, 1080]] as const) {
        await page.setViewportSize({ width, height });
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert.ok(overflow <= 0, `${width}×${height}: page wider than the window by ${overflow}px`);
        await page.screenshot({ path: join(ARTIFACTS, `web_persist_${width}x${height}.png`) });
      }

      // Stop while paused ends the run at once; a stopped run is offered for resuming after a reload.
      await page.setViewportSize({ width: 1280, height: 800 });
      await settings();
      await page.getByRole('button', { name: 'Start' }).click();
      await pause.click();
      await page.locator('#progress', { hasText: 'paused after generation 1' }).waitFor({ timeout: 30_000 });
      await page.getByRole('button', { name: 'Stop' }).click();
      await page.locator('af-app[state="done"], af-app[state="error"]').waitFor({ timeout: 30_000 });
      assert.match(await status(), /Finished: stopped after 1 generation\b/);
      await page.reload();
      await page.locator('af-app[restored]').waitFor({ timeout: 30_000 });
      assert.match(await status(), /stopped after 1 generation\b/);
      await page.getByRole('button', { name: 'Resume saved run' }).click();
      await page.locator('af-app[state="done"], af-app[state="error"]').waitFor({ timeout: 60_000 });
      assert.match(await status(), /Finished: all generations done after 3 generations/);

      // Clear: storage is emptied, a reload restores nothing.
      await page.getByRole('button', { name: 'Clear saved run' }).click();
      await page.getByText('Nothing saved').waitFor();
      await page.reload();
      await page.getByRole('list', { name: 'Planted alphas' }).waitFor({ timeout: 30_000 });
      await page.waitForTimeout(300);
      assert.equal(await app.getAttribute('restored'), null);
      assert.equal(await poolCount(), 0);
      assert.ok(await page.getByRole('button', { name: 'Clear saved run' }).isDisabled());
      assert.deepEqual(problems, []);
    } catch (e) {
      await reportFailure(page, problems, t, 'web_persist_failure.png');
      throw e;
    } finally {
      await context.close();
    }
  });
});
