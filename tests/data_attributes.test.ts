/**
 * Tests for per-stock attributes (src/data/attributes.ts): default and explicit column choice, quoting, code
 * normalisation, errors with line and column, and alignment to a panel's codes with every mismatch listed; on the
 * real reference/stocks.csv against the real 30-minute panel.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alignAttributes, loadAttributes, parseAttributes, parseCsvRecords } from '../src/data/attributes.ts';
import { DataError, loadBars } from '../src/data/csv.ts';
import { BARS_30MIN, missing, SHARED } from './support/paths.ts';

const STOCKS = `${SHARED}data/reference/stocks.csv`;

const SMALL = [
  'code,name,csrc_industry,sw2014_l1,float_shares_20250407',
  '600000.SH,"Pudong, Bank",J66,银行,29352000000',
  'sz.000001,"Ping ""An""",J66,,19405095900.0',
  '600519.SH,Moutai,C15,食品饮料,',
  '',
].join('\r\n');

test('defaults: sw2014_l1 before csrc_industry, float_shares_<date>; codes normalised; empty cells unknown', () => {
  const a = parseAttributes(SMALL);
  assert.deepEqual(a.codes, ['600000.SH', '000001.SZ', '600519.SH']);
  assert.deepEqual(a.industry, ['银行', undefined, '食品饮料']);
  assert.deepEqual([...a.floatShares], [29352000000, 19405095900, NaN]);
  assert.equal(a.industryColumn, 'sw2014_l1');
  assert.equal(a.floatSharesColumn, 'float_shares_20250407');
  const csrc = parseAttributes(SMALL, { industryColumn: 'csrc_industry' });
  assert.deepEqual(csrc.industry, ['J66', 'J66', 'C15']);
  assert.deepEqual(parseCsvRecords('a,"b\nc",d\ne,f,g').map((r) => [r.line, r.cells]), [[1, ['a', 'b\nc', 'd']], [3, ['e', 'f', 'g']]]);
  const none = parseAttributes('code,name\n600000.SH,x\n');
  assert.equal(none.industryColumn, undefined);
  assert.deepEqual(none.industry, [undefined]);
  assert.deepEqual([...none.floatShares], [NaN]);
});

test('errors name the file, line and column', () => {
  const check = (text: string, opts: object, line: number, message: string): void => {
    assert.throws(() => parseAttributes(text, { source: 's.csv', ...opts }), (e: unknown) => {
      assert.ok(e instanceof DataError);
      assert.equal(e.line, line);
      assert.equal(e.message, message);
      return true;
    });
  };
  check('name\nx\n', {}, 1, "s.csv:1: missing required column 'code'; found: name");
  check(SMALL, { industryColumn: 'sector' }, 1,
    "s.csv:1: industry column 'sector' not found; found: code, name, csrc_industry, sw2014_l1, float_shares_20250407");
  check('code,float_shares\nA,1\nA,2\n', {}, 3, 's.csv:3: column 1 (code): duplicate code A (first given on line 2)');
  check('code,float_shares\nA,lots\n', {}, 2, "s.csv:2: column 2 (float_shares): cannot parse 'lots' as a float share count");
  check('code,float_shares\nA\n', {}, 2, 's.csv:2: row has 1 cells but the header has 2');
});

test('alignAttributes: panel order, industry indices, and every mismatch listed both ways', () => {
  const a = parseAttributes(SMALL);
  const al = alignAttributes(a, ['000001.SZ', '600519.SH', '688981.SH']);
  assert.deepEqual(al.industry, [undefined, '食品饮料', undefined]);
  assert.deepEqual(al.industries, ['食品饮料']);
  assert.deepEqual([...al.industryIndex], [-1, 0, -1]);
  assert.deepEqual([...al.floatShares], [19405095900, NaN, NaN]);
  assert.deepEqual(al.missingFromAttributes, ['688981.SH']);
  assert.deepEqual(al.notInBars, ['600000.SH']);
  assert.equal(al.unknownIndustry, 1);
  assert.equal(al.unknownFloatShares, 1);
  assert.equal(al.report, 'attributes for 2 of 3 panel stocks; 1 panel stocks missing from the attribute file: ' +
    '688981.SH; 1 attribute codes without bars; 1 with no industry (sw2014_l1), 1 with no float shares ' +
    '(float_shares_20250407)');
});

test('real stocks.csv aligned to the real 30-minute panel', { skip: missing(STOCKS, BARS_30MIN) }, async () => {
  const a = await loadAttributes(STOCKS);
  assert.equal(a.codes.length, 444);
  assert.equal(a.industryColumn, 'sw2014_l1');
  assert.equal(a.floatSharesColumn, 'float_shares_20250407');
  assert.equal(a.industry.filter((x) => x === undefined).length, 9);
  const j = a.codes.indexOf('600519.SH');
  assert.equal(a.industry[j], '食品饮料');
  assert.equal(a.floatShares[j], 1256193600);
  const p = await loadBars(BARS_30MIN);
  const al = alignAttributes(a, p.codes);
  assert.equal(al.missingFromAttributes.length, 0);
  assert.equal(al.notInBars.length, 144); // the daily-only stocks
  assert.equal(al.unknownIndustry, 2);
  assert.equal(al.unknownFloatShares, 144);
  assert.equal(al.industries.length, 26);
  assert.equal(al.industry[p.codes.indexOf('600519.SH')], '食品饮料');
});
