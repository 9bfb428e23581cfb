/**
 * The bar loader for Node and Deno: long CSV, plain or gzip (recognised by its magic bytes, not its name), → an
 * aligned Panel. Parsing lives in `csv_parse.ts`, which has no node: imports so the browser bundle can use it; this
 * file adds synchronous gzip via node:zlib (present in both runtimes) and file reading with friendly errors.
 */

import { readDataFile } from './read_file.ts';
import { gunzipSync } from 'node:zlib';
import type { Panel } from './panel.ts';
import { checkNotOtherFormat, DataError, isGzip, parseBarsText, type ParseBarsOptions } from './csv_parse.ts';

export {
  DataError, isGzip, parseBarsText, parseBarsCsvAsync, BarsCsvParser, STANDARD_BAR_FIELDS,
} from './csv_parse.ts';
export type { ParseBarsOptions } from './csv_parse.ts';

/** Parse bar CSV given as text or bytes; bytes may be gzip. Pure apart from inflating: no file access. */
export function parseBarsCsv(input: string | Uint8Array, opts: ParseBarsOptions = {}): Panel {
  if (typeof input !== 'string' && isGzip(input)) {
    const source = opts.source ?? '<input>';
    let raw: Uint8Array;
    try {
      raw = gunzipSync(input);
    } catch (e) {
      throw new DataError(source, 0, `corrupt or truncated gzip data (${(e as Error).message})`);
    }
    checkNotOtherFormat(raw, source);
    return parseBarsText(raw, opts);
  }
  return parseBarsText(input, opts);
}

/** Read a bar file (plain or gzip CSV) and parse it. Errors name the path as given (or opts.source). */
export async function loadBars(path: string, opts: ParseBarsOptions = {}): Promise<Panel> {
  const bytes = await readDataFile(path);
  return parseBarsCsv(bytes, { ...opts, source: opts.source ?? path });
}
