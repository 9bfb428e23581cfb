/**
 * Tests for the bar-data loader (src/data/csv.ts, src/data/csv_parse.ts): alignment, vwap derivation, RFC 4180
 * quoting, CRLF/BOM, gzip, sorting, timestamp spellings, and every error kind with its exact line and column.
 * The real-data tests read ../shared/data (relative to the project root) and skip when it is absent.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { DataError, loadBars, parseBarsCsv, parseBarsCsvAsync, parseBarsText } from '../src/data/csv.ts';
import { BarsCsvParser, pushUtf8 } from '../src/data/csv_parse.ts';
import type { Panel } from '../src/data/panel.ts';

const f32 = Math.fround;

/** Cell (time, code) of a field, looked up by the strings so tests read naturally. */
function cell(p: Panel, field: string, time: string, code: string): number {
  const t = p.times.indexOf(time);
  const j = p.codes.indexOf(code);
  assert.ok(t >= 0, `time ${time} not in panel`);
  assert.ok(j >= 0, `code ${code} not in panel`);
  const values = p.fields.get(field);
  assert.ok(values, `field ${field} not in panel`);
  return values[t * p.N + j]!;
}

function assertDataError(
  fn: () => unknown,
  want: { line: number; column?: number; columnName?: string; message?: string | RegExp; file?: string },
): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof DataError, `expected DataError, got ${String(e)}`);
    assert.equal(e.line, want.line, `line in: ${e.message}`);
    assert.equal(e.column, want.column, `column in: ${e.message}`);
    assert.equal(e.columnName, want.columnName, `columnName in: ${e.message}`);
    if (want.file !== undefined) assert.equal(e.file, want.file);
    if (typeof want.message === 'string') assert.equal(e.message, want.message);
    else if (want.message) assert.match(e.message, want.message);
    return true;
  });
}

const HEADER = 'code,datetime,open,high,low,close,volume,amount';

test('aligns on the union of times and codes; a missing bar is NaN in every field', () => {
  const csv = [
    HEADER,
    'B,2025-01-02 10:00:00,10,11,9,10.5,100,1050',
    'B,2025-01-02 10:30:00,10.5,12,10,11,200,2300',
    'A,2025-01-02 10:00:00,20,21,19,20.5,300,6150',
    '',
  ].join('\n');
  const p = parseBarsCsv(csv);
  assert.deepEqual(p.times, ['2025-01-02 10:00:00', '2025-01-02 10:30:00']);
  assert.deepEqual(p.codes, ['A', 'B']);
  assert.equal(p.T, 2);
  assert.equal(p.N, 2);
  assert.deepEqual([...p.fields.keys()], ['open', 'high', 'low', 'close', 'volume', 'amount', 'vwap']);
  // Time-major: [t0: A, B, t1: A, B].
  assert.deepEqual([...p.fields.get('close')!], [20.5, 10.5, NaN, 11]);
  assert.deepEqual([...p.fields.get('open')!], [20, 10, NaN, 10.5]);
  assert.ok(p.fields.get('close') instanceof Float32Array);
  for (const [name, values] of p.fields) assert.ok(Number.isNaN(values[2]), `${name} at (10:30, A) should be NaN`);
  assert.equal(cell(p, 'vwap', '2025-01-02 10:30:00', 'B'), f32(2300 / 200));
});

test('vwap is derived as amount/volume when the column is absent; NaN where volume is 0', () => {
  const p = parseBarsCsv(`${HEADER}\nA,2025-01-02,1,1,1,1,3,10\nA,2025-01-03,1,1,1,1,0,0\nA,2025-01-06,1,1,1,1,,5\n`);
  const vwap = p.fields.get('vwap')!;
  assert.equal(vwap[0], f32(10 / 3));
  assert.ok(Number.isNaN(vwap[1]), 'volume 0 gives NaN, not Infinity or 0/0 by accident');
  assert.ok(Number.isNaN(vwap[2]), 'missing volume gives NaN');
});

test('vwap cells that are empty are derived; given cells are kept', () => {
  const csv = [
    `${HEADER},vwap`,
    'A,2025-01-02,1,1,1,1,4,10,2.6', // given (deliberately not 10/4) → kept
    'A,2025-01-03,1,1,1,1,4,10,', // empty → 2.5
    'A,2025-01-06,7,7,7,7,0,0.0,', // volume 0, as in the real 30-minute file → NaN
  ].join('\n');
  const p = parseBarsCsv(csv);
  assert.deepEqual([...p.fields.keys()], ['open', 'high', 'low', 'close', 'volume', 'amount', 'vwap']);
  assert.deepEqual([...p.fields.get('vwap')!], [f32(2.6), 2.5, NaN]);
  assert.deepEqual([...p.fields.get('volume')!], [4, 4, 0]);
});

test('no vwap appears when volume or amount is absent', () => {
  const p = parseBarsCsv('code,date,close\nA,2025-01-02,1\n');
  assert.deepEqual([...p.fields.keys()], ['close']);
});

test('quoted cells: commas, doubled quotes, newlines, quoted header and numbers', () => {
  const csv = [
    '"code","date","name","close","turn"',
    'A,2025-01-02,"Foo, Inc.","1.5",2',
    'B,2025-01-02,"say ""hi""",2.5,"3"',
    'C,2025-01-02,"two',
    'lines",3.5,',
    'D,2025-01-02,plain,4.5,5',
  ].join('\n');
  const p = parseBarsCsv(csv);
  assert.deepEqual(p.codes, ['A', 'B', 'C', 'D']);
  // The text column `name` is dropped silently; `turn` is a field with an empty (NaN) cell.
  assert.deepEqual([...p.fields.keys()], ['close', 'turn']);
  assert.deepEqual([...p.fields.get('close')!], [1.5, 2.5, 3.5, 4.5]);
  assert.deepEqual([...p.fields.get('turn')!], [2, 3, NaN, 5]);
});

test('a newline inside a quoted cell still counts toward the physical line number', () => {
  const csv = 'code,date,name,close\nA,2025-01-02,"x\ny",1\nB,2025-01-02,z,oops\n';
  assertDataError(() => parseBarsCsv(csv, { source: 'q.csv' }), {
    line: 4, column: 4, columnName: 'close', message: "q.csv:4: column 4 (close): cannot parse 'oops' as a number",
  });
});

test('CRLF line endings and a UTF-8 BOM (string and bytes)', () => {
  const csv = '\uFEFFcode,date,close\r\nA,2025-01-02,1.25\r\nB,2025-01-02,"2.5"\r\n';
  for (const input of [csv, new TextEncoder().encode(csv)]) {
    const p = parseBarsCsv(input);
    assert.deepEqual(p.codes, ['A', 'B']);
    assert.deepEqual(p.times, ['2025-01-02']);
    assert.deepEqual([...p.fields.get('close')!], [1.25, 2.5]);
  }
});

test('text fed in pieces (records split anywhere, even inside quotes or CRLF) parses as a whole', () => {
  const csv = 'code,date,name,close\r\nA,2025-01-02,"平安, ""银行""\r\nx",1.5\r\n' +
    'B,2025-01-02,招商,2\r\nA,2025-01-03,"",3';
  const whole = parseBarsText(csv);
  assert.deepEqual([...whole.fields.get('close')!], [1.5, 2, 3, NaN]);
  for (let cut = 0; cut <= csv.length; cut++) {
    const parser = new BarsCsvParser();
    parser.push(csv.slice(0, cut));
    parser.push(csv.slice(cut));
    const p = parser.finish();
    assert.deepEqual(p.times, whole.times, `cut at ${cut}`);
    assert.deepEqual(p.codes, whole.codes, `cut at ${cut}`);
    assert.deepEqual([...p.fields.get('close')!], [...whole.fields.get('close')!], `cut at ${cut}`);
  }
  // Bytes are decoded in pieces ending after a newline; multi-byte characters must survive any piece size.
  const bytes = new TextEncoder().encode(csv);
  for (const size of [1, 2, 3, 5, 8, 13, 64]) {
    const parser = new BarsCsvParser();
    pushUtf8(parser, bytes, size);
    assert.deepEqual([...parser.finish().fields.get('close')!], [1.5, 2, 3, NaN], `piece size ${size}`);
  }
});

test('a file without a trailing newline keeps its last row', () => {
  const p = parseBarsCsv('code,date,close\nA,2025-01-02,1\nA,2025-01-03,2');
  assert.deepEqual([...p.fields.get('close')!], [1, 2]);
});

test('gzip round trip, detected by magic bytes whatever the name', async () => {
  const csv = `${HEADER}\nA,2025-01-02 10:00,1,2,0.5,1.5,10,15\nB,2025-01-02 10:00,3,4,2.5,3.5,20,70\n`;
  const gz = gzipSync(new TextEncoder().encode(csv));
  const plain = parseBarsCsv(csv);
  for (const p of [parseBarsCsv(gz, { source: 'bars.csv' }), await parseBarsCsvAsync(gz)]) {
    assert.deepEqual(p.times, plain.times);
    assert.deepEqual(p.codes, plain.codes);
    for (const [name, values] of plain.fields) assert.deepEqual([...p.fields.get(name)!], [...values], name);
  }
  assertDataError(() => parseBarsText(gz, { source: 'x.gz' }), { line: 0, message: /gzip-compressed/ });
  assertDataError(() => parseBarsCsv(gz.subarray(0, 20), { source: 'cut.gz' }), {
    line: 0, message: /^cut\.gz: corrupt or truncated gzip/,
  });
});

test('unsorted input is sorted by time (as instants) and by code (plain string order)', () => {
  const csv = [
    'code,datetime,close',
    'b,2025-01-03 09:45:00,1',
    'B,2025-01-02 13:00:00,2',
    'a,2025-01-02 13:00:00,3',
    'B,2025-01-02 9:30:00,4', // one-digit hour sorts before 13:00, not as text would
    'a10,2024-12-31 15:00:00,5',
    'a2,2025-01-03 09:45:00,6',
  ].join('\n');
  const p = parseBarsCsv(csv);
  assert.deepEqual(p.times, [
    '2024-12-31 15:00:00', '2025-01-02 9:30:00', '2025-01-02 13:00:00', '2025-01-03 09:45:00',
  ]);
  assert.deepEqual(p.codes, ['B', 'a', 'a10', 'a2', 'b']);
  assert.equal(cell(p, 'close', '2025-01-02 9:30:00', 'B'), 4);
  assert.equal(cell(p, 'close', '2025-01-02 13:00:00', 'a'), 3);
  assert.equal(cell(p, 'close', '2025-01-03 09:45:00', 'b'), 1);
  assert.ok(Number.isNaN(cell(p, 'close', '2024-12-31 15:00:00', 'B')));
});

test('every accepted timestamp spelling parses; one instant spelled two ways is one bar', () => {
  const forms = [
    ['2025-01-02', '2025-01-02'],
    ['2025-01-02 10:30', '2025-01-02 10:30'],
    ['2025-01-02 10:30:15', '2025-01-02 10:30:15'],
    ['2025-01-02T10:30:15', '2025-01-02 10:30:15'],
    ['2025-01-02T10:30', '2025-01-02 10:30'],
    ['2025/01/02', '2025-01-02'],
    ['2025/01/02 10:30', '2025-01-02 10:30'],
    ['2025/01/02 10:30:15', '2025-01-02 10:30:15'],
    ['20250102', '2025-01-02'],
    ['20250102 10:30:15', '2025-01-02 10:30:15'],
  ];
  for (const [spelling, canonical] of forms) {
    // Code A writes the canonical spelling first, B the variant: both must land on one timestamp.
    const p = parseBarsCsv(`code,datetime,close\nA,${canonical},1\nB,${spelling},2\n`);
    assert.deepEqual(p.times, [canonical], spelling);
    assert.deepEqual([...p.fields.get('close')!], [1, 2], spelling);
  }
  const p = parseBarsCsv('code,date,close\nA,20250102,1\nA,2025-01-03,2\nB,2025-01-02,3\n');
  assert.deepEqual(p.times, ['20250102', '2025-01-03'], 'first spelling seen is kept');
});

test('extra numeric columns become fields; text columns are dropped; empty cells are NaN', () => {
  const csv = [
    'code,date,name,close,peTTM,turn,industry,note',
    'A,2025-01-02,Alpha,10,-12.5,0.5,Banks,',
    'A,2025-01-03,Alpha,11,,0.25,Banks,',
    'B,2025-01-02,42,20,8,,"Steel, flat",',
  ].join('\n');
  const p = parseBarsCsv(csv);
  // `name` is mostly text (one name looks numeric): dropped; `note` is entirely empty: kept as an all-NaN field.
  assert.deepEqual([...p.fields.keys()], ['close', 'peTTM', 'turn', 'note']);
  assert.deepEqual([...p.fields.get('peTTM')!], [-12.5, 8, NaN, NaN]);
  assert.deepEqual([...p.fields.get('turn')!], [0.5, NaN, 0.25, NaN]);
  assert.ok(p.fields.get('note')!.every(Number.isNaN));
});

test('number syntax: signs, exponents, long digit runs, nan/inf, surrounding spaces', () => {
  const cells = [
    '-1.5', '+2', '1e3', '2.5E-2', '.5', '7.', ' 3 ', '123456789012345678', '0.1234567890123456789', 'NaN', '-inf', '0',
  ];
  const csv = ['code,date,x', ...cells.map((c, i) => `c${String(i).padStart(2, '0')},2025-01-02,"${c}"`)].join('\n');
  const p = parseBarsCsv(csv);
  const want = [-1.5, 2, 1000, 0.025, 0.5, 7, 3, 123456789012345678, 0.1234567890123456789, NaN, -Infinity, 0].map(f32);
  assert.deepEqual([...p.fields.get('x')!], want);
});

test('both datetime and date: datetime is the key and date is not a field', () => {
  const p = parseBarsCsv('code,date,datetime,close\nA,20250102,20250102 10:00:00,1\n');
  assert.deepEqual(p.times, ['20250102 10:00:00']);
  assert.deepEqual([...p.fields.keys()], ['close']);
});

// ---------------------------------------------------------------------------------------------------------------
// Errors: file, line and column exactly.

test('error: missing required columns, listing what was found', () => {
  assertDataError(() => parseBarsCsv('symbol,time,close\nA,2025-01-02,1\n', { source: 'bars.csv' }), {
    line: 1,
    message: "bars.csv:1: missing required column 'code' and 'datetime' or 'date'; found: symbol, time, close",
  });
  assertDataError(() => parseBarsCsv('code,time,close\n', { source: 'bars.csv' }), {
    line: 1, message: /missing required column 'datetime' or 'date'; found: code, time, close$/,
  });
});

test('error: duplicate header name', () => {
  assertDataError(() => parseBarsCsv('code,date,close,close\n', { source: 'h.csv' }), {
    line: 1, column: 4, columnName: 'close',
    message: "h.csv:1: column 4 (close): duplicate column name 'close' (also column 3)",
  });
});

test('error: unparsable number in a standard field names file, line and column', () => {
  const csv = `${HEADER}\nA,2025-01-02,1,1,1,1,1,1\n\nA,2025-01-03,1,1,1,abc,1,1\n`;
  assertDataError(() => parseBarsCsv(csv, { source: 'bars.csv' }), {
    line: 4, column: 6, columnName: 'close', file: 'bars.csv',
    message: "bars.csv:4: column 6 (close): cannot parse 'abc' as a number",
  });
});

test('error: a mostly numeric extra column with one bad value', () => {
  const csv = 'code,date,close,turn\nA,2025-01-02,1,0.5\nA,2025-01-03,1,n/a\nA,2025-01-06,1,0.7\n';
  assertDataError(() => parseBarsCsv(csv, { source: 'd.csv' }), {
    line: 3, column: 4, columnName: 'turn', message: /^d\.csv:3: column 4 \(turn\): cannot parse 'n\/a' as a number/,
  });
});

test('error: duplicate (code, datetime) names both lines, also across spellings', () => {
  const csv = 'code,datetime,close\nA,2025-01-02 10:00:00,1\nB,2025-01-02 10:00:00,1\nA,2025-01-02T10:00,2\n';
  assertDataError(() => parseBarsCsv(csv, { source: 'bars.csv' }), {
    line: 4, message: 'bars.csv:4: duplicate bar for A at 2025-01-02 10:00:00 (first given on line 2)',
  });
});

test('error: wrong number of cells in a row', () => {
  const few = `${HEADER}\nA,2025-01-02,1,1,1,1,1,1\nA,2025-01-03,1,1,1,1,1\n`;
  assertDataError(() => parseBarsCsv(few, { source: 'bars.csv' }), {
    line: 3, column: 8, columnName: 'amount',
    message: 'bars.csv:3: column 8 (amount): row has 7 cells but the header has 8',
  });
  const many = `${HEADER}\r\nA,2025-01-02,1,1,1,1,1,1,9\r\n`;
  assertDataError(() => parseBarsCsv(many, { source: 'bars.csv' }), {
    line: 2, column: 9, message: 'bars.csv:2: column 9: row has 9 cells but the header has 8',
  });
});

test('error: unparsable or impossible datetime', () => {
  const cases: [string, RegExp][] = [
    ['2025-13-01', /month 13 is out of range/],
    ['2025-02-29', /day 29 is out of range for 2025-02/],
    ['2025-01-02 24:00', /time of day is out of range/],
    ['02/01/2025', /cannot parse '02\/01\/2025' as a date\/time: expected YYYY-MM-DD/],
    ['20250102 10:30', /expected/], // the compact form needs seconds
    ['2025-01-02 10:30:00+08:00', /expected/],
    ['', /empty date\/time/],
  ];
  for (const [text, message] of cases) {
    const csv = `code,close,datetime\nA,1,2025-01-01\nA,1,${text}\n`;
    assertDataError(() => parseBarsCsv(csv, { source: 't.csv' }), {
      line: 3, column: 3, columnName: 'datetime', message,
    });
  }
  assert.equal(parseBarsCsv('code,date,close\nA,2024-02-29,1\n').times[0], '2024-02-29', 'leap day');
});

test('error: empty stock code', () => {
  assertDataError(() => parseBarsCsv('date,code,close\n2025-01-02,,1\n', { source: 'c.csv' }), {
    line: 2, column: 2, columnName: 'code', message: 'c.csv:2: column 2 (code): empty stock code',
  });
});

test('error: empty file, header only, unterminated quote, stray quote', () => {
  assertDataError(() => parseBarsCsv('', { source: 'e.csv' }), {
    line: 1, message: 'e.csv:1: file is empty (no header line)',
  });
  assertDataError(() => parseBarsCsv(new Uint8Array(0), { source: 'e.csv' }), { line: 1, message: /file is empty/ });
  assertDataError(() => parseBarsCsv('code,date,close\n\n', { source: 'h.csv' }), {
    line: 1, message: 'h.csv:1: no data rows after the header',
  });
  assertDataError(() => parseBarsCsv('code,date,close\nA,2025-01-02,1\nB,2025-01-02,"2\n', { source: 'u.csv' }), {
    line: 3, message: 'u.csv:3: unterminated quoted cell (missing closing quote)',
  });
  assertDataError(() => parseBarsCsv('code,date,close\nA,2025-01-02,"2"x\n', { source: 's.csv' }), {
    line: 2, column: 3, columnName: 'close', message: /unexpected 'x' after a closing quote/,
  });
});

test('error: a missing file is a DataError naming the path, not a raw ENOENT', async () => {
  const path = fileURLToPath(new URL('./no_such_bars_file.csv.gz', import.meta.url));
  await assert.rejects(loadBars(path), (e: unknown) => {
    assert.ok(e instanceof DataError);
    assert.equal(e.message, `${path}: file not found`);
    assert.equal(e.line, 0);
    return true;
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Real data (not committed): ../shared/data relative to the project root.

const BARS_30MIN = fileURLToPath(new URL('../../shared/data/ashare_15min_sse/bars_30min.csv.gz', import.meta.url));
const DAILY = fileURLToPath(new URL('../../shared/data/ashare_daily_hs300/daily.csv.gz', import.meta.url));

test('real data: 30-minute bars of 300 Shanghai stocks', async (t) => {
  if (!existsSync(BARS_30MIN)) {
    t.skip(`real data not found at ${BARS_30MIN}`);
    return;
  }
  const p = await loadBars(BARS_30MIN);
  assert.equal(p.N, 300);
  assert.equal(p.T, 2400); // 300 trading days x 8 bars
  assert.deepEqual([...p.fields.keys()], ['open', 'high', 'low', 'close', 'volume', 'amount', 'vwap']);
  assert.equal(p.times[0], '2025-01-02 10:00:00');
  assert.equal(p.times[p.T - 1], '2026-04-01 15:00:00');
  assert.equal(p.codes[0], '000001.SZ');
  // First row of the file: 000001.SZ,2025-01-02 10:00:00,11.73,11.76,11.67,11.69,28503600,334166720.0,11.7237
  const t0 = '2025-01-02 10:00:00';
  assert.equal(cell(p, 'open', t0, '000001.SZ'), f32(11.73));
  assert.equal(cell(p, 'high', t0, '000001.SZ'), f32(11.76));
  assert.equal(cell(p, 'low', t0, '000001.SZ'), f32(11.67));
  assert.equal(cell(p, 'close', t0, '000001.SZ'), f32(11.69));
  assert.equal(cell(p, 'volume', t0, '000001.SZ'), 28503600);
  assert.equal(cell(p, 'amount', t0, '000001.SZ'), f32(334166720));
  assert.equal(cell(p, 'vwap', t0, '000001.SZ'), f32(11.7237));
  // 600519 on its ex-dividend day.
  assert.equal(cell(p, 'close', '2025-06-26 10:00:00', '600519.SH'), f32(1423.88));
  // A flat 15:00 bar with volume 0: the file leaves vwap empty and it stays NaN.
  assert.equal(cell(p, 'volume', '2025-03-19 15:00:00', '600095.SH'), 0);
  assert.equal(cell(p, 'close', '2025-03-19 15:00:00', '600095.SH'), f32(6.89));
  assert.ok(Number.isNaN(cell(p, 'vwap', '2025-03-19 15:00:00', '600095.SH')));
  // Suspended days are absent from the file: 718,574 rows fill all but 1,426 of the 2400 x 300 cells.
  const close = p.fields.get('close')!;
  let missing = 0;
  for (let i = 0; i < close.length; i++) if (Number.isNaN(close[i])) missing++;
  assert.equal(missing, 2400 * 300 - 718574);
});

test('real data: daily bars with valuation columns', async (t) => {
  if (!existsSync(DAILY)) {
    t.skip(`real data not found at ${DAILY}`);
    return;
  }
  const p = await loadBars(DAILY);
  assert.equal(p.N, 300);
  assert.equal(p.T, 1273);
  assert.equal(p.fields.size, 19); // every column but code and date, tradestatus and isST included
  assert.equal(p.times[0], '2020-01-02');
  assert.equal(cell(p, 'close', '2023-12-11', '600519.SH'), f32(1698));
  assert.equal(cell(p, 'turn', '2023-12-11', '600519.SH'), f32(0.2932));
  assert.equal(cell(p, 'adj_factor', '2023-12-11', '600519.SH'), f32(1.06141744));
  // Valuation fields are empty for every stock on 2023-12-11.
  const day = p.times.indexOf('2023-12-11');
  const pe = p.fields.get('peTTM')!.subarray(day * p.N, (day + 1) * p.N);
  assert.ok(pe.every(Number.isNaN));
  // A suspended day: volume 0, vwap empty in the file → NaN.
  assert.equal(cell(p, 'volume', '2021-03-31', '000063.SZ'), 0);
  assert.ok(Number.isNaN(cell(p, 'vwap', '2021-03-31', '000063.SZ')));
  assert.equal(cell(p, 'tradestatus', '2021-03-31', '000063.SZ'), 0);
});

test('lineCellSpans finds the cell an error names in its line, quoted commas and doubled quotes included', async () => {
  const { lineCellSpans } = await import('../src/data/csv_cells.ts');
  const lines = ['A,2025-01-02,"Acme, ""Inc""",oops', 'B,2025-01-02,"open, cell', '"a",,b,', ''];
  for (const [n, line] of lines.entries()) {
    const csv = `code,date,name,close\n${line}\n`;
    const spans = lineCellSpans(line);
    // A naive reference: walk the characters, toggling on quotes, splitting on commas outside them.
    const cells: string[] = [];
    let cur = '', quoted = false;
    for (const ch of line) {
      if (ch === '"') quoted = !quoted;
      if (ch === ',' && !quoted) { cells.push(cur); cur = ''; } else cur += ch;
    }
    cells.push(cur);
    assert.deepEqual(spans.map(([a, b]) => line.slice(a, b)), cells, `line ${n}: ${line}`);
    if (n === 0) {
      assert.throws(() => parseBarsCsv(csv, { source: 'q.csv' }), (e: unknown) => {
        assert.ok(e instanceof DataError);
        const [a, b] = spans[e.column! - 1]!;
        assert.equal(line.slice(a, b), 'oops');
        return true;
      });
    }
  }
});
