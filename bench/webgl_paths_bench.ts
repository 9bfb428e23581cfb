/**
 * The WebGL kernels' two ways of ranking a cross-section, timed in headless Chromium: counting (O(N) per stock)
 * against sorting each cross-section first (kernels/webgl/bitonic.ts), for the rank operator, `af_daily_metrics`
 * and `af_factor_corr`. The page (bench/webgl_paths_page.ts) is bundled with esbuild and served on 127.0.0.1; it
 * prints medians from tensors on the GPU to results read back. Needs /usr/bin/chromium (Debian `chromium`).
 *
 *   npm run bench:webgl
 *   npx tsx bench/webgl_paths_bench.ts --rank 2400x300 --metrics 16x250x300 --corr 12x60x300 --runs 3
 *
 * Chromium renders WebGL with SwiftShader on the CPU here, with the tests' flags (tests/support/browser.ts),
 * whatever GPU the machine has: the ratio of the two paths shows there, absolute times do not carry over to a
 * GPU. The renderer is printed with the results.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHROMIUM, buildModulePage, launch, serveStatic } from '../tests/support/browser.ts';
import type { PathsRequest, PathsTiming } from './webgl_paths_page.ts';
import { badArgs, benchArgs, wholeArg } from './bench_args.ts';

const SCRIPT = 'webgl_paths_bench';
const values = benchArgs(SCRIPT, 'WebGL ranking by counting against sorting, in headless Chromium.', {
  rank: { value: 'TxN[,TxN...]', default: '2400x300,240x1000', help: 'rank operator panels, bars x stocks' },
  metrics: { value: 'FxDxN[,...]', default: '16x250x300,4x60x1000', help: 'af_daily_metrics populations, factors x days x stocks' },
  corr: { value: 'FxDxN[,...]', default: '12x60x300', help: 'af_factor_corr populations without holes' },
  runs: { value: 'R', default: '3', help: 'timed runs after a warm-up, median printed' },
});

function sizes(name: string, text: string, parts: number): number[][] {
  return text.split(',').filter(Boolean).map((item) => {
    const dims = item.split('x');
    if (dims.length !== parts) badArgs(SCRIPT, `--${name}: '${item}' should have ${parts} sizes joined by x`);
    return dims.map((d) => wholeArg(SCRIPT, name, d));
  });
}

const request: PathsRequest = {
  rank: sizes('rank', values.rank!, 2) as unknown as PathsRequest['rank'],
  metrics: sizes('metrics', values.metrics!, 3) as unknown as PathsRequest['metrics'],
  corr: sizes('corr', values.corr!, 3) as unknown as PathsRequest['corr'],
  runs: wholeArg(SCRIPT, 'runs', values.runs),
};
if (!existsSync(CHROMIUM)) badArgs(SCRIPT, `needs Chromium at ${CHROMIUM} (Debian package chromium)`);

const dir = mkdtempSync(join(tmpdir(), 'alphaflow-webgl-bench-'));
await buildModulePage('bench/webgl_paths_page.ts', dir, 'webgl paths');
const server = await serveStatic(dir, { quietFavicon: true });
const browser = await launch();
try {
  const page = await browser.newPage();
  await page.goto(server.url);
  await page.waitForFunction(() => 'timePaths' in globalThis, undefined, { timeout: 20_000 });
  const result = await page.evaluate(
    (req) => (globalThis as unknown as { timePaths(r: PathsRequest): Promise<{ renderer: string; timings: PathsTiming[] }> }).timePaths(req),
    request,
  );
  console.log(`WebGL on ${result.renderer}; median of ${request.runs} runs after a warm-up, results read back`);
  console.log('| work | count | sort | count / sort |');
  console.log('| --- | ---: | ---: | ---: |');
  for (const t of result.timings) {
    console.log(`| ${t.what} | ${t.countMs.toFixed(0)} ms | ${t.sortMs.toFixed(0)} ms | ${(t.countMs / t.sortMs).toFixed(1)}x |`);
  }
} finally {
  await browser.close();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
}
