/**
 * Tests for the column mapping of other sources (src/data/columns.ts) as applied by the CSV loader: tushare units,
 * baostock and akshare code spellings, Chinese headers, errors that still name the file's own column, and the
 * per-bar fields of the real daily file (turn, tradestatus, isST, adj_factor, float_mcap, ...) loaded as numbers.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DataError, loadBars, parseBarsCsv } from '../src/data/csv.ts';
import { normalizeCode, resolveColumns, PRESETS } from '../src/data/columns.ts';
import type { Panel } from '../src/data/panel.ts';
import { missing, SHARED } from './support/paths.ts';

const f32 = Math.fround;
const DAILY = `${SHARED}data/ashare_daily_hs300/daily.csv.gz`;

function col(p: Panel, field: string): number[] {
  const v = p.fields.get(field);
  assert.ok(v, `field ${field} not in panel (fields: ${[...p.fields.keys()].join(', ')})`);
  return [...v];
}

test('normalizeCode: exchange prefixes and suffixes become 600000.SH; other codes are kept', () => {
  assert.equal(normalizeCode('sh.600000'), '600000.SH');
  assert.equal(normalizeCode('sz.000001'), '000001.SZ');
  assert.equal(normalizeCode('SH600000'), '600000.SH');
  assert.equal(normalizeCode('bj430047'), '430047.BJ');
  assert.equal(normalizeCode('600000.XSHG'), '600000.SH');
  assert.equal(normalizeCode('000001.XSHE'), '000001.SZ');
  assert.equal(normalizeCode('600000.sh'), '600000.SH');
  assert.equal(normalizeCode('600000'), '600000.SH');
  assert.equal(normalizeCode('300750'), '300750.SZ');
  assert.equal(normalizeCode('830799'), '830799.BJ');
  assert.equal(normalizeCode('600000.SH'), '600000.SH');
  assert.equal(normalizeCode('AAPL'), 'AAPL');
  assert.equal(normalizeCode('A'), 'A');
});

test('auto detection picks tushare by ts_code, akshare by 日期, else baostock (codes only)', () => {
  assert.equal(resolveColumns(['ts_code', 'trade_date', 'vol']).name, 'tushare');
  assert.equal(resolveColumns(['日期', '开盘']).name, 'akshare');
  assert.equal(resolveColumns(['code', 'date', 'volume']).name, 'baostock');
  assert.equal(resolveColumns(['ts_code'], 'none').name, 'none');
  assert.equal(resolveColumns(['x'], PRESETS.tushare).name, 'tushare');
});

test('tushare: ts_code/trade_date/vol renamed, vol ×100 shares, amount ×1000 CNY, vwap in CNY per share', () => {
  const csv = [
    'ts_code,trade_date,open,high,low,close,pre_close,change,pct_chg,vol,amount',
    '600000.SH,20250103,10.2,10.3,10.0,10.1,10.2,-0.1,-0.98,2000.5,2030.5',
    '600000.SH,20250102,10,10.5,9.9,10.2,10,0.2,2,1234.5,1259.19',
    '',
  ].join('\n');
  const p = parseBarsCsv(csv, { source: 'ts.csv' });
  assert.deepEqual(p.codes, ['600000.SH']);
  assert.deepEqual(p.times, ['20250102', '20250103']);
  assert.deepEqual([...p.fields.keys()], ['open', 'high', 'low', 'close', 'preclose', 'change', 'pctChg', 'volume', 'amount', 'vwap']);
  assert.deepEqual(col(p, 'volume'), [123450, 200050]);
  assert.deepEqual(col(p, 'amount'), [f32(1259190), f32(2030500)]);
  assert.deepEqual(col(p, 'vwap'), [f32(1259190 / 123450), f32(2030500 / 200050)]);
  assert.deepEqual(col(p, 'pctChg'), [2, f32(-0.98)]);
});

test('baostock: sh.600000 codes become 600000.SH; units untouched', () => {
  const csv = 'date,code,open,high,low,close,volume,amount,adjustflag\n' +
    '2025-01-02,sh.600000,10,11,9,10,100,1000,3\n2025-01-02,sz.000001,5,6,4,5,10,50,3\n';
  const p = parseBarsCsv(csv);
  assert.deepEqual(p.codes, ['000001.SZ', '600000.SH']);
  assert.deepEqual(col(p, 'volume'), [10, 100]);
  assert.deepEqual(col(p, 'adjustflag'), [3, 3]);
});

test('akshare (Eastmoney): Chinese headers mapped, bare codes get their exchange, 成交量 in lots ×100', () => {
  const csv = '日期,股票代码,开盘,收盘,最高,最低,成交量,成交额,振幅,涨跌幅,涨跌额,换手率\n' +
    '2025-01-02,600519,1524.0,1488.0,1524.49,1480.0,50029,7490000000.0,2.88,-2.08,-31.6,0.4\n';
  const p = parseBarsCsv(csv);
  assert.deepEqual(p.codes, ['600519.SH']);
  assert.deepEqual([...p.fields.keys()],
    ['open', 'close', 'high', 'low', 'volume', 'amount', 'amplitude', 'pctChg', 'change', 'turn', 'vwap']);
  assert.deepEqual(col(p, 'volume'), [5002900]);
  assert.deepEqual(col(p, 'close'), [1488]);
  assert.deepEqual(col(p, 'vwap'), [f32(7490000000 / 5002900)]);
});

test('errors name the column as written in the file; columns: none turns the mapping off', () => {
  const bad = 'ts_code,trade_date,close,vol,amount\n600000.SH,20250102,10,oops,1\n';
  assert.throws(() => parseBarsCsv(bad, { source: 'ts.csv' }), (e: unknown) => {
    assert.ok(e instanceof DataError);
    assert.equal(e.line, 2);
    assert.equal(e.column, 4);
    assert.equal(e.columnName, 'vol');
    assert.equal(e.message, "ts.csv:2: column 4 (vol): cannot parse 'oops' as a number");
    return true;
  });
  assert.throws(() => parseBarsCsv(bad, { source: 'ts.csv', columns: 'none' }), (e: unknown) => {
    assert.ok(e instanceof DataError);
    assert.equal(e.line, 1);
    assert.match(e.message, /missing required column 'code' and 'datetime' or 'date'; found: ts_code, trade_date/);
    return true;
  });
  // Two spellings of one stock would merge silently; they are named instead.
  assert.throws(() => parseBarsCsv('code,date,close\nsh.600000,2025-01-02,1\n600000.SH,2025-01-03,1\n'),
    /codes 'sh.600000' and '600000.SH' are both 600000.SH/);
  // A renamed column that collides with an existing one.
  assert.throws(() => parseBarsCsv('code,ts_code,trade_date,close\n'),
    /^DataError: <input>:1: column 2 \(ts_code\): duplicate column name 'code' after renaming 'ts_code' \(also column 1\)$/);
});

test('real daily file: per-bar size, status and valuation columns load as numeric fields', { skip: missing(DAILY) }, async () => {
  const p = await loadBars(DAILY);
  assert.equal(p.N, 300);
  assert.equal(p.T, 1273);
  for (const f of ['preclose', 'turn', 'tradestatus', 'pctChg', 'isST', 'peTTM', 'pbMRQ', 'psTTM', 'pcfNcfTTM',
    'adj_factor', 'float_shares', 'float_mcap']) {
    assert.ok(p.fields.has(f), `field ${f}`);
  }
  const t = p.times.indexOf('2025-04-07'), j = p.codes.indexOf('600519.SH');
  const at = (f: string): number => p.fields.get(f)![t * p.N + j]!;
  assert.equal(at('close'), 1500);
  assert.equal(at('turn'), f32(0.8116));
  assert.equal(at('tradestatus'), 1);
  assert.equal(at('isST'), 0);
  assert.equal(at('adj_factor'), f32(1.1130461));
  assert.equal(at('float_shares'), f32(1256193600));
  assert.equal(at('float_mcap'), f32(1884290352390));
  assert.equal(at('peTTM'), f32(21.852455));
  // tradestatus and isST are 0/1 flags wherever present.
  for (const f of ['tradestatus', 'isST']) {
    for (const v of p.fields.get(f)!) assert.ok(v !== v || v === 0 || v === 1, `${f} holds ${v}`);
  }
});

test('baostock minute bars: time YYYYMMDDhhmmss000 is the timestamp, date is dropped', () => {
  const csv = 'date,time,code,open,high,low,close,volume,amount,adjustflag\n' +
    '2025-01-02,20250102100000000,sh.600000,10,11,9,10,100,1000,3\n' +
    '2025-01-02,20250102094500000,sh.600000,9,10,9,9.5,50,480,3\n';
  const p = parseBarsCsv(csv);
  assert.deepEqual(p.times, ['20250102094500000', '20250102100000000']);
  assert.deepEqual(p.codes, ['600000.SH']);
  assert.deepEqual(col(p, 'close'), [9.5, 10]);
  assert.ok(!p.fields.has('date') && !p.fields.has('time'));
  assert.throws(() => parseBarsCsv('code,datetime,close\nA,2025010210000,1\n'), /expected/); // 13 digits
  assert.throws(() => parseBarsCsv('code,datetime,close\nA,20250102100000000x,1\n'), /expected/);
});
