/**
 * Where a command's bars come from: the file named by `--data`, or, when none is given, the built-in synthetic
 * market generated in memory (so every command works on a fresh machine with no files). Says which on stderr.
 */
import process from 'node:process';
import { loadData } from '../data/load.ts';
import { generateMarket } from '../data/synth.ts';
import type { Panel } from '../data/panel.ts';

export const DATA_HELP = '--data FILE      bars: long CSV, CSV.gz or Parquet (default: the built-in synthetic market)';

export async function panelFromArgs(values: Record<string, unknown>): Promise<Panel> {
  const path = values.data as string | undefined;
  const t0 = performance.now();
  let panel: Panel;
  let what: string;
  if (path === undefined) {
    const market = generateMarket();
    panel = market.panel;
    const planted = market.planted.map((p) => `${p.expr} (rank IC ${p.realisedRankIC.toFixed(3)})`).join(', ');
    what = `no --data: built-in synthetic market (seed ${market.seed}; planted ${planted || 'nothing'})`;
  } else {
    panel = await loadData(path);
    what = `loaded ${path}`;
  }
  const secs = ((performance.now() - t0) / 1000).toFixed(2);
  process.stderr.write(`${what}: ${panel.T} bars x ${panel.N} stocks, fields ${[...panel.fields.keys()].join(',')} (${secs} s)\n`);
  return panel;
}
