/**
 * Tests for Parquet bars (src/data/parquet.ts) and the format-dispatching front door (src/data/load.ts): small
 * files written with hyparquet-writer are read back into the same Panel as the equivalent CSV, with string,
 * timestamp and YYYYMMDD-integer time columns, the tushare mapping, and errors for bad cells and duplicates.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { DataError, parseBarsCsv } from '../src/data/csv.ts';
import { isParquet, parseBarsParquet } from '../src/data/parquet.ts';
import { detectFormat, loadData, parseData } from '../src/data/load.ts';
import type { Panel } from '../src/data/panel.ts';

const CSV = [
  'code,datetime,open,high,low,close,volume,amount',
  'B,2025-01-02 10:00:00,10,11,9,10.5,100,1050',
  'B,2025-01-02 10:30:00,10.5,12,10,11,200,2300',
  'A,2025-01-02 10:00:00,20,21,19,20.5,300,6150',
  '',
].join('\n');

function bars(extra: { name: string; data: unknown[]; type?: string }[] = [], time?: { data: unknown[]; type?: string }): Uint8Array {
  const buf = parquetWriteBuffer({
    columnData: [
      { name: 'code', data: ['B', 'B', 'A'], type: 'STRING' },
      { name: 'datetime', data: time?.data ?? ['2025-01-02 10:00:00', '2025-01-02 10:30:00', '2025-01-02 10:00:00'], type: (time?.type ?? 'STRING') as 'STRING' },
      { name: 'open', data: [10, 10.5, 20], type: 'DOUBLE' },
      { name: 'high', data: [11, 12, 21], type: 'DOUBLE' },
      { name: 'low', data: [9, 10, 19], type: 'DOUBLE' },
      { name: 'close', data: [10.5, 11, 20.5], type: 'DOUBLE' },
      { name: 'volume', data: [100n, 200n, 300n], type: 'INT64' },
      { name: 'amount', data: [1050, 2300, 6150], type: 'DOUBLE' },
      ...extra.map((c) => ({ ...c, type: (c.type ?? 'DOUBLE') as 'DOUBLE' })),
    ],
  });
  return new Uint8Array(buf);
}

function assertSamePanel(a: Panel, b: Panel): void {
  assert.deepEqual(a.times, b.times);
  assert.deepEqual(a.codes, b.codes);
  assert.deepEqual([...a.fields.keys()], [...b.fields.keys()]);
  for (const [k, v] of a.fields) assert.deepEqual([...v], [...b.fields.get(k)!], `field ${k}`);
}

test('a Parquet file written by hyparquet-writer reads back as the same panel as the CSV', async () => {
  const bytes = bars();
  assert.ok(isParquet(bytes));
  assert.equal(detectFormat(bytes), 'parquet');
  const p = await parseBarsParquet(bytes);
  assertSamePanel(p, parseBarsCsv(CSV));
  assert.deepEqual([...p.fields.get('close')!], [20.5, 10.5, NaN, 11]);
  assert.deepEqual([...p.fields.get('vwap')!], [6150 / 300, 10.5, NaN, Math.fround(2300 / 200)]);
  assertSamePanel(await parseData(bytes), p);
});

test('timestamp and YYYYMMDD-integer time columns; nulls are missing; text columns are not fields', async () => {
  const ms = (s: string): Date => new Date(`${s}Z`); // naive wall-clock stored as UTC
  const ts = await parseBarsParquet(bars([], {
    data: [ms('2025-01-02T10:00:00'), ms('2025-01-02T10:30:00'), ms('2025-01-02T10:00:00')], type: 'TIMESTAMP',
  }));
  assert.deepEqual(ts.times, ['2025-01-02 10:00:00', '2025-01-02 10:30:00']);
  const daily = await parseBarsParquet(bars([
    { name: 'turn', data: [0.5, null, 1.5] },
    { name: 'name', data: ['x', 'y', 'z'], type: 'STRING' },
  ], { data: [20250103, 20250102, 20250102], type: 'INT32' }));
  assert.deepEqual(daily.times, ['20250102', '20250103']);
  assert.deepEqual([...daily.fields.keys()], ['open', 'high', 'low', 'close', 'volume', 'amount', 'turn', 'vwap']);
  // [t0: A, B, t1: A, B]; B's 20250103 row is the first one.
  assert.deepEqual([...daily.fields.get('turn')!], [1.5, NaN, NaN, 0.5]);
});

test('tushare names in Parquet get the same mapping and units as in CSV', async () => {
  const buf = parquetWriteBuffer({
    columnData: [
      { name: 'ts_code', data: ['600000.SH'], type: 'STRING' },
      { name: 'trade_date', data: ['20250102'], type: 'STRING' },
      { name: 'close', data: [10.2], type: 'DOUBLE' },
      { name: 'vol', data: [1234.5], type: 'DOUBLE' },
      { name: 'amount', data: [1259.19], type: 'DOUBLE' },
    ],
  });
  const p = await parseBarsParquet(new Uint8Array(buf));
  assert.deepEqual([...p.fields.get('volume')!], [123450]);
  assert.deepEqual([...p.fields.get('amount')!], [Math.fround(1259190)]);
});

test('errors: duplicate bars, bad cells, missing columns, and not Parquet', async () => {
  const dup = bars([], { data: ['2025-01-02 10:00:00', '2025-01-02 10:00:00', '2025-01-02 10:00:00'] });
  await assert.rejects(parseBarsParquet(dup, { source: 'd.parquet' }), (e: unknown) => {
    assert.ok(e instanceof DataError);
    assert.equal(e.message, 'd.parquet: row 2: duplicate bar for B at 2025-01-02 10:00:00 (first given in row 1)');
    return true;
  });
  const bad = bars([], { data: ['2025-01-02 10:00:00', 'soon', '2025-01-02 10:00:00'] });
  await assert.rejects(parseBarsParquet(bad, { source: 'b.parquet' }), (e: unknown) => {
    assert.ok(e instanceof DataError);
    assert.equal(e.column, 2);
    assert.equal(e.columnName, 'datetime');
    assert.equal(e.message, "b.parquet: column 2 (datetime): row 2: cannot parse 'soon' as a date/time");
    return true;
  });
  const noCode = new Uint8Array(parquetWriteBuffer({ columnData: [{ name: 'date', data: ['2025-01-02'], type: 'STRING' }] }));
  await assert.rejects(parseBarsParquet(noCode), /missing required column 'code'; found: date/);
  await assert.rejects(parseBarsParquet(new TextEncoder().encode(CSV)), /not a Parquet file/);
  const truncated = bars().subarray(0, 40);
  await assert.rejects(parseBarsParquet(truncated), DataError);
});

test('loadData dispatches on magic bytes, not file names, and can resample on the way in', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'alphaflow-load-'));
  try {
    const want = parseBarsCsv(CSV);
    const files: [string, Uint8Array][] = [
      ['bars.csv', bars()], // Parquet despite the name
      ['bars.parquet', new TextEncoder().encode(CSV)],
      ['bars.bin', gzipSync(CSV)],
    ];
    for (const [name, bytes] of files) {
      writeFileSync(join(dir, name), bytes);
      assertSamePanel(await loadData(join(dir, name)), want);
    }
    assert.equal(detectFormat(gzipSync(CSV)), 'csv.gz');
    assert.equal(detectFormat(new TextEncoder().encode(CSV)), 'csv');
    assertSamePanel(await parseData(gzipSync(CSV)), want);
    const hourly = await loadData(join(dir, 'bars.csv'), { frequency: '60min' });
    assert.deepEqual(hourly.times, ['2025-01-02 10:30:00']);
    assert.deepEqual([...hourly.fields.get('close')!], [20.5, 11]);
    assert.deepEqual([...hourly.fields.get('volume')!], [300, 300]);
    await assert.rejects(loadData(join(dir, 'nope.parquet')), (e: unknown) =>
      e instanceof DataError && e.message === `${join(dir, 'nope.parquet')}: file not found`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
