/**
 * Parquet bars: the same long format as the CSV (one row per stock and bar: code, date or datetime, numeric
 * fields), decoded by hyparquet (with hyparquet-compressors for gzip/zstd/brotli/lz4 pages) and aligned into a
 * Panel with the same rules as the CSV loader: the column mapping of columns.ts, duplicates are errors, vwap is
 * derived as amount / volume where absent, text columns are not fields. Pure: bytes in, Panel out, no node: imports.
 */

import { parquetMetadata, parquetRead, parquetSchema } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { makePanel, type Panel } from './panel.ts';
import { DataError, STANDARD_BAR_FIELDS, timeKey, type ParseBarsOptions } from './csv_parse.ts';
import { normalizeCode, renameHeader, resolveColumns } from './columns.ts';

/** True when the bytes start with the Parquet magic `PAR1`. */
export function isParquet(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x41 && bytes[2] === 0x52 && bytes[3] === 0x31;
}

const pad = (x: number): string => String(x).padStart(2, '0');

/**
 * A timestamp cell as text. Parquet timestamps arrive as Dates holding the stored instant; they are printed with
 * UTC getters, i.e. as the wall-clock time that a timezone-naive writer (pandas without tz) stored.
 */
function timeText(v: unknown): string | undefined {
  if (v instanceof Date) {
    if (Number.isNaN(v.getTime())) return undefined;
    const d = `${v.getUTCFullYear()}-${pad(v.getUTCMonth() + 1)}-${pad(v.getUTCDate())}`;
    const h = v.getUTCHours(), m = v.getUTCMinutes(), s = v.getUTCSeconds();
    return h === 0 && m === 0 && s === 0 ? d : `${d} ${pad(h)}:${pad(m)}:${pad(s)}`;
  }
  if (typeof v === 'string') return v.trim();
  if (typeof v === 'number' || typeof v === 'bigint') return String(v); // YYYYMMDD as an integer
  return undefined;
}

function codeText(v: unknown): string | undefined {
  if (typeof v === 'string') return v.trim() || undefined;
  // Integer codes lost their leading zeros (000001 → 1) on the way in.
  if (typeof v === 'number' || typeof v === 'bigint') return String(v).padStart(6, '0');
  return undefined;
}

const STANDARD = new Set(STANDARD_BAR_FIELDS);

/** Decode Parquet bytes into a Panel. Errors name the source, the column and the 1-based data row. */
export async function parseBarsParquet(bytes: Uint8Array, opts: ParseBarsOptions = {}): Promise<Panel> {
  const source = opts.source ?? '<input>';
  if (!isParquet(bytes)) throw new DataError(source, 0, "not a Parquet file (no 'PAR1' magic)");
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  let metadata;
  try {
    metadata = parquetMetadata(buffer);
  } catch (e) {
    throw new DataError(source, 0, `corrupt Parquet file: ${(e as Error).message}`);
  }
  const raw = parquetSchema(metadata).children.map((c) => c.element.name);
  const mapping = resolveColumns(raw, opts.columns ?? 'auto');
  const names = renameHeader(raw, mapping);
  const seen = new Map<string, number>();
  names.forEach((name, c) => {
    const prev = seen.get(name);
    if (prev !== undefined) {
      throw new DataError(source, 0, `duplicate column name '${name}' (also column ${prev + 1})`, c + 1, raw[c]);
    }
    seen.set(name, c);
  });
  const codeCol = seen.get('code') ?? -1;
  const timeCol = seen.get('datetime') ?? seen.get('date') ?? -1;
  if (codeCol < 0 || timeCol < 0) {
    const missing = [codeCol < 0 ? "'code'" : '', timeCol < 0 ? "'datetime' or 'date'" : ''].filter(Boolean).join(' and ');
    throw new DataError(source, 0, `missing required column ${missing}; found: ${raw.join(', ')}`);
  }

  const rows = Number(metadata.num_rows);
  if (rows === 0) throw new DataError(source, 0, 'no data rows');
  // Chunks are kept as decoded (typed arrays for numbers) and walked in row order, rather than copied cell by cell.
  const chunks: { rowStart: number; data: ArrayLike<unknown> }[][] = names.map(() => []);
  try {
    await parquetRead({
      file: buffer, metadata, compressors,
      onChunk: (chunk) => {
        const c = raw.indexOf(chunk.columnName);
        if (c >= 0) chunks[c]!.push({ rowStart: chunk.rowStart, data: chunk.columnData as ArrayLike<unknown> });
      },
    });
  } catch (e) {
    throw new DataError(source, 0, `cannot decode Parquet data: ${(e as Error).message}`);
  }
  const columns = chunks.map((list) => {
    list.sort((a, b) => a.rowStart - b.rowStart);
    return list;
  });
  /** Visit every cell of column c in row order. */
  const each = (c: number, visit: (v: unknown, r: number) => void): void => {
    for (const { rowStart, data } of columns[c]!) {
      const n = Math.min(data.length, rows - rowStart);
      for (let i = 0; i < n; i++) visit(data[i], rowStart + i);
    }
  };

  const err = (row: number, c: number, reason: string): DataError =>
    new DataError(source, 0, `row ${row + 1}: ${reason}`, c + 1, raw[c]);

  // Codes and times → ids.
  const codeMap = new Map<string, number>(), codes: string[] = [];
  const timeMap = new Map<number, number>(), timeKeys: number[] = [], timeStrs: string[] = [];
  const codeIds = new Int32Array(rows), timeIds = new Int32Array(rows);
  // Long files repeat the previous row's code (and often its time), so that case skips the lookups.
  let lastCode: unknown = undefined, lastCodeId = -1;
  let seenRows = 0;
  each(codeCol, (v, r) => {
    seenRows++;
    if (v === lastCode && lastCodeId >= 0) { codeIds[r] = lastCodeId; return; }
    let code = codeText(v);
    if (code === undefined) throw err(r, codeCol, 'empty stock code');
    if (mapping.normalizeCodes) code = normalizeCode(code);
    let id = codeMap.get(code);
    if (id === undefined) { id = codes.length; codes.push(code); codeMap.set(code, id); }
    codeIds[r] = lastCodeId = id;
    lastCode = v;
  });
  if (seenRows !== rows) throw new DataError(source, 0, `column ${raw[codeCol]} has ${seenRows} values for ${rows} rows`);
  const textIds = new Map<string, number>();
  each(timeCol, (v, r) => {
    const text = timeText(v);
    let tid = text === undefined ? undefined : textIds.get(text);
    if (tid === undefined) {
      const key = text === undefined ? -1 : timeKey(text);
      if (key < 0) throw err(r, timeCol, text === undefined || text === '' ? 'empty date/time' : `cannot parse '${text}' as a date/time`);
      tid = timeMap.get(key);
      if (tid === undefined) { tid = timeKeys.length; timeKeys.push(key); timeStrs.push(text!); timeMap.set(key, tid); }
      textIds.set(text!, tid);
    }
    timeIds[r] = tid;
  });

  // Numeric fields; a column with more text than numbers is a label column and is not a field.
  const values = new Map<string, Float64Array>();
  names.forEach((name, c) => {
    if (c === codeCol || c === timeCol || name === 'date' || name === 'datetime' || name === '') return;
    const out = new Float64Array(rows).fill(NaN);
    let good = 0, bad = 0, firstBad = -1, firstBadText = '';
    each(c, (v, r) => {
      let x: number;
      if (v === null || v === undefined) x = NaN;
      else if (typeof v === 'number') x = v;
      else if (typeof v === 'bigint' || typeof v === 'boolean') x = Number(v);
      else if (typeof v === 'string') {
        const t = v.trim();
        x = t === '' ? NaN : Number(t);
        if (t !== '' && Number.isNaN(x) && t.toLowerCase() !== 'nan') {
          if (bad++ === 0) { firstBad = r; firstBadText = t; }
        }
      } else {
        x = NaN;
        if (bad++ === 0) { firstBad = r; firstBadText = String(v); }
      }
      if (x === x) good++;
      out[r] = x;
    });
    if (bad > 0) {
      if (STANDARD.has(name) || good >= bad) {
        throw err(firstBad, c, `cannot parse '${firstBadText}' as a number (${good} cells of this column are numbers, ${bad} are not)`);
      }
      return;
    }
    const k = mapping.scale?.[name];
    if (k !== undefined && k !== 1) for (let r = 0; r < rows; r++) out[r] = out[r]! * k;
    values.set(name, out);
  });

  // Axes and scatter, as in the CSV loader.
  const T = timeKeys.length, N = codes.length;
  const tOrder = Array.from({ length: T }, (_, i) => i).sort((x, y) => timeKeys[x]! - timeKeys[y]!);
  const tRank = new Int32Array(T);
  tOrder.forEach((id, rank) => { tRank[id] = rank; });
  const cOrder = Array.from({ length: N }, (_, i) => i).sort((x, y) => (codes[x]! < codes[y]! ? -1 : codes[x]! > codes[y]! ? 1 : 0));
  const cRank = new Int32Array(N);
  cOrder.forEach((id, rank) => { cRank[id] = rank; });
  const slots = new Int32Array(rows);
  const owner = new Int32Array(T * N).fill(-1);
  for (let r = 0; r < rows; r++) {
    const slot = tRank[timeIds[r]!]! * N + cRank[codeIds[r]!]!;
    if (owner[slot]! >= 0) {
      throw new DataError(source, 0, `row ${r + 1}: duplicate bar for ${codes[codeIds[r]!]} at ` +
        `${timeStrs[timeIds[r]!]} (first given in row ${owner[slot]! + 1})`);
    }
    owner[slot] = r;
    slots[r] = slot;
  }
  const vol = values.get('volume'), amt = values.get('amount');
  if (vol && amt) {
    const given = values.get('vwap');
    const vwap = given ?? new Float64Array(rows);
    for (let r = 0; r < rows; r++) {
      if (!given || vwap[r] !== vwap[r]) vwap[r] = vol[r] === 0 ? NaN : amt[r]! / vol[r]!;
    }
    if (!given) values.set('vwap', vwap);
  }
  const fields = new Map<string, Float32Array>();
  for (const [name, src] of values) {
    const out = new Float32Array(T * N).fill(NaN);
    for (let r = 0; r < rows; r++) out[slots[r]!] = src[r]!;
    fields.set(name, out);
  }
  return makePanel(tOrder.map((id) => timeStrs[id]!), cOrder.map((id) => codes[id]!), fields);
}
