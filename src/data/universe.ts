/**
 * Stock universes (`--universe FILE`): a list of codes that limits the cross-section, e.g. an index's members.
 * The file is either one code per line or a CSV with a `code` column; the panel is cut to those stocks before any
 * factor is evaluated, so cross-sectional operators (rank, neutralisation) only ever see universe members.
 * Pure (no node:): the caller reads the file.
 */
import { DataError } from './csv_parse.ts';
import { makePanel, type Panel } from './panel.ts';

/**
 * Universe text → the set of codes. A first line with a comma (or tab) must be a CSV header with a `code` column
 * (case-insensitive), and a first line that is just `code` heads a one-column CSV; otherwise each non-blank line
 * is one code. Lines starting with `#` are comments. Codes are
 * trimmed and unquoted but otherwise matched exactly against the panel's codes.
 */
export function parseUniverse(text: string, source = '<universe>'): Set<string> {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const codes = new Set<string>();
  let first = lines.findIndex((l) => l.trim() !== '' && !l.trimStart().startsWith('#'));
  if (first < 0) throw new DataError(source, 0, 'universe file lists no codes');
  const header = lines[first]!;
  const sep = header.includes(',') ? ',' : header.includes('\t') ? '\t' : undefined;
  let column = 0;
  if (sep === undefined && unquote(header).toLowerCase() === 'code') {
    first++; // a one-column CSV: its header is just `code`
  } else if (sep !== undefined) {
    const names = header.split(sep).map((c) => unquote(c).toLowerCase());
    column = names.indexOf('code');
    if (column < 0) throw new DataError(source, first + 1, `universe CSV has no 'code' column (header: ${header.trim()})`);
    first++;
  }
  for (let i = first; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    const cells = sep === undefined ? [line] : line.split(sep);
    if (column >= cells.length) throw new DataError(source, i + 1, `row has ${cells.length} cells, no 'code' column`);
    const code = unquote(cells[column]!);
    if (code === '') throw new DataError(source, i + 1, 'empty code');
    codes.add(code);
  }
  if (codes.size === 0) throw new DataError(source, 0, 'universe file lists no codes');
  return codes;
}

export interface RestrictedPanel {
  /** The panel with only the universe's stocks, in the original panel order (so codes stay ascending). */
  readonly panel: Panel;
  /** For each kept stock, its column in the original panel: per-stock attributes are cut with it. */
  readonly columns: Int32Array;
  /** Universe codes with no data in the panel, in sorted order (reported, not an error: members come and go). */
  readonly missing: string[];
}

/** The panel cut to the universe's stocks; an error when no universe code is in the data. */
export function restrictPanel(panel: Panel, codes: ReadonlySet<string>, source = '<universe>'): RestrictedPanel {
  const keep: number[] = [];
  panel.codes.forEach((code, j) => {
    if (codes.has(code)) keep.push(j);
  });
  const present = new Set(keep.map((j) => panel.codes[j]!));
  const missing = [...codes].filter((c) => !present.has(c)).sort();
  if (keep.length === 0) {
    const sample = [...codes].slice(0, 3).join(', ');
    const data = panel.codes.slice(0, 3).join(', ');
    throw new DataError(source, 0, `none of the universe's ${codes.size} codes (${sample}${codes.size > 3 ? ', ...' : ''}) is in the data (${panel.N} codes: ${data}${panel.N > 3 ? ', ...' : ''})`);
  }
  const columns = Int32Array.from(keep);
  const { T, N } = panel;
  const M = columns.length;
  const fields = new Map<string, Float32Array>();
  for (const [name, src] of panel.fields) {
    const dst = new Float32Array(T * M);
    for (let t = 0; t < T; t++) {
      const from = t * N;
      const to = t * M;
      for (let m = 0; m < M; m++) dst[to + m] = src[from + columns[m]!]!;
    }
    fields.set(name, dst);
  }
  return { panel: makePanel(panel.times, keep.map((j) => panel.codes[j]!), fields), columns, missing };
}

function unquote(cell: string): string {
  const t = cell.trim();
  return t.length >= 2 && t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1).replace(/""/g, '"').trim() : t;
}
