/**
 * Per-stock attributes that do not change bar to bar (industry, float shares), read from a CSV keyed by code such as
 * reference/stocks.csv, and aligned to a panel's codes for industry neutralisation and size factors. Codes that the
 * attribute file and the bars do not share are counted and listed in the alignment, never dropped silently.
 * Parsing and alignment are pure; only `loadAttributes` touches the file system, through a dynamic import, so a
 * browser bundle can use the rest of this module.
 */

import { readDataFile } from './read_file.ts';
import { DataError, isGzip } from './csv_parse.ts';
import { normalizeCode } from './columns.ts';

export interface Attributes {
  /** Stock codes, normalised (`sh.600000` → `600000.SH`), in file order. */
  readonly codes: string[];
  /** Industry per code; undefined where the cell is empty. */
  readonly industry: (string | undefined)[];
  /** Float shares per code; NaN where unknown. */
  readonly floatShares: Float64Array;
  /** The columns actually used (undefined when the file has none). */
  readonly industryColumn: string | undefined;
  readonly floatSharesColumn: string | undefined;
}

export interface AttributeOptions {
  /** Default: the first of industry, sw2014_l1, csrc_industry present in the header. */
  industryColumn?: string;
  /** Default: float_shares, else the first column named float_shares_<something> (e.g. float_shares_20250407). */
  floatSharesColumn?: string;
  /** Name used in errors. */
  source?: string;
}

export const INDUSTRY_COLUMNS: readonly string[] = ['industry', 'sw2014_l1', 'csrc_industry'];

/** Split CSV text into records of cells (RFC 4180 quoting), each with its physical line. */
export function parseCsvRecords(text: string): { cells: string[]; line: number }[] {
  const out: { cells: string[]; line: number }[] = [];
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let i = 0, line = 1;
  const n = text.length;
  while (i < n) {
    const start = line;
    const cells: string[] = [];
    for (;;) {
      let cell = '';
      if (text[i] === '"') {
        i++;
        for (;;) {
          const q = text.indexOf('"', i);
          if (q < 0) throw new Error(`line ${start}: unterminated quoted cell`);
          cell += text.slice(i, q);
          for (let k = i; k < q; k++) if (text.charCodeAt(k) === 10) line++;
          i = q + 1;
          if (text[i] === '"') { cell += '"'; i++; continue; }
          break;
        }
        while (i < n && text[i] !== ',' && text[i] !== '\n') i++; // stray text after the quote (tolerated: \r)
      } else {
        let j = i;
        while (j < n && text[j] !== ',' && text[j] !== '\n') j++;
        cell = text.slice(i, j);
        i = j;
      }
      cells.push(cell.endsWith('\r') ? cell.slice(0, -1) : cell);
      if (i < n && text[i] === ',') { i++; continue; }
      i++; // newline or end
      line++;
      break;
    }
    if (!(cells.length === 1 && cells[0]!.trim() === '')) out.push({ cells, line: start });
  }
  return out;
}

/** Parse an attribute CSV (text or UTF-8 bytes, not gzip) into per-code arrays. */
export function parseAttributes(input: string | Uint8Array, opts: AttributeOptions = {}): Attributes {
  const source = opts.source ?? '<attributes>';
  if (typeof input !== 'string' && isGzip(input)) {
    throw new DataError(source, 0, 'input is gzip-compressed; inflate it first (loadAttributes does)');
  }
  const text = typeof input === 'string' ? input : new TextDecoder('utf-8').decode(input);
  let records;
  try {
    records = parseCsvRecords(text);
  } catch (e) {
    throw new DataError(source, 0, (e as Error).message);
  }
  if (records.length === 0) throw new DataError(source, 1, 'file is empty (no header line)');
  const header = records[0]!.cells.map((h) => h.trim());
  const col = (name: string): number => header.indexOf(name);
  const codeCol = col('code') >= 0 ? col('code') : col('ts_code');
  if (codeCol < 0) throw new DataError(source, 1, `missing required column 'code'; found: ${header.join(', ')}`);

  const pick = (given: string | undefined, defaults: string[], what: string): number => {
    if (given !== undefined) {
      const c = col(given);
      if (c < 0) throw new DataError(source, 1, `${what} column '${given}' not found; found: ${header.join(', ')}`);
      return c;
    }
    for (const d of defaults) if (col(d) >= 0) return col(d);
    return -1;
  };
  const indCol = pick(opts.industryColumn, [...INDUSTRY_COLUMNS], 'industry');
  const floatDefaults = ['float_shares', ...header.filter((h) => /^float_shares_\w+$/.test(h))];
  const fsCol = pick(opts.floatSharesColumn, floatDefaults, 'float shares');

  const codes: string[] = [];
  const industry: (string | undefined)[] = [];
  const floatShares: number[] = [];
  const seen = new Map<string, number>();
  for (let r = 1; r < records.length; r++) {
    const { cells, line } = records[r]!;
    if (cells.length !== header.length) {
      throw new DataError(source, line, `row has ${cells.length} cells but the header has ${header.length}`);
    }
    const raw = cells[codeCol]!.trim();
    if (raw === '') throw new DataError(source, line, 'empty stock code', codeCol + 1, header[codeCol]);
    const code = normalizeCode(raw);
    const prev = seen.get(code);
    if (prev !== undefined) {
      throw new DataError(source, line, `duplicate code ${code} (first given on line ${prev})`, codeCol + 1, header[codeCol]);
    }
    seen.set(code, line);
    codes.push(code);
    const ind = indCol >= 0 ? cells[indCol]!.trim() : '';
    industry.push(ind === '' ? undefined : ind);
    let fs = NaN;
    if (fsCol >= 0) {
      const cell = cells[fsCol]!.trim();
      if (cell !== '') {
        fs = Number(cell);
        if (!Number.isFinite(fs) || fs < 0) {
          throw new DataError(source, line, `cannot parse '${cell}' as a float share count`, fsCol + 1, header[fsCol]);
        }
      }
    }
    floatShares.push(fs);
  }
  return {
    codes, industry, floatShares: Float64Array.from(floatShares),
    industryColumn: indCol >= 0 ? header[indCol] : undefined,
    floatSharesColumn: fsCol >= 0 ? header[fsCol] : undefined,
  };
}

/** Read an attribute CSV (plain or gzip) from a file. Node and Deno only. */
export async function loadAttributes(path: string, opts: AttributeOptions = {}): Promise<Attributes> {
  let bytes = await readDataFile(path);
  if (isGzip(bytes)) {
    const { gunzipSync } = await import('node:zlib');
    bytes = gunzipSync(bytes);
  }
  return parseAttributes(bytes, { source: path, ...opts });
}

export interface AlignedAttributes {
  /** The panel's codes (the alignment's order). */
  readonly codes: readonly string[];
  /** Industry per panel stock; undefined when the stock is not in the file or its cell is empty. */
  readonly industry: (string | undefined)[];
  /** Industry as an index into `industries` per panel stock; -1 when unknown. */
  readonly industryIndex: Int32Array;
  /** Distinct industries of the panel's stocks, sorted. */
  readonly industries: string[];
  /** Float shares per panel stock; NaN when unknown. */
  readonly floatShares: Float64Array;
  /** Panel codes the attribute file lacks. */
  readonly missingFromAttributes: string[];
  /** Attribute codes with no bars in the panel. */
  readonly notInBars: string[];
  /** Panel stocks in the file whose industry / float shares are empty. */
  readonly unknownIndustry: number;
  readonly unknownFloatShares: number;
  /** One-line summary for logs. */
  readonly report: string;
}

/** Arrange attributes in the panel's code order and account for every code the two sides do not share. */
export function alignAttributes(attrs: Attributes, panelCodes: readonly string[]): AlignedAttributes {
  const at = new Map<string, number>();
  attrs.codes.forEach((c, i) => at.set(c, i));
  const N = panelCodes.length;
  const industry: (string | undefined)[] = new Array<string | undefined>(N).fill(undefined);
  const floatShares = new Float64Array(N).fill(NaN);
  const missingFromAttributes: string[] = [];
  const inPanel = new Set<string>();
  let unknownIndustry = 0, unknownFloatShares = 0;
  panelCodes.forEach((code, j) => {
    inPanel.add(code);
    const i = at.get(code);
    if (i === undefined) { missingFromAttributes.push(code); return; }
    industry[j] = attrs.industry[i];
    floatShares[j] = attrs.floatShares[i]!;
    if (industry[j] === undefined) unknownIndustry++;
    if (Number.isNaN(floatShares[j])) unknownFloatShares++;
  });
  const notInBars = attrs.codes.filter((c) => !inPanel.has(c));
  const industries = [...new Set(industry.filter((x): x is string => x !== undefined))].sort();
  const idx = new Map(industries.map((x, k) => [x, k]));
  const industryIndex = Int32Array.from(industry, (x) => (x === undefined ? -1 : idx.get(x)!));
  const list = (xs: string[]): string => (xs.length === 0 ? '' : `: ${xs.slice(0, 5).join(', ')}${xs.length > 5 ? ', …' : ''}`);
  const report = `attributes for ${N - missingFromAttributes.length} of ${N} panel stocks; ` +
    `${missingFromAttributes.length} panel stocks missing from the attribute file${list(missingFromAttributes)}; ` +
    `${notInBars.length} attribute codes without bars; ${unknownIndustry} with no industry ` +
    `(${attrs.industryColumn ?? 'no industry column'}), ${unknownFloatShares} with no float shares ` +
    `(${attrs.floatSharesColumn ?? 'no float-shares column'})`;
  return {
    codes: panelCodes, industry, industryIndex, industries, floatShares,
    missingFromAttributes, notInBars, unknownIndustry, unknownFloatShares, report,
  };
}
