/**
 * The pure half of the bar loader: long CSV text (or already-decompressed UTF-8 bytes) → aligned Panel. It imports
 * nothing from node:, so the browser bundle can parse a dropped file with it; `csv.ts` adds gzip via node:zlib and
 * file reading. Parsing is a single pass that keeps no per-row objects: codes and timestamps go through Maps to
 * integer ids, numbers land in growable Float64Arrays, and the [T, N] Float32Arrays are scattered at the end once
 * the union of timestamps and codes is known. Input is consumed in chunks so files whose text exceeds V8's maximum
 * string length still load.
 */

import { makePanel, type Panel } from './panel.ts';
import { STANDARD_FIELDS } from '../expr/ast.ts';
import { normalizeCode, renameHeader, resolveColumns, type ColumnMapping, type ColumnsOption } from './columns.ts';

/** A defect in a bar file, located by physical line (header = 1; 0 = the file as a whole) and CSV column. */
export class DataError extends Error {
  override readonly name = 'DataError';
  /** File name as given by the caller (or `<input>`). */
  readonly file: string;
  /** 1-based physical line in the file; 0 when the problem is the file itself (missing, unreadable). */
  readonly line: number;
  /** 1-based CSV column index, when one column is at fault. */
  readonly column: number | undefined;
  /** Header name of that column, when known. */
  readonly columnName: string | undefined;
  /** The message without the location prefix. */
  readonly reason: string;

  constructor(file: string, line: number, reason: string, column?: number, columnName?: string) {
    const where = line > 0 ? `${file}:${line}` : file;
    const col = column === undefined ? ''
      : columnName === undefined ? ` column ${column}:` : ` column ${column} (${columnName}):`;
    super(`${where}:${col} ${reason}`);
    this.file = file;
    this.line = line;
    this.column = column;
    this.columnName = columnName;
    this.reason = reason;
  }
}

export interface ParseBarsOptions {
  /** Name used in error messages (a file name). Default `<input>`. */
  source?: string;
  /**
   * Header mapping for other sources' column names and units (columns.ts). Default `auto`: tushare and akshare
   * headers are recognised and converted, and codes such as `sh.600000` become `600000.SH`.
   */
  columns?: ColumnsOption;
}

/** Fields that must be numeric when present: a bad cell there is always an error, never a reason to drop the column. */
export const STANDARD_BAR_FIELDS: readonly string[] = STANDARD_FIELDS;
const STANDARD = new Set(STANDARD_BAR_FIELDS);

/** True when the bytes start with the gzip magic number (the name of a file is not trusted). */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Parse bar CSV that is not compressed: a string, or UTF-8 bytes. Gzip bytes are rejected here with a hint, since
 * inflating needs either node:zlib (`parseBarsCsv` in csv.ts) or the async DecompressionStream (`parseBarsCsvAsync`).
 */
export function parseBarsText(input: string | Uint8Array, opts: ParseBarsOptions = {}): Panel {
  const parser = new BarsCsvParser(opts);
  if (typeof input === 'string') {
    parser.push(input);
  } else {
    checkNotOtherFormat(input, parser.source);
    if (isGzip(input)) {
      const hint = 'input is gzip-compressed; inflate it first (parseBarsCsv or parseBarsCsvAsync do)';
      throw new DataError(parser.source, 0, hint);
    }
    pushUtf8(parser, input);
  }
  return parser.finish();
}

/**
 * Parse bar CSV bytes that may be gzip, inflating with the standard DecompressionStream (Node ≥ 18, Deno, browsers).
 * This is the entry point for a web page handed the bytes of a dropped file.
 */
export async function parseBarsCsvAsync(input: string | Uint8Array, opts: ParseBarsOptions = {}): Promise<Panel> {
  if (typeof input === 'string' || !isGzip(input)) return parseBarsText(input, opts);
  const source = opts.source ?? '<input>';
  let raw: Uint8Array;
  try {
    const stream = new Blob([input as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream('gzip'));
    raw = new Uint8Array(await new Response(stream).arrayBuffer());
  } catch (e) {
    throw new DataError(source, 0, `corrupt gzip data: ${(e as Error).message}`);
  }
  return parseBarsText(raw, opts);
}

/** Reject formats that would otherwise surface as a baffling "missing column" error. */
export function checkNotOtherFormat(bytes: Uint8Array, source: string): void {
  const b0 = bytes[0], b1 = bytes[1];
  if ((b0 === 0xff && b1 === 0xfe) || (b0 === 0xfe && b1 === 0xff)) {
    throw new DataError(source, 0, 'file is UTF-16; save it as UTF-8 CSV');
  }
  if (b0 === 0x50 && b1 === 0x4b && bytes[2] === 3 && bytes[3] === 4) {
    throw new DataError(source, 0, 'file is a zip archive (or .xlsx); extract or export it as CSV or .csv.gz');
  }
}

/**
 * Decode in pieces that end just after a newline byte, so no string nears V8's length limit. A newline byte is never
 * inside a multi-byte character, so each piece decodes on its own, which matters because Node 20's streaming decode
 * ({stream: true}) is about five times slower than a one-shot decode.
 */
const CHUNK_BYTES = 32 << 20;
export function pushUtf8(parser: BarsCsvParser, bytes: Uint8Array, chunkBytes = CHUNK_BYTES): void {
  const decoder = new TextDecoder('utf-8');
  let start = 0;
  while (start < bytes.length) {
    let end = start + chunkBytes >= bytes.length ? bytes.length : bytes.indexOf(10, start + chunkBytes) + 1;
    if (end <= 0) end = bytes.length;
    parser.push(decoder.decode(bytes.subarray(start, end)));
    start = end;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Number and datetime scanning on (string, start, end) so cells need not be sliced out.

/** Set by parseNumber when the cell is non-empty and not a number (the returned NaN is then not a "missing"). */
let numberBad = false;
const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);

/**
 * Decimal fast path: up to 15 significant digits and an optional point. mantissa / 10^k is correctly rounded
 * because both operands are exact doubles, so the result equals Number(text); everything else (exponents, spaces,
 * long digit runs, nan/inf) goes to the slow path.
 */
function parseNumber(s: string, a: number, b: number): number {
  numberBad = false;
  if (a >= b) return NaN;
  let i = a;
  let c = s.charCodeAt(i);
  let neg = false;
  if (c === 45) { neg = true; i++; } else if (c === 43) { i++; }
  let mant = 0, digits = 0, frac = 0, dot = false;
  for (; i < b; i++) {
    c = s.charCodeAt(i);
    const d = c - 48;
    if (d >= 0 && d <= 9) {
      mant = mant * 10 + d;
      digits++;
      if (dot) frac++;
    } else if (c === 46 && !dot) {
      dot = true;
    } else {
      return parseNumberSlow(s, a, b);
    }
  }
  if (digits === 0 || digits > 15) return parseNumberSlow(s, a, b);
  const v = frac === 0 ? mant : mant / POW10[frac]!;
  return neg ? -v : v;
}

const NUMBER_RE = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
function parseNumberSlow(s: string, a: number, b: number): number {
  // Text columns (names, industries) send every cell here: turn them away before slicing.
  let i = a;
  while (i < b && s.charCodeAt(i) === 32) i++;
  const c = i < b ? s.charCodeAt(i) | 0x20 : 0;
  if (i < b && !((c >= 48 && c <= 57) || c === 0x2b || c === 0x2d || c === 0x2e || c === 0x6e || c === 0x69)) {
    numberBad = true; // not a digit, sign, point, n(an) or i(nf)
    return NaN;
  }
  const t = s.slice(a, b).trim();
  if (t === '') return NaN;
  if (NUMBER_RE.test(t)) return Number(t);
  switch (t.toLowerCase()) {
    case 'nan': case '+nan': case '-nan': return NaN;
    case 'inf': case '+inf': case 'infinity': case '+infinity': return Infinity;
    case '-inf': case '-infinity': return -Infinity;
  }
  numberBad = true;
  return NaN;
}

/** Set by parseTimeKey on failure: why the cell is not a timestamp. */
let timeError = '';
const TIME_FORMATS = 'YYYY-MM-DD[ HH:MM[:SS]], YYYY-MM-DDTHH:MM[:SS], YYYY/MM/DD[ HH:MM[:SS]], YYYYMMDD[ HH:MM:SS] or YYYYMMDDhhmmss[sss]';
const DAYS_IN_MONTH = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Cursor of parseTimeKey, module-level so the helpers need no closures (tsx wraps every closure it creates). */
let tPos = 0;

/** Read min..max digits at tPos (stopping at the first non-digit); -1 when fewer than min. */
function readDigits(s: string, b: number, min: number, max: number): number {
  let v = 0, k = 0;
  while (k < max && tPos < b) {
    const d = s.charCodeAt(tPos) - 48;
    if (d < 0 || d > 9) break;
    v = v * 10 + d;
    tPos++;
    k++;
  }
  return k < min ? -1 : v;
}

function timeFail(): number {
  timeError = `expected ${TIME_FORMATS}`;
  return -1;
}

/**
 * Timestamp → YYYYMMDDhhmmss as a number (< 2^53), so spellings of one instant share a key and numeric order is
 * time order. Returns -1 with timeError set when the text is not one of the accepted forms.
 */
/** A timestamp's numeric key YYYYMMDDhhmmss (time order is numeric order), or -1 when it is not a date. */
export function timeKey(s: string): number {
  return parseTimeKey(s, 0, s.length);
}

function parseTimeKey(s: string, a: number, b: number): number {
  while (a < b && s.charCodeAt(a) === 32) a++;
  while (b > a && s.charCodeAt(b - 1) === 32) b--;
  tPos = a;
  const year = readDigits(s, b, 4, 4);
  if (year < 0) return timeFail();
  let month: number, day: number;
  const sep = tPos < b ? s.charCodeAt(tPos) : 0;
  const separated = sep === 45 || sep === 47;
  if (separated) {
    tPos++;
    month = readDigits(s, b, 1, 2);
    if (month < 0 || tPos >= b || s.charCodeAt(tPos) !== sep) return timeFail();
    tPos++;
    day = readDigits(s, b, 1, 2);
  } else {
    month = readDigits(s, b, 2, 2);
    day = readDigits(s, b, 2, 2);
  }
  if (month < 0 || day < 0) return timeFail();
  let hour = 0, minute = 0, second = 0;
  const d0 = tPos < b ? s.charCodeAt(tPos) - 48 : -1;
  if (!separated && d0 >= 0 && d0 <= 9) {
    // baostock minute bars: YYYYMMDDhhmmss followed by milliseconds, which are always 000 there and are dropped.
    hour = readDigits(s, b, 2, 2);
    minute = readDigits(s, b, 2, 2);
    second = readDigits(s, b, 2, 2);
    if (hour < 0 || minute < 0 || second < 0) return timeFail();
    if (tPos < b && readDigits(s, b, 3, 3) < 0) return timeFail();
  } else if (tPos < b) {
    const t = s.charCodeAt(tPos);
    // ISO 'T' goes with the separated forms; the compact YYYYMMDD form takes a space, as in the accepted list.
    if (!(t === 32 || (t === 84 && separated))) return timeFail();
    tPos++;
    hour = readDigits(s, b, 1, 2);
    if (hour < 0 || tPos >= b || s.charCodeAt(tPos) !== 58) return timeFail();
    tPos++;
    minute = readDigits(s, b, 2, 2);
    if (minute < 0) return timeFail();
    if (tPos < b) {
      if (s.charCodeAt(tPos) !== 58) return timeFail();
      tPos++;
      second = readDigits(s, b, 2, 2);
      if (second < 0) return timeFail();
    } else if (!separated) {
      return timeFail(); // YYYYMMDD HH:MM is not in the accepted list
    }
  }
  if (tPos < b) return timeFail();
  if (month < 1 || month > 12) { timeError = `month ${month} is out of range`; return -1; }
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const dim = month === 2 && leap ? 29 : DAYS_IN_MONTH[month]!;
  if (day < 1 || day > dim) {
    timeError = `day ${day} is out of range for ${year}-${String(month).padStart(2, '0')}`;
    return -1;
  }
  if (hour > 23 || minute > 59 || second > 59) { timeError = 'time of day is out of range'; return -1; }
  return ((((year * 100 + month) * 100 + day) * 100 + hour) * 100 + minute) * 100 + second;
}

function quoteCell(s: string): string {
  const t = s.length > 40 ? `${s.slice(0, 40)}…` : s;
  return `'${t}'`;
}

// ---------------------------------------------------------------------------------------------------------------

const ROLE_SKIP = 0, ROLE_CODE = 1, ROLE_TIME = 2, ROLE_NUMBER = 3;
const MAX_CARRY = 64 << 20;
const UNTERMINATED = 'unterminated quoted cell (missing closing quote)';

/**
 * Incremental parser: push() text pieces (each may end mid-record; the tail is carried over), then finish().
 * Exported so a caller with a stream (e.g. DecompressionStream in a browser) can feed it without holding all text.
 */
export class BarsCsvParser {
  readonly source: string;
  /** Physical line number of the next unread character. */
  private line = 1;
  private carry = '';
  private started = false;

  // Cells of the current record, reused for every record.
  private cap = 16;
  private nCells = 0;
  private cellSrc: string[] = new Array<string>(16).fill('');
  private cellStart: Int32Array = new Int32Array(16);
  private cellEnd: Int32Array = new Int32Array(16);
  private cellLine: Int32Array = new Int32Array(16);

  // Header.
  private readonly columnsOption: ColumnsOption;
  private mapping: ColumnMapping | undefined;
  /** Header as written in the file, for error messages (names holds the mapped names). */
  private rawNames: string[] = [];
  private names: string[] | undefined;
  private ncols = 0;
  private roles = new Uint8Array(0);
  private codeCol = -1;
  private timeCol = -1;

  // Rows.
  private rows = 0;
  private rowCap = 0;
  private codeIds: Int32Array = new Int32Array(0);
  private timeIds: Int32Array = new Int32Array(0);
  private rowLines: Int32Array = new Int32Array(0);
  private values: Float64Array[] = [];
  private numericCount = new Float64Array(0);
  private badCount = new Float64Array(0);
  private firstBadLine: Int32Array = new Int32Array(0);
  private firstBadText: string[] = [];

  // Ids.
  // Long files list bars code by code (or time by time), so the next row's code and timestamp are usually the
  // previous row's, or the one that followed it last time. Checking those in place skips slicing and hashing.
  private codeMap = new Map<string, number>();
  private codes: string[] = [];
  private nextCode: number[] = [];
  private lastCodeId = -1;
  private timeMap = new Map<number, number>();
  private timeKeys: number[] = [];
  private timeStrs: string[] = [];
  private nextTime: number[] = [];
  private lastTimeId = -1;

  constructor(opts: ParseBarsOptions = {}) {
    this.source = opts.source ?? '<input>';
    this.columnsOption = opts.columns ?? 'auto';
  }

  private error(line: number, reason: string, col?: number): DataError {
    const name = col === undefined || !this.names ? undefined : this.rawNames[col];
    return new DataError(this.source, line, reason, col === undefined ? undefined : col + 1, name || undefined);
  }

  /** Feed the next piece of text. Records split across pieces are carried over to the next call. */
  push(text: string): void {
    if (this.carry !== '') {
      text = this.carry + text;
      this.carry = '';
    }
    if (!this.started && text.length > 0) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    const len = text.length;
    let pos = 0;
    while (pos < len) {
      const startLine = this.line;
      const next = this.readRecord(text, pos);
      if (next < 0) {
        // Only a quoted cell spans pieces; one this long is an unclosed quote swallowing the file, so stop here
        // rather than re-scanning an ever longer tail until the string length limit hits.
        if (len - pos > MAX_CARRY) throw new DataError(this.source, startLine, UNTERMINATED);
        this.carry = text.slice(pos);
        this.line = startLine;
        return;
      }
      if (this.names === undefined) {
        if (this.nCells === 1 && this.cellEnd[0] === this.cellStart[0]) {
          pos = next; // blank lines before the header
          continue;
        }
        this.readHeader(startLine);
      } else {
        this.readRow(startLine);
      }
      pos = next;
    }
  }

  /**
   * Tokenize one record starting at pos (RFC 4180: quoted cells may hold commas, doubled quotes and newlines).
   * Returns the position after its line break, or -1 when the text ends first (the caller carries the tail over).
   */
  private readRecord(text: string, pos: number): number {
    const len = text.length;
    let n = 0;
    let line = this.line;
    for (;;) {
      if (n === this.cap) this.growCells();
      if (pos < len && text.charCodeAt(pos) === 34) {
        const openLine = line;
        let i = pos + 1;
        let escaped = false;
        let q: number;
        for (;;) {
          q = text.indexOf('"', i);
          if (q < 0 || q + 1 >= len) return -1;
          if (text.charCodeAt(q + 1) === 34) {
            escaped = true;
            i = q + 2;
            continue;
          }
          break;
        }
        for (let nl = text.indexOf('\n', pos + 1); nl >= 0 && nl < q; nl = text.indexOf('\n', nl + 1)) line++;
        if (escaped) {
          const v = text.slice(pos + 1, q).replaceAll('""', '"');
          this.cellSrc[n] = v;
          this.cellStart[n] = 0;
          this.cellEnd[n] = v.length;
        } else {
          this.cellSrc[n] = text;
          this.cellStart[n] = pos + 1;
          this.cellEnd[n] = q;
        }
        this.cellLine[n] = openLine;
        n++;
        pos = q + 1;
        const c = text.charCodeAt(pos);
        if (c === 44) { pos++; continue; }
        if (c === 10) { pos++; line++; break; }
        if (c === 13 && pos + 1 < len && text.charCodeAt(pos + 1) === 10) { pos += 2; line++; break; }
        if (c === 13 && pos + 1 >= len) return -1;
        this.line = line;
        const reason = `unexpected ${quoteCell(text[pos]!)} after a closing quote ` +
          '(a quote inside a quoted cell must be doubled)';
        throw this.error(line, reason, n - 1 < this.ncols || !this.names ? n - 1 : undefined);
      } else {
        let i = pos;
        let c = 0;
        while (i < len) {
          c = text.charCodeAt(i);
          if (c === 44 || c === 10) break;
          i++;
        }
        if (i >= len) return -1;
        let end = i;
        if (c === 10 && end > pos && text.charCodeAt(end - 1) === 13) end--;
        this.cellSrc[n] = text;
        this.cellStart[n] = pos;
        this.cellEnd[n] = end;
        this.cellLine[n] = line;
        n++;
        pos = i + 1;
        if (c === 10) { line++; break; }
      }
    }
    this.nCells = n;
    this.line = line;
    return pos;
  }

  private growCells(): void {
    const cap = this.cap * 2;
    const grow = (a: Int32Array): Int32Array => {
      const b = new Int32Array(cap);
      b.set(a);
      return b;
    };
    this.cellStart = grow(this.cellStart);
    this.cellEnd = grow(this.cellEnd);
    this.cellLine = grow(this.cellLine);
    this.cellSrc.length = cap;
    this.cellSrc.fill('', this.cap);
    this.cap = cap;
  }

  private cellText(c: number): string {
    return this.cellSrc[c]!.slice(this.cellStart[c]!, this.cellEnd[c]!);
  }

  private readHeader(line: number): void {
    const n = this.nCells;
    const raw: string[] = [];
    for (let c = 0; c < n; c++) raw.push(this.cellText(c).trim());
    let mapping: ColumnMapping;
    try {
      mapping = resolveColumns(raw, this.columnsOption);
    } catch (e) {
      throw new DataError(this.source, line, (e as Error).message);
    }
    const names = renameHeader(raw, mapping);
    this.mapping = mapping;
    this.rawNames = raw;
    this.names = names;
    this.ncols = n;
    const seen = new Map<string, number>();
    for (let c = 0; c < n; c++) {
      const name = names[c]!;
      if (name === '') continue;
      const prev = seen.get(name);
      if (prev !== undefined) {
        const also = raw[c] === name ? '' : ` after renaming '${raw[c]}'`;
        throw this.error(line, `duplicate column name '${name}'${also} (also column ${prev + 1})`, c);
      }
      seen.set(name, c);
    }
    this.codeCol = seen.get('code') ?? -1;
    this.timeCol = seen.get('datetime') ?? seen.get('date') ?? -1;
    if (this.codeCol < 0 || this.timeCol < 0) {
      const missing = [this.codeCol < 0 ? "'code'" : '', this.timeCol < 0 ? "'datetime' or 'date'" : '']
        .filter(Boolean).join(' and ');
      const found = raw.map((x) => (x === '' ? "''" : x)).join(', ');
      const via = mapping.name === 'none' || mapping.name === 'baostock' ? '' : ` (after ${mapping.name} renames)`;
      throw this.error(line, `missing required column ${missing}${via}; found: ${found}`);
    }
    this.roles = new Uint8Array(n);
    for (let c = 0; c < n; c++) {
      const name = names[c]!;
      // Unnamed columns (a pandas index written without index=False) cannot be referred to, so they are dropped,
      // as is `date` when `datetime` is the time key.
      this.roles[c] = c === this.codeCol ? ROLE_CODE : c === this.timeCol ? ROLE_TIME
        : name === '' || name === 'date' || name === 'datetime' ? ROLE_SKIP : ROLE_NUMBER;
    }
    this.numericCount = new Float64Array(n);
    this.badCount = new Float64Array(n);
    this.firstBadLine = new Int32Array(n);
    this.firstBadText = new Array<string>(n).fill('');
    this.values = new Array<Float64Array>(n).fill(new Float64Array(0));
    this.growRows(1024);
  }

  private growRows(cap: number): void {
    const g32 = (a: Int32Array): Int32Array => {
      const b = new Int32Array(cap);
      b.set(a.subarray(0, this.rows));
      return b;
    };
    this.codeIds = g32(this.codeIds);
    this.timeIds = g32(this.timeIds);
    this.rowLines = g32(this.rowLines);
    for (let c = 0; c < this.ncols; c++) {
      if (this.roles[c] !== ROLE_NUMBER) continue;
      const b = new Float64Array(cap);
      b.set(this.values[c]!.subarray(0, this.rows));
      this.values[c] = b;
    }
    this.rowCap = cap;
  }

  private readRow(line: number): void {
    const n = this.nCells;
    const ncols = this.ncols;
    if (n !== ncols) {
      if (n === 1 && this.cellEnd[0] === this.cellStart[0]) return; // blank line
      const reason = `row has ${n} cell${n === 1 ? '' : 's'} but the header has ${ncols}`;
      if (n < ncols) throw this.error(line, reason, n);
      throw new DataError(this.source, line, reason, ncols + 1);
    }
    const r = this.rows;
    if (r === this.rowCap) this.growRows(this.rowCap * 2);
    const roles = this.roles, srcs = this.cellSrc, starts = this.cellStart, ends = this.cellEnd;
    for (let c = 0; c < ncols; c++) {
      const role = roles[c];
      if (role === ROLE_NUMBER) {
        const s = srcs[c]!, a = starts[c]!, b = ends[c]!;
        const v = parseNumber(s, a, b);
        if (numberBad) {
          if (STANDARD.has(this.names![c]!)) {
            throw this.error(this.cellLine[c]!, `cannot parse ${quoteCell(s.slice(a, b))} as a number`, c);
          }
          if (this.badCount[c]++ === 0) {
            this.firstBadLine[c] = this.cellLine[c]!;
            this.firstBadText[c] = s.slice(a, b);
          }
        } else if (a < b) {
          this.numericCount[c]++;
        }
        this.values[c]![r] = v;
      } else if (role === ROLE_CODE) {
        this.codeIds[r] = this.codeId(c);
      } else if (role === ROLE_TIME) {
        this.timeIds[r] = this.timeId(c);
      }
    }
    this.rowLines[r] = line;
    this.rows = r + 1;
  }

  private codeId(c: number): number {
    const s = this.cellSrc[c]!;
    let a = this.cellStart[c]!, b = this.cellEnd[c]!;
    const prev = this.lastCodeId;
    if (prev >= 0) {
      const code = this.codes[prev]!;
      if (b - a === code.length && s.startsWith(code, a)) return prev;
      const guess = this.nextCode[prev]!;
      if (guess >= 0) {
        const g = this.codes[guess]!;
        if (b - a === g.length && s.startsWith(g, a)) {
          this.lastCodeId = guess;
          return guess;
        }
      }
    }
    while (a < b && s.charCodeAt(a) === 32) a++;
    while (b > a && s.charCodeAt(b - 1) === 32) b--;
    if (a === b) throw this.error(this.cellLine[c]!, 'empty stock code', c);
    const code = s.slice(a, b);
    let id = this.codeMap.get(code);
    if (id === undefined) {
      id = this.codes.length;
      this.codes.push(code);
      this.nextCode.push(-1);
      this.codeMap.set(code, id);
    }
    if (prev >= 0) this.nextCode[prev] = id;
    this.lastCodeId = id;
    return id;
  }

  private timeId(c: number): number {
    const s = this.cellSrc[c]!, a = this.cellStart[c]!, b = this.cellEnd[c]!;
    const key = parseTimeKey(s, a, b);
    if (key < 0) {
      const text = s.slice(a, b);
      const reason = text.trim() === '' ? 'empty date/time'
        : `cannot parse ${quoteCell(text)} as a date/time: ${timeError}`;
      throw this.error(this.cellLine[c]!, reason, c);
    }
    const prev = this.lastTimeId;
    if (prev >= 0) {
      if (this.timeKeys[prev] === key) return prev;
      const guess = this.nextTime[prev]!;
      if (guess >= 0 && this.timeKeys[guess] === key) {
        this.lastTimeId = guess;
        return guess;
      }
    }
    // Keys exceed the small-integer range, so this lookup boxes a number; the guesses above usually avoid it.
    let id = this.timeMap.get(key);
    if (id === undefined) {
      id = this.timeKeys.length;
      this.timeKeys.push(key);
      this.timeStrs.push(s.slice(a, b).trim());
      this.nextTime.push(-1);
      this.timeMap.set(key, id);
    }
    if (prev >= 0) this.nextTime[prev] = id;
    this.lastTimeId = id;
    return id;
  }

  /** Flush the last record, classify columns, sort the axes and build the Panel. */
  finish(): Panel {
    if (this.carry !== '') {
      const tail = this.carry;
      const line = this.line;
      this.carry = '';
      this.push(tail + '\n');
      if (this.carry !== '') throw new DataError(this.source, line, UNTERMINATED);
    }
    if (this.names === undefined) throw new DataError(this.source, 1, 'file is empty (no header line)');
    const rows = this.rows;
    if (rows === 0) throw new DataError(this.source, 1, 'no data rows after the header');
    const names = this.names;
    const mapping = this.mapping!;

    const fieldCols: number[] = [];
    for (let c = 0; c < this.ncols; c++) {
      if (this.roles[c] !== ROLE_NUMBER) continue;
      const bad = this.badCount[c]!;
      if (bad > 0) {
        // A mostly-numeric column with a stray word is a typo worth stopping for; a text column (names, industry)
        // is simply not a field.
        const good = this.numericCount[c]!;
        if (good >= bad) {
          throw this.error(this.firstBadLine[c]!, `cannot parse ${quoteCell(this.firstBadText[c]!)} as a number ` +
            `(${good} cells of this column are numbers, ${bad} are not)`, c);
        }
        continue;
      }
      fieldCols.push(c);
      const k = mapping.scale?.[names[c]!];
      if (k !== undefined && k !== 1) {
        const v = this.values[c]!;
        for (let r = 0; r < rows; r++) v[r] = v[r]! * k;
      }
    }

    // Axes: timestamps by instant, codes by plain string order.
    const T = this.timeKeys.length, N = this.codes.length;
    const keys = this.timeKeys;
    const tOrder = Array.from({ length: T }, (_, i) => i).sort((x, y) => keys[x]! - keys[y]!);
    const tRank = new Int32Array(T);
    tOrder.forEach((id, rank) => { tRank[id] = rank; });
    const codesIn = mapping.normalizeCodes ? this.codes.map(normalizeCode) : this.codes;
    if (codesIn !== this.codes) {
      // Two spellings of one stock in one file would silently merge; name them instead.
      const seenCode = new Map<string, number>();
      codesIn.forEach((code, id) => {
        const other = seenCode.get(code);
        if (other !== undefined) {
          throw new DataError(this.source, 0, `codes '${this.codes[other]}' and '${this.codes[id]}' are both ${code}`);
        }
        seenCode.set(code, id);
      });
    }
    const cOrder = Array.from({ length: N }, (_, i) => i)
      .sort((x, y) => (codesIn[x]! < codesIn[y]! ? -1 : codesIn[x]! > codesIn[y]! ? 1 : 0));
    const cRank = new Int32Array(N);
    cOrder.forEach((id, rank) => { cRank[id] = rank; });

    const slots = new Int32Array(rows);
    const owner = new Int32Array(T * N).fill(-1);
    for (let r = 0; r < rows; r++) {
      const slot = tRank[this.timeIds[r]!]! * N + cRank[this.codeIds[r]!]!;
      const prev = owner[slot]!;
      if (prev >= 0) {
        throw new DataError(this.source, this.rowLines[r]!, `duplicate bar for ${codesIn[this.codeIds[r]!]} at ` +
          `${this.timeStrs[this.timeIds[r]!]} (first given on line ${this.rowLines[prev]})`);
      }
      owner[slot] = r;
      slots[r] = slot;
    }

    const fields = new Map<string, Float32Array>();
    const scatter = (src: Float64Array): Float32Array => {
      const out = new Float32Array(T * N).fill(NaN);
      for (let r = 0; r < rows; r++) out[slots[r]!] = src[r]!;
      return out;
    };
    const colOf = (name: string): number => fieldCols.find((c) => names[c] === name) ?? -1;
    const volCol = colOf('volume'), amtCol = colOf('amount'), vwapCol = colOf('vwap');
    let vwap: Float64Array | undefined;
    if (volCol >= 0 && amtCol >= 0) {
      // vwap = amount / volume where the file has none; a bar that did not trade has no average price.
      const vol = this.values[volCol]!, amt = this.values[amtCol]!;
      vwap = vwapCol >= 0 ? this.values[vwapCol]! : new Float64Array(rows);
      const derive = vwapCol < 0;
      for (let r = 0; r < rows; r++) {
        if (derive || vwap[r] !== vwap[r]) {
          const v = vol[r]!;
          vwap[r] = v === 0 ? NaN : amt[r]! / v;
        }
      }
    }
    for (const c of fieldCols) fields.set(names[c]!, scatter(this.values[c]!));
    if (vwap && vwapCol < 0) fields.set('vwap', scatter(vwap));

    const times = tOrder.map((id) => this.timeStrs[id]!);
    const codes = cOrder.map((id) => codesIn[id]!);
    return makePanel(times, codes, fields);
  }
}
