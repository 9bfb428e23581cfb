/**
 * Run control, persistence and export in the web app (web/af-run-controls.ts, web/run-keeper.ts,
 * web/run-store.ts), end to end: builds the site with Vite, serves it on 127.0.0.1 and drives Debian's Chromium
 * with playwright-core, as tests/web_e2e.test.ts does. One browser context throughout, so IndexedDB survives the
 * reloads. A tiny run is paused after its first generation and resumed from the keyboard; the pool is downloaded
 * as CSV and JSON (checked against the pool table) and the chart as PNG; a reload shows the saved run marked as
 * restored; a run interrupted by a reload while paused is resumed from its checkpoint and ends with the same
 * pool as the uninterrupted run; Stop while paused ends the run at once, and a stopped run can be continued
 * after a reload; clearing empties storage; no sideways overflow at 1280×800 or 1920×1080.
 * A second test sets every run setting away from its default, reloads, and checks that the panels show the
 * restored run's settings, that a pool factor's tear sheet uses the restored run's market and split, and that Start
 * reruns the same run (the same pool); then a run on a bar file, whose restore names the file, refuses its tear
 * sheets with a clear message until the file is loaded again, and uses it once it is.
 * Screenshots go to test-artifacts/. Skips under Deno and where /usr/bin/chromium is absent.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Browser, Download, Page } from 'playwright-core';
import { generateMarket } from '../src/data/synth.ts';
import { barsCsvBytes } from '../src/data/synth_csv.ts';
import { ARTIFACTS, browserSkip, fillSmallRun, recordProblems, reportFailure, useWebApp } from './support/browser.ts';

const SKIP = browserSkip('web_persist', 'run control and persistence are NOT checked end to end');

/** Every setting of the second test, each away from its default so that a field left at it shows. */
const CHOSEN_OPS = ['sub', 'div', 'rank', 'ts_Mean', 'delta', 'stddev'];
const MARKET_FIELDS: [string, string][] = [['Stocks', '80'], ['Days', '150'], ['Market seed', '3']];
const RUN_FIELDS: [string, string][] = [
  ['Population', '24'], ['Generations', '2'], ['Run seed', '5'],
  ['|IC| at least', '0.005'], ['Long excess at least', '-1'], ['Monotonicity at least', '-1'], ['Max |correlation|', '0.8'], ['Pool size', '7'],
  ['Train', '0.6'], ['Valid', '0.2'], ['Test', '0.2'], ['Windows', '2-6, 10'],
];
const SELECTS: [string, string][] = [['Fitness', 'ic'], ['Backend', 'cpu']];

async function unfold(page: Page): Promise<void> {
  const more = page.locator('af-run-panel details.more');
  if (!(await more.evaluate((d) => (d as HTMLDetailsElement).open))) await page.getByText('Pool rule, segments, windows and operators').click();
  const ops = page.locator('af-run-panel details:not(.more)');
  if (!(await ops.evaluate((d) => (d as HTMLDetailsElement).open))) await page.locator('af-run-panel summary', { hasText: 'Operators:' }).click();
}

async function fillEverything(page: Page): Promise<void> {
  for (const [label, value] of MARKET_FIELDS) await page.getByLabel(label, { exact: true }).fill(value);
  await unfold(page);
  for (const [label, value] of RUN_FIELDS) await page.getByLabel(label, { exact: true }).fill(value);
  for (const [label, value] of SELECTS) await page.getByLabel(label, { exact: true }).selectOption(value);
  await page.getByRole('button', { name: 'None' }).click();
  for (const op of CHOSEN_OPS) await page.getByRole('checkbox', { name: op, exact: true }).check();
}

/** What the panels show, field by field, for comparing with what was entered. */
async function shownSettings(page: Page): Promise<Record<string, string>> {
  await unfold(page);
  const out: Record<string, string> = {};
  for (const [label] of [...MARKET_FIELDS, ...RUN_FIELDS, ...SELECTS]) out[label] = await page.getByLabel(label, { exact: true }).inputValue();
  const checked = await page.locator('af-run-panel input[name="op"]').evaluateAll((els) => els.filter((e) => (e as HTMLInputElement).checked).map((e) => (e as HTMLInputElement).value));
  out.ops = checked.sort().join(' ');
  return out;
}

const ENTERED = Object.fromEntries([...MARKET_FIELDS, ...RUN_FIELDS, ...SELECTS, ['ops', [...CHOSEN_OPS].sort().join(' ')]]);

/** pool.csv's header, as src/mine/run_files.ts writes it. */
const CSV_HEADER = ['expr', 'fitness', ...['train', 'valid', 'test'].flatMap((s) =>
  ['ic', 'rank_ic', 'icir', 'rank_icir', 'long_excess', 'long_short', 'monotonicity', 'turnover'].map((m) => `${s}_${m}`))].join(',');

/** A fresh browser context (downloads on) and page, with its problems recorded, the app and its progress line. */
async function openSession(browser: Browser) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
  const page = await context.newPage();
  const problems: string[] = [];
  recordProblems(page, problems);
  const status = async () => (await page.locator('#progress').textContent()) ?? '';
  return { context, page, problems, app: page.locator('af-app'), status };
}

describe('web app: pause, resume, saved run, export', { skip: SKIP }, () => {
  const site = useWebApp();

  test('pause and resume, downloads, restore after reload, resume an interrupted run, clear', { timeout: 120_000 }, async (t) => {
    const { context, page, problems, app, status } = await openSession(site.browser);
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

  test('a restored run\'s settings in the panels, its tear sheet on its data, Start reruns it; a file run asks for its file', { timeout: 150_000 }, async (t) => {
    const { context, page, problems, app, status } = await openSession(site.browser);
    const csv = async () => {
      const [d] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download the pool as CSV' }).click()]);
      return readFileSync(await d.path()).toString('utf8');
    };
    const runToEnd = async () => {
      await page.getByRole('button', { name: 'Start' }).click();
      await page.locator('af-app[state="done"], af-app[state="error"]').waitFor({ timeout: 60_000 });
      assert.equal(await app.getAttribute('state'), 'done', await status());
    };
    const openFirstFactor = async () => {
      await page.locator('af-pool-table tbody tr').first().locator('td.num').first().click();
      await page.locator('af-tear-sheet dialog').waitFor({ state: 'visible' });
    };
    try {
      await page.goto(site.url);
      await page.getByRole('list', { name: 'Planted alphas' }).waitFor({ timeout: 30_000 });
      await fillEverything(page);
      assert.deepEqual(await shownSettings(page), ENTERED, 'the form holds what was entered');
      await runToEnd();
      const members = await page.locator('af-pool-table tbody tr').count();
      t.diagnostic(`synthetic run: ${members} pool member(s); ${await status()}`);
      assert.ok(members > 0, 'the low thresholds give a pool');
      const first = await csv();

      // After a reload every panel shows the restored run's settings, not the defaults.
      await page.reload();
      await app.and(page.locator('[restored]')).waitFor({ timeout: 30_000 });
      await page.locator('af-data-panel .planted', { hasText: '80 stocks × 150 days' }).waitFor({ timeout: 30_000 });
      await page.locator('af-run-panel summary', { hasText: `Operators: ${CHOSEN_OPS.length} of` }).waitFor({ state: 'attached' });
      assert.deepEqual(await shownSettings(page), ENTERED, 'the restored run\'s settings are shown');
      assert.equal(await page.locator('af-data-panel').getAttribute('source'), 'synthetic');
      await page.screenshot({ path: join(ARTIFACTS, 'web_persist_restored_settings.png'), fullPage: true });

      // A restored pool factor's tear sheet is computed on the restored run's market and split.
      await openFirstFactor();
      const meta = page.locator('af-tear-sheet dialog', { hasText: "On the saved run's synthetic market (80 stocks × 150 days, seed 3)" });
      await meta.waitFor({ timeout: 30_000 });
      const sheet = (await page.locator('af-tear-sheet dialog').textContent())!.replace(/\s+/g, ' ');
      assert.match(sheet, /Split 0\.6,0\.2,0\.2 \(the last run's settings\)/, sheet.slice(0, 400));
      await page.keyboard.press('Escape');

      // Start reruns the same settings: the same pool, byte for byte.
      await runToEnd();
      assert.equal(await app.getAttribute('restored'), null);
      assert.equal(await csv(), first, 'Start after a restore reruns the same run');

      // A run on a bar file: the restore shows the file source and asks for the file again.
      await page.getByRole('radio', { name: 'Bar file' }).check();
      const bytes = gzipSync(barsCsvBytes(generateMarket({ stocks: 40, days: 120, seed: 7 })));
      const load = async () => {
        await page.getByLabel('Bar file (CSV, CSV.gz or Parquet)').setInputFiles({ name: 'market.csv.gz', mimeType: 'application/gzip', buffer: bytes });
        await page.locator('#data-summary').waitFor({ timeout: 20_000 });
      };
      await load();
      await runToEnd();
      const fileMembers = await page.locator('af-pool-table tbody tr').count();
      t.diagnostic(`file run: ${fileMembers} pool member(s); ${await status()}`);
      assert.ok(fileMembers > 0, 'the file run has a pool');
      await page.reload();
      await app.and(page.locator('[restored]')).waitFor({ timeout: 30_000 });
      assert.match(await status(), /Restored the saved run \(market\.csv\.gz\)/);
      await page.locator('af-data-panel[source="file"]').waitFor();
      await page.locator('#restored-file', { hasText: /market\.csv\.gz.*load it again/s }).waitFor();
      assert.deepEqual(await shownSettings(page), ENTERED, 'a file run\'s settings are shown too');
      await openFirstFactor();
      await page.locator('af-tear-sheet [role="alert"]', { hasText: /the saved run mined the file market\.csv\.gz.*load market\.csv\.gz again/ }).waitFor({ timeout: 20_000 });
      await page.keyboard.press('Escape');
      await load();
      assert.equal(await page.locator('#restored-file').count(), 0, 'the request to load the file goes once it is loaded');
      await openFirstFactor();
      await page.locator('af-tear-sheet dialog', { hasText: "On the saved run's data file (market.csv.gz)" }).waitFor({ timeout: 30_000 });
      await page.keyboard.press('Escape');
      assert.deepEqual(problems, []);
    } catch (e) {
      await reportFailure(page, problems, t, 'web_persist_settings_failure.png');
      throw e;
    } finally {
      await context.close();
    }
  });
});
