/**
 * The web app's tear sheet and pool correlation heatmap, end to end in headless Chromium (the build, server and
 * launch of tests/web_e2e.test.ts): a tiny mining job on a small synthetic market, then the heatmap drawn for
 * the pool (pixels on its canvas, a value read out on hover and with the arrow keys, the table fallback), a
 * pool factor's tear sheet opened by a click and another by the keyboard (every chart canvas painted, the
 * expression tree drawn node for node, metrics per segment), and a typed expression's tear sheet through the
 * expression box's Evaluate button. Screenshots go to test-artifacts/. Skips under Deno and without Chromium.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { ARTIFACTS, browserSkip, canvasPixels, fillSmallRun, recordProblems, reportFailure, useWebApp } from './support/browser.ts';

const SKIP = browserSkip('web_tear_sheet', 'the tear sheet is NOT checked in a browser');

describe('web tear sheet and correlation heatmap', { skip: SKIP }, () => {
  const site = useWebApp();

  test('pool heatmap, a pool factor\'s tear sheet, and Evaluate on a typed expression', { timeout: 90_000 }, async (t) => {
    const problems: string[] = [];
    const page = await site.browser.newPage({ viewport: { width: 1280, height: 800 } });
    recordProblems(page, problems);
    try {
      await page.goto(site.url);
      await page.getByRole('heading', { name: 'alphaflow' }).waitFor();
      await fillSmallRun(page);
      await page.getByRole('button', { name: 'Start' }).click();
      await page.locator('af-app[state="done"], af-app[state="error"]').waitFor({ timeout: 45_000 });
      assert.equal(await page.locator('af-app').getAttribute('state'), 'done', (await page.locator('#progress').textContent()) ?? '');
      const members = await page.locator('af-pool-table tbody tr').count();
      t.diagnostic(`pool: ${members} members`);
      assert.ok(members >= 2, `this market and seed give a pool of at least two (got ${members})`);

      // The heatmap is computed when the run ends: one cell per pair, coloured, values on hover and by keyboard.
      const heat = page.locator('af-corr-heatmap canvas');
      await heat.waitFor({ timeout: 20_000 });
      const [hm] = await canvasPixels(page, 'af-corr-heatmap canvas');
      t.diagnostic(`heatmap canvas: ${JSON.stringify(hm)}`);
      assert.ok(hm!.painted > 2000 && hm!.tinted > 500, 'the heatmap cells are drawn in colour');
      // The first cell: past the row and column number margins (34 and 22 pixels).
      await heat.hover({ position: { x: 34 + 5, y: 22 + 5 } });
      await page.locator('af-corr-heatmap .readout', { hasText: /#1 × #1: 1\.000/ }).waitFor();
      await heat.focus();
      await page.keyboard.press('ArrowRight');
      await page.locator('af-corr-heatmap .readout', { hasText: /#1 × #2: -?\d\.\d{3} — / }).waitFor();
      await page.locator('af-corr-heatmap summary').click();
      assert.equal(await page.locator('af-corr-heatmap tbody td').count(), members * members, 'table fallback: every pair');
      await page.locator('af-corr-heatmap').screenshot({ path: join(ARTIFACTS, 'web_corr_heatmap.png') });

      // A click on a pool row (not on its expression) opens that factor's tear sheet.
      const firstExpr = (await page.locator('af-pool-table td.expr').first().textContent())!.trim();
      await page.locator('af-pool-table tbody tr').first().locator('td.num').first().click();
      const dialog = page.locator('af-tear-sheet dialog');
      await dialog.waitFor({ state: 'visible' });
      await page.locator('af-tear-sheet section[data-segment="test"] af-series-chart canvas').first().waitFor({ timeout: 20_000 });
      assert.equal((await page.locator('af-tear-sheet h2 code').textContent())!.trim(), firstExpr);
      assert.equal(await page.locator('af-pool-table tbody tr[aria-current="true"] td.expr').textContent().then((s) => s!.trim()), firstExpr);
      await checkSheet(page, t);
      await page.screenshot({ path: join(ARTIFACTS, 'web_tear_sheet_pool.png') });
      await page.locator('af-tear-sheet section[data-segment="train"]').screenshot({ path: join(ARTIFACTS, 'web_tear_sheet_train.png') });
      // Escape closes it and gives focus back to the page.
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'hidden' });

      // The keyboard: Tab to the second factor's expression button, Enter.
      const second = page.locator('af-pool-table button.pick').nth(1);
      const secondExpr = (await second.textContent())!.trim();
      await second.focus();
      await page.keyboard.press('Enter');
      await dialog.waitFor({ state: 'visible' });
      await page.locator('af-tear-sheet h2 code', { hasText: secondExpr }).waitFor();
      await page.locator('af-tear-sheet section[data-segment="train"] af-series-chart canvas').first().waitFor({ timeout: 20_000 });
      await page.getByRole('button', { name: 'Close', exact: true }).click();
      await dialog.waitFor({ state: 'hidden' });

      // A typed expression through Evaluate, with the run's split.
      const exprBox = page.getByLabel('Expression', { exact: true });
      await exprBox.fill('sub(close, ts_Mean(8, low))');
      const evaluate = page.getByRole('button', { name: 'Evaluate' });
      await page.waitForFunction(() => !document.querySelector('af-app')!.shadowRoot!.querySelector('af-expr-box')!.shadowRoot!.querySelector('button')!.disabled);
      await evaluate.click();
      await page.locator('af-tear-sheet h2 code', { hasText: 'sub(close,ts_Mean(8,low))' }).waitFor();
      await page.locator('af-tear-sheet section[data-segment="valid"] af-series-chart canvas').first().waitFor({ timeout: 20_000 });
      assert.match((await page.locator('af-tear-sheet .meta').first().textContent()) ?? '', /the last run's settings/);
      // The planted alpha: its training rank IC is clearly positive and it passes the rule there.
      const ric = Number(await page.locator('af-tear-sheet td[data-metric="rank_ic.train"]').textContent());
      assert.ok(ric > 0.02, `planted alpha rank IC on train: ${ric}`);
      await checkSheet(page, t);
      await page.screenshot({ path: join(ARTIFACTS, 'web_tear_sheet_evaluate.png') });

      // Nothing wider than the dialog at 1280×800 or at 1920×1080.
      for (const size of [{ width: 1280, height: 800 }, { width: 1920, height: 1080 }]) {
        await page.setViewportSize(size);
        await page.waitForTimeout(300);
        const over = await dialog.evaluate((d) => d.scrollWidth - d.clientWidth);
        assert.ok(over <= 0, `the tear sheet is wider than its dialog by ${over}px at ${size.width}×${size.height}`);
      }
      await page.screenshot({ path: join(ARTIFACTS, 'web_tear_sheet_1920.png') });
      await page.keyboard.press('Escape');
      assert.deepEqual(problems, []);
    } catch (e) {
      await reportFailure(page, problems, t, 'web_tear_sheet_failure.png');
      throw e;
    } finally {
      await page.close();
    }
  });
});

/** The open tear sheet: a tree with one box per node, metrics for each segment, and every chart painted. */
async function checkSheet(page: Page, t: { diagnostic(s: string): void }): Promise<void> {
  const nodes = await page.locator('af-tear-sheet af-expr-tree svg g').count();
  const size = Number(/Size (\d+)/.exec((await page.locator('af-tear-sheet .meta').first().textContent()) ?? '')?.[1]);
  assert.ok(nodes >= 1 && nodes === size, `the tree draws each of its ${size} nodes (drew ${nodes})`);
  for (const seg of ['train', 'valid', 'test']) {
    assert.match((await page.locator(`af-tear-sheet td[data-metric="ic.${seg}"]`).textContent()) ?? '', /^-?\d+\.\d{4}$/);
  }
  // Each segment has three charts and the decay one more: ten canvases, each with its series drawn.
  const charts = await canvasPixels(page, 'af-tear-sheet af-series-chart canvas');
  t.diagnostic(`tear sheet canvases: ${charts.map((c) => `${c.width}x${c.height}:${c.painted}/${c.tinted}`).join(' ')}`);
  assert.equal(charts.length, 10);
  for (const c of charts) assert.ok(c.width > 150 && c.tinted > 50, `a chart with coloured series: ${JSON.stringify(c)}`);
  const longShort = await canvasPixels(page, 'af-tear-sheet section[data-segment="train"] af-series-chart:nth-of-type(3) canvas', '#1f883d');
  assert.ok(longShort[0]!.near > 20, `the long-short curve is drawn: ${JSON.stringify(longShort[0])}`);
}
