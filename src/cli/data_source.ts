/**
 * Where a command's bars come from, and the data options every bar-reading command shares: the file named by
 * `--data` (read with the `--columns` preset), or, when none is given, the built-in synthetic market generated in
 * memory (so every command works on a fresh machine with no files); then `--resample`, `--universe` and
 * `--attributes`, applied in that order so the universe cuts resampled bars and attributes align to the stocks
 * actually kept. Every step says what it did on stderr, because a silently dropped stock or code mismatch is
 * exactly what makes a factor's numbers wrong without anyone noticing.
 */
import process from 'node:process';
import { readFileSync } from 'node:fs';
import type { ParseArgsConfig } from 'node:util';
import { UsageError } from './args.ts';
import { loadData } from '../data/load.ts';
import { generateMarket } from '../data/synth.ts';
import type { Panel } from '../data/panel.ts';
import { DataError } from '../data/csv_parse.ts';
import { PRESETS, type ColumnsOption } from '../data/columns.ts';
import { parseFrequency, resample, type Frequency } from '../data/frequency.ts';
import { parseUniverse, restrictPanel } from '../data/universe.ts';
import { alignAttributes, loadAttributes, type AlignedAttributes, type Attributes } from '../data/attributes.ts';
import type { PlantedAlpha } from '../data/synth.ts';

export const COLUMN_CHOICES: readonly string[] = ['auto', 'none', ...Object.keys(PRESETS)];

export const DATA_HELP = '--data FILE      bars: long CSV, CSV.gz or Parquet (default: the built-in synthetic market)';

/** Help lines for all shared data options, --data first. */
export const DATA_OPTIONS_HELP: readonly string[] = [
  DATA_HELP,
  `--columns NAME   column preset of --data: ${COLUMN_CHOICES.join('|')} (default auto)`,
  '--resample FREQ  resample the bars after loading: 30m|60m|daily',
  '--universe FILE  keep only these codes (one per line, or a CSV with a code column)',
  '--attributes FILE  per-stock industry and float shares (CSV keyed by code, e.g.',
  '                 ../shared/data/reference/stocks.csv; default with no --data: the synthetic market\'s)',
];

/** parseArgs options for the shared data flags; spread into each command's own options. */
export const DATA_OPTIONS: NonNullable<ParseArgsConfig['options']> = {
  data: { type: 'string' },
  columns: { type: 'string' },
  resample: { type: 'string' },
  universe: { type: 'string' },
  attributes: { type: 'string' },
};

export interface DataSource {
  panel: Panel;
  /** Per-stock attributes in the panel's code order; undefined when there are none (a file without --attributes). */
  attributes?: AlignedAttributes;
  /** Set when the bars are the built-in synthetic market (no --data): its seed and planted alphas, so a miner can
   * be judged against what it should find. */
  synthetic?: { seed: number; planted: PlantedAlpha[] };
}

export interface PanelFromArgsOptions {
  /** Where the what-was-done lines go (default stderr); `mine --quiet` silences them. */
  log?: (line: string) => void;
}

/** How many of a list to show on one stderr line: enough to spot a pattern (a suffix, a board), not a dump. */
const LIST_MAX = 10;

function listSome(xs: readonly string[]): string {
  return xs.slice(0, LIST_MAX).join(', ') + (xs.length > LIST_MAX ? `, ... (${xs.length - LIST_MAX} more)` : '');
}

/** Checks the data options' values before any (possibly slow) loading, so a typo fails at once. */
function checkOptions(values: Record<string, unknown>): { columns: ColumnsOption | undefined; frequency: Frequency | undefined } {
  const columns = values.columns as string | undefined;
  if (columns !== undefined && !COLUMN_CHOICES.includes(columns)) {
    throw new UsageError(`--columns must be one of ${COLUMN_CHOICES.join(', ')}, got '${columns}'`);
  }
  const freqRaw = values.resample as string | undefined;
  let frequency: Frequency | undefined;
  if (freqRaw !== undefined) {
    try {
      frequency = parseFrequency(freqRaw);
    } catch (e) {
      if (e instanceof DataError) throw new UsageError(`--resample: ${e.reason}`);
      throw e;
    }
  }
  return { columns: columns as ColumnsOption | undefined, frequency };
}

export async function panelFromArgs(values: Record<string, unknown>, opts: PanelFromArgsOptions = {}): Promise<DataSource> {
  const log = opts.log ?? ((line: string) => process.stderr.write(line + '\n'));
  const { columns, frequency } = checkOptions(values);
  const path = values.data as string | undefined;
  const universePath = values.universe as string | undefined;
  const attributesPath = values.attributes as string | undefined;
  if (path === undefined && columns !== undefined) throw new UsageError('--columns applies to a --data file');

  const t0 = performance.now();
  let panel: Panel;
  let what: string;
  let synthAttributes: Attributes | undefined;
  let synthetic: DataSource['synthetic'];
  if (path === undefined) {
    const market = generateMarket();
    panel = market.panel;
    const a = market.attributes;
    synthAttributes = {
      codes: a.codes, industry: a.industry, floatShares: a.floatShares,
      industryColumn: 'industry', floatSharesColumn: 'float_shares',
    };
    synthetic = { seed: market.seed, planted: market.planted };
    const planted = market.planted.map((p) => `${p.expr} (rank IC ${p.realisedRankIC.toFixed(3)})`).join(', ');
    what = `no --data: built-in synthetic market (seed ${market.seed}; planted ${planted || 'nothing'})`;
  } else {
    panel = await loadData(path, columns === undefined ? {} : { columns });
    what = `loaded ${path}${columns === undefined ? '' : ` (columns ${columns})`}`;
  }
  const secs = ((performance.now() - t0) / 1000).toFixed(2);
  log(`${what}: ${panel.T} bars x ${panel.N} stocks, fields ${[...panel.fields.keys()].join(',')} (${secs} s)`);

  if (frequency !== undefined) {
    const r = resample(panel, frequency, { source: path ?? '<synthetic market>' });
    panel = r.panel;
    log(`resample: detected ${r.from.label}, target ${r.to.label}: ${panel.T} bars, ${r.partialBars} partial bar${r.partialBars === 1 ? '' : 's'}` +
      `${r.from.minutes === r.to.minutes ? ' (already at the target frequency)' : ''}`);
  }

  if (universePath !== undefined) {
    let text: string;
    try {
      text = readFileSync(universePath, 'utf8');
    } catch (e) {
      throw new UsageError(`cannot read --universe ${universePath}: ${(e as Error).message}`);
    }
    const codes = parseUniverse(text, universePath);
    const before = panel.N;
    const r = restrictPanel(panel, codes, universePath);
    panel = r.panel;
    log(`universe ${universePath}: kept ${panel.N} of ${before} stocks (${codes.size} universe codes)`);
    if (r.missing.length) log(`universe: ${r.missing.length} code${r.missing.length === 1 ? '' : 's'} not in the data: ${listSome(r.missing)}`);
  }

  // Aligned after the universe cut, so the report speaks of the stocks the factors will actually see.
  let raw: Attributes | undefined = synthAttributes;
  let attrSource = 'synthetic market';
  if (attributesPath !== undefined) {
    raw = await loadAttributes(attributesPath);
    attrSource = attributesPath;
  }
  let attributes: AlignedAttributes | undefined;
  if (raw !== undefined) {
    attributes = alignAttributes(raw, panel.codes);
    log(`attributes (${attrSource}): ${attributes.report}`);
    if (attributes.missingFromAttributes.length) {
      log(`attributes: panel codes not in the attributes: ${listSome(attributes.missingFromAttributes)}`);
    }
    if (attributes.notInBars.length) {
      log(`attributes: attribute codes not in the bars: ${listSome(attributes.notInBars)}`);
    }
  }
  const out: DataSource = attributes === undefined ? { panel } : { panel, attributes };
  if (synthetic) out.synthetic = synthetic;
  return out;
}
