/**
 * The web app's data and run set-up in headless Chromium (web/af-data-panel.ts, web/af-run-panel.ts): a bar file
 * chosen in the page is parsed in the mining worker. A CSV with a non-numeric close on line 3 shows its error
 * with the file, line and column and marks the cell; a small gzip CSV of the synthetic market (written here with
 * src/data/synth_csv.ts, seeded) shows its summary; a short run with a reduced operator set, own windows and
 * splits mines it to the end, and its expressions use only the chosen operators. Settings the miner would
 * reject are refused in the form. The same market as Parquet (written here with hyparquet-writer: Snappy, gzip and
 * Brotli pages, several row groups) shows the summary that src/data/load.ts gives for the same bytes under Node
 * and mines for a generation; a truncated Parquet file shows the loader's error naming the file. Built and served as tests/web_e2e.test.ts does (Vite build, static server on
 * 127.0.0.1, Debian's Chromium via playwright-core). Screenshots go to test-artifacts/. Skips, with a message,
 * under Deno and where /usr/bin/chromium is absent.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { parquetMetadata } from 'hyparquet';
import { parquetWriteBuffer } from 'hyparquet-writer';
import type { Page } from 'playwright-core';
import { tradingDays } from '../src/data/calendar.ts';
import { DataError } from '../src/data/csv_parse.ts';
import { parseData } from '../src/data/load.ts';
import { generateMarket, type SyntheticMarket } from '../src/data/synth.ts';
import { barsCsvBytes } from '../src/data/synth_csv.ts';
import { ARTIFACTS, browserSkip, fillSearch, recordProblems, reportFailure, useWebApp } from './support/browser.ts';

const SKIP = browserSkip('web_data', "the web app's data loading is NOT checked");

/** Operators the run may use; the miner must build every expression from these alone. */
const CHOSEN_OPS = ['sub', 'div', 'rank', 'ts_Mean', 'delta', 'stddev'];

const BAR_FIELDS = ['open', 'high', 'low', 'close', 'volume', 'amount', 'vwap'] as const;

/**
 * The market's bars as a long Parquet file (by code then time, suspended bars left out, as barsCsvBytes writes
 * the CSV): Snappy pages (hyparquet-writer's default) except close in gzip and volume in Brotli, so the page
 * decodes with hyparquet's own Snappy and with hyparquet-compressors; row groups of 10,000 rows, so several.
 */
function barsParquetBytes(market: SyntheticMarket): Uint8Array {
  const { panel } = market;
  const close = panel.fields.get('close')!;
  const codes: string[] = [];
  const times: string[] = [];
  const cols = BAR_FIELDS.map(() => [] as number[]);
  for (let j = 0; j < panel.N; j++) {
    for (let t = 0; t < panel.T; t++) {
      const cell = t * panel.N + j;
      if (close[cell] !== close[cell]) continue;
      codes.push(panel.codes[j]!);
      times.push(panel.times[t]!);
      BAR_FIELDS.forEach((f, k) => cols[k]!.push(panel.fields.get(f)![cell]!));
    }
  }
  const codec = (f: string) => (f === 'close' ? 'GZIP' : f === 'volume' ? 'BROTLI' : 'SNAPPY') as 'SNAPPY';
  return new Uint8Array(parquetWriteBuffer({
    columnData: [
      { name: 'code', data: codes, type: 'STRING' },
      { name: 'datetime', data: times, type: 'STRING' },
      ...BAR_FIELDS.map((f, k) => ({ name: f, data: cols[k]!, type: 'FLOAT' as const, codec: codec(f) })),
    ],
    compressors: { GZIP: (b: Uint8Array) => new Uint8Array(gzipSync(b)), BROTLI: (b: Uint8Array) => new Uint8Array(brotliCompressSync(b)) },
    rowGroupSize: 10_000,
  }));
}

/** Opens the app with "Bar file" chosen; returns the file input. */
async function openBarFile(page: Page, url: string) {
  await page.goto(url);
  await page.getByRole('heading', { name: 'alphaflow' }).waitFor();
  await page.getByRole('radio', { name: 'Bar file' }).check();
  return page.getByLabel('Bar file (CSV, CSV.gz or Parquet)');
}

describe('web app: data files and run set-up', { skip: SKIP }, () => {
  const site = useWebApp();

  test('a malformed CSV, then a valid CSV.gz mined with a reduced operator set', { timeout: 90_000 }, async (t) => {
    const problems: string[] = [];
    const page: Page = await site.browser.newPage({ viewport: { width: 1280, height: 800 } });
    recordProblems(page, problems);
    try {
      const fileInput = await openBarFile(page, site.url);

      // A non-numeric close on line 3 (header = line 1), column 6.
      const bad = 'code,datetime,open,high,low,close,volume,amount\n'
        + '600000.SH,2024-01-02 10:00,10,10.2,9.9,10.1,1000,10100\n'
        + '600000.SH,2024-01-02 10:30,10.1,10.3,10,n/a,1200,12120\n';
      await fileInput.setInputFiles({ name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) });
      const error = page.locator('#data-error');
      await error.waitFor({ timeout: 20_000 });
      assert.match((await error.textContent()) ?? '', /Could not load bad\.csv/);
      assert.match((await error.textContent()) ?? '', /bad\.csv, line 3, column 6 \(close\): cannot parse 'n\/a' as a number/);
      assert.equal(await page.locator('af-data-panel .load-error mark').textContent(), 'n/a', 'the bad cell is marked in its line');
      await page.screenshot({ path: join(ARTIFACTS, 'web_data_error.png') });

      // A run cannot start on a file that did not load.
      await page.getByRole('button', { name: 'Start' }).click();
      await page.locator('#progress', { hasText: 'Cannot start: choose a bar file first' }).waitFor();

      // The synthetic market as a user's gzip CSV: 40 stocks × 120 days × 8 bars.
      const csvGz = gzipSync(barsCsvBytes(generateMarket({ stocks: 40, days: 120, seed: 7 })));
      await fileInput.setInputFiles({ name: 'market.csv.gz', mimeType: 'application/gzip', buffer: csvGz });
      const summary = page.locator('#data-summary');
      await summary.waitFor({ timeout: 20_000 });
      const text = (await summary.textContent()) ?? '';
      t.diagnostic(`summary: ${text.replace(/\s+/g, ' ')}`);
      assert.match(text, /market\.csv\.gz \(csv\.gz/);
      assert.match(text, /960 bars × 40 stocks/);
      assert.match(text, /120 \(\d{4}-\d\d-\d\d to \d{4}-\d\d-\d\d\), 8 bars a day/);
      assert.match(text, /open, high, low, close, volume, amount, vwap/);
      assert.equal(await error.count(), 0, 'the old error is gone');

      // Run set-up: a small search, own pool rule, windows, segments and operators.
      await fillSearch(page, { population: 24, generations: 2, seed: 3, fitness: 'rank_ic', backend: 'cpu' });
      await page.getByText('Pool rule, segments, windows and operators').click();
      await page.getByLabel('Pool size', { exact: true }).fill('5');
      await page.getByLabel('|IC| at least', { exact: true }).fill('0.01');
      await page.getByLabel('Max |correlation|', { exact: true }).fill('0.8');
      await page.getByLabel('Windows', { exact: true }).fill('2-6, 10');
      await page.locator('af-run-panel summary', { hasText: 'Operators:' }).click();
      await page.getByRole('button', { name: 'None' }).click();
      for (const op of CHOSEN_OPS) await page.getByRole('checkbox', { name: op, exact: true }).check();
      await page.locator('af-run-panel summary', { hasText: `Operators: ${CHOSEN_OPS.length} of 34` }).waitFor();
      const tip = await page.getByRole('checkbox', { name: 'ts_Mean', exact: true }).getAttribute('aria-description');
      assert.match(tip ?? '', /^ts_Mean\(n,x\): /, 'each operator carries its documentation');

      // Shares that do not add up are refused in the form, not in the worker.
      await page.getByLabel('Train', { exact: true }).fill('0.6');
      await page.getByLabel('Valid', { exact: true }).fill('0.3');
      await page.getByLabel('Test', { exact: true }).fill('0.2');
      await page.getByText('Pool rule, segments, windows and operators').click();
      assert.equal(await page.getByLabel('Train', { exact: true }).isVisible(), false, 'folded away');
      await page.getByRole('button', { name: 'Start' }).click();
      await page.locator('#setup-error', { hasText: 'the shares add up to 1.1, not 1' }).waitFor();
      assert.ok(await page.getByLabel('Train', { exact: true }).isVisible(), 'unfolded to show the field at fault');
      assert.equal(await page.locator('af-app').getAttribute('state'), 'idle');
      await page.getByLabel('Valid', { exact: true }).fill('0.2');
      await page.screenshot({ path: join(ARTIFACTS, 'web_data_setup.png'), fullPage: true });

      await page.getByRole('button', { name: 'Start' }).click();
      await page.locator('af-app[state="done"], af-app[state="error"]').waitFor({ timeout: 45_000 });
      const status = (await page.locator('#progress').textContent()) ?? '';
      t.diagnostic(`status: ${status}`);
      assert.equal(await page.locator('af-app').getAttribute('state'), 'done', status);
      assert.match(status, /Finished: (all generations done after 2 generations|the pool is full)/);
      // No planted alphas for a file: the synthetic market's list is not what was mined.
      assert.equal(await page.locator('af-data-panel').getAttribute('source'), 'file');

      // Every expression shown (best per generation, pool) uses the chosen operators only.
      const shown = [
        ...(await page.locator('af-fitness-chart').allTextContents()).flatMap((s) => [...s.matchAll(/Best expression: (\S+)/g)].map((m) => m[1]!)),
        ...(await page.locator('af-pool-table td.expr').allTextContents()),
      ];
      t.diagnostic(`expressions: ${shown.join(' ')}`);
      assert.ok(shown.length > 0, 'the run showed expressions');
      for (const expr of shown) {
        for (const [, op] of expr.matchAll(/([A-Za-z_]+)\(/g)) assert.ok(CHOSEN_OPS.includes(op!), `${expr} uses ${op}`);
        for (const [, n] of expr.matchAll(/\((\d+),/g)) assert.ok([2, 3, 4, 5, 6, 10].includes(Number(n)), `${expr} uses window ${n}`);
      }
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.screenshot({ path: join(ARTIFACTS, 'web_data_run.png') });

      for (const [width, height] of [[1280, 800], [1920, 1080]] as const) {
        await page.setViewportSize({ width, height });
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert.ok(overflow <= 0, `${width}×${height}: page wider than the window by ${overflow}px`);
      }
      await page.screenshot({ path: join(ARTIFACTS, 'web_data_1920.png') });
      assert.deepEqual(problems, []);
    } catch (e) {
      await reportFailure(page, problems, t, 'web_data_failure.png');
      throw e;
    } finally {
      await page.close();
    }
  });

  test('a truncated Parquet file, then a Parquet file summarised as under Node and mined for a generation', { timeout: 60_000 }, async (t) => {
    const bytes = barsParquetBytes(generateMarket({ stocks: 40, days: 120, seed: 7 }));
    // What the page must show, from the same loader on the same bytes under Node.
    const meta = parquetMetadata(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
    assert.ok(meta.row_groups.length > 1, 'several row groups');
    assert.deepEqual(new Set(meta.row_groups[0]!.columns.map((c) => c.meta_data?.codec)), new Set(['SNAPPY', 'GZIP', 'BROTLI']));
    const panel = await parseData(bytes, { source: 'market.parquet' });
    const cal = tradingDays(panel);
    const close = panel.fields.get('close')!;
    const coverage = close.filter((v) => v === v).length / close.length;
    const truncated = bytes.subarray(0, bytes.length >> 1);
    const nodeError = await parseData(truncated, { source: 'broken.parquet' }).then(() => undefined, (e: unknown) => e);
    assert.ok(nodeError instanceof DataError, 'the truncated file fails under Node too');
    t.diagnostic(`${bytes.length} bytes; under Node: ${panel.T} bars × ${panel.N} stocks; truncated: ${nodeError.message}`);

    const problems: string[] = [];
    const page: Page = await site.browser.newPage({ viewport: { width: 1280, height: 800 } });
    recordProblems(page, problems);
    try {
      const fileInput = await openBarFile(page, site.url);

      // Truncated: 'PAR1' at the start, no footer. The error names the file, with the loader's reason.
      await fileInput.setInputFiles({ name: 'broken.parquet', mimeType: 'application/vnd.apache.parquet', buffer: Buffer.from(truncated) });
      const error = page.locator('#data-error');
      await error.waitFor({ timeout: 20_000 });
      const errorText = ((await error.textContent()) ?? '').replace(/\s+/g, ' ');
      t.diagnostic(`error: ${errorText}`);
      assert.match(errorText, /Could not load broken\.parquet/);
      assert.ok(errorText.includes(`broken.parquet: ${nodeError.reason}`), `the page shows Node's reason: ${nodeError.reason}`);
      assert.match(nodeError.reason, /corrupt Parquet file/);
      assert.equal(await page.locator('af-data-panel .load-error pre').count(), 0, 'no CSV line to show for Parquet');

      await fileInput.setInputFiles({ name: 'market.parquet', mimeType: 'application/vnd.apache.parquet', buffer: Buffer.from(bytes) });
      const summary = page.locator('#data-summary');
      await summary.waitFor({ timeout: 20_000 });
      const text = ((await summary.textContent()) ?? '').replace(/\s+/g, ' ');
      t.diagnostic(`summary: ${text}`);
      assert.match(text, /market\.parquet \(parquet, /);
      assert.ok(text.includes(`${panel.T.toLocaleString('en')} bars × ${panel.N} stocks`), `bars × stocks as under Node: ${panel.T} × ${panel.N}`);
      assert.ok(text.includes(`${cal.days.length} (${cal.days[0]} to ${cal.days.at(-1)}), ${panel.T / cal.days.length} bars a day`), 'days as under Node');
      assert.ok(text.includes([...panel.fields.keys()].join(', ')), `fields as under Node: ${[...panel.fields.keys()].join(', ')}`);
      assert.ok(text.includes(`${(coverage * 100).toFixed(1)} % of cells have a close`), 'coverage as under Node');
      // And what that is: the market the file was written from.
      assert.match(text, /960 bars × 40 stocks/);
      assert.match(text, /open, high, low, close, volume, amount, vwap/);
      assert.equal(await error.count(), 0, 'the old error is gone');

      // A tiny job: one generation on the cpu backend, to the end.
      await fillSearch(page, { population: 16, generations: 1, seed: 5, fitness: 'rank_ic', backend: 'cpu' });
      await page.getByRole('button', { name: 'Start' }).click();
      await page.locator('af-app[state="done"], af-app[state="error"]').waitFor({ timeout: 30_000 });
      const status = (await page.locator('#progress').textContent()) ?? '';
      t.diagnostic(`status: ${status}`);
      assert.equal(await page.locator('af-app').getAttribute('state'), 'done', status);
      assert.match(status, /Finished: (all generations done after 1 generation|the pool is full)/);
      assert.equal(await page.locator('af-data-panel').getAttribute('source'), 'file');
      await page.screenshot({ path: join(ARTIFACTS, 'web_data_parquet.png') });
      assert.deepEqual(problems, []);
    } catch (e) {
      await reportFailure(page, problems, t, 'web_data_parquet_failure.png');
      throw e;
    } finally {
      await page.close();
    }
  });

  test('component <af-data-panel>: market changes, source switch, file picked or dropped', async () => {
    const problems: string[] = [];
    const page: Page = await site.browser.newPage({ viewport: { width: 1280, height: 800 } });
    recordProblems(page, problems, { console: false });
    try {
      await page.goto(site.url);
      await page.waitForFunction(() => customElements.get('af-app') !== undefined);
      await page.evaluate(() => {
        document.querySelector('af-app')!.remove();
        const el = document.createElement('af-data-panel');
        const w = window as unknown as { events: unknown[] };
        w.events = [];
        for (const type of ['af-market-change', 'af-source-change', 'af-data-file']) {
          el.addEventListener(type, (e) => {
            const d = (e as CustomEvent).detail;
            w.events.push({ type, detail: d && d.bytes ? { name: d.name, size: d.bytes.byteLength } : d });
          });
        }
        document.body.append(el);
      });
      const events = () => page.evaluate(() => (window as unknown as { events: unknown[] }).events.splice(0));
      await page.getByLabel('Stocks', { exact: true }).fill('120');
      await page.getByLabel('Stocks', { exact: true }).press('Tab');
      assert.deepEqual(await events(), [{ type: 'af-market-change', detail: { stocks: 120, days: 500, seed: 1 } }]);
      await page.getByLabel('Days', { exact: true }).fill('5');
      await page.getByLabel('Days', { exact: true }).press('Tab');
      assert.deepEqual(await events(), [], 'days below the minimum: no market change');

      // Keyboard: arrows move between the source radios.
      await page.getByRole('radio', { name: 'Synthetic market' }).focus();
      await page.keyboard.press('ArrowRight');
      assert.deepEqual(await events(), [{ type: 'af-source-change', detail: 'file' }]);
      await page.getByLabel('Bar file (CSV, CSV.gz or Parquet)').setInputFiles({ name: 'a.csv', mimeType: 'text/csv', buffer: Buffer.from('code,date,close\n') });
      await page.waitForFunction(() => (window as unknown as { events: unknown[] }).events.length > 0);
      assert.deepEqual(await events(), [{ type: 'af-data-file', detail: { name: 'a.csv', size: 16 } }]);
      await page.evaluate(() => {
        const dt = new DataTransfer();
        dt.items.add(new File(['code,date,close\nX,2024-01-02,1\n'], 'dropped.csv', { type: 'text/csv' }));
        const zone = document.querySelector('af-data-panel')!.shadowRoot!.querySelector('.drop')!;
        zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
        zone.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
      });
      await page.waitForFunction(() => (window as unknown as { events: unknown[] }).events.length > 0);
      assert.deepEqual(await events(), [{ type: 'af-data-file', detail: { name: 'dropped.csv', size: 31 } }]);

      // Loading, then an error without a column (the file as a whole).
      await page.evaluate(() => {
        (document.querySelector('af-data-panel') as HTMLElement & { loading: unknown }).loading = { name: 'big.csv.gz', size: 3 * 1024 ** 2 };
      });
      await page.getByText('Loading big.csv.gz (3.0 MB)…').waitFor();
      await page.evaluate(() => {
        const el = document.querySelector('af-data-panel') as HTMLElement & { loading: unknown; fileError: unknown };
        el.loading = undefined;
        el.fileError = { file: 'x.csv', message: 'x.csv:1: missing column', reason: "missing required column 'code'", line: 1, text: 'ticker,date,close' };
      });
      await page.getByText("x.csv, line 1: missing required column 'code'").waitFor();
      assert.equal(await page.getByLabel('Line 1 of x.csv').textContent(), 'ticker,date,close');
      assert.deepEqual(problems, []);
    } finally {
      await page.close();
    }
  });
});
