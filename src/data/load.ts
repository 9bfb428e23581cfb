/**
 * The front door for bar data: one call that takes a file (or its bytes) in any supported format and returns a
 * Panel, optionally resampled. The format is decided by the bytes, never the file name: `PAR1` → Parquet,
 * gzip magic → gzip CSV, otherwise CSV. `parseData` is the browser half (bytes in, inflating gzip with the standard
 * DecompressionStream); `loadData` adds file reading for Node and Deno.
 */

import { readDataFile } from './read_file.ts';
import type { Panel } from './panel.ts';
import { parseBarsCsvAsync, type ParseBarsOptions } from './csv_parse.ts';
import { isParquet, parseBarsParquet } from './parquet.ts';
import { resample, type Frequency } from './frequency.ts';

export type DataFormat = 'parquet' | 'csv.gz' | 'csv';

export interface LoadOptions extends ParseBarsOptions {
  /** Resample to this coarser frequency after loading (e.g. '30min', '60min', 'daily'). */
  frequency?: Frequency | string;
}

/** The format of a bar file, from its first bytes. */
export function detectFormat(bytes: Uint8Array): DataFormat {
  if (isParquet(bytes)) return 'parquet';
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) return 'csv.gz';
  return 'csv';
}

/** Parse bar data held in memory (Parquet, gzip CSV or CSV); usable in a browser. */
export async function parseData(bytes: Uint8Array, opts: LoadOptions = {}): Promise<Panel> {
  const { frequency, ...parseOpts } = opts;
  const panel = detectFormat(bytes) === 'parquet'
    ? await parseBarsParquet(bytes, parseOpts)
    : await parseBarsCsvAsync(bytes, parseOpts);
  if (frequency === undefined) return panel;
  return resample(panel, frequency, { source: opts.source }).panel;
}

/** Read a bar file in any supported format. Errors are DataErrors naming the path as given. */
export async function loadData(path: string, opts: LoadOptions = {}): Promise<Panel> {
  const bytes = await readDataFile(path);
  const format = detectFormat(bytes);
  const source = opts.source ?? path;
  if (format === 'csv.gz') {
    // node:zlib inflates faster than DecompressionStream and is present in Node and Deno.
    const { parseBarsCsv } = await import('./csv.ts');
    const panel = parseBarsCsv(bytes, { ...opts, source });
    return opts.frequency === undefined ? panel : resample(panel, opts.frequency, { source }).panel;
  }
  return parseData(bytes, { ...opts, source });
}
