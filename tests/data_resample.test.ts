/**
 * Tests for bar-frequency detection and resampling (src/data/frequency.ts): end-time bucketing across the A-share
 * lunch break, the aggregation rule of each field, partial and empty buckets, the errors, and on the real data:
 * the 15-minute file resampled to 30 minutes reproduces the shipped 30-minute file cell by cell.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DataError, loadBars, parseBarsCsv } from '../src/data/csv.ts';
import { DAILY, detectFrequency, parseFrequency, resample } from '../src/data/frequency.ts';
import { tradingDays } from '../src/data/calendar.ts';
import { makePanel, type Panel } from '../src/data/panel.ts';
import { BARS_30MIN, missing, SHARED } from './support/paths.ts';

const f32 = Math.fround;
const BARS_15MIN = `${SHARED}data/ashare_15min_sse/bars_15min.csv.gz`;

/** The 16 end times of an A-share 15-minute day. */
const ENDS_15 = ['09:45', '10:00', '10:15', '10:30', '10:45', '11:00', '11:15', '11:30',
  '13:15', '13:30', '13:45', '14:00', '14:15', '14:30', '14:45', '15:00'];

function times(day: string, ends: readonly string[]): string[] {
  return ends.map((e) => `${day} ${e}:00`);
}

/** One stock, one field per given array (all of length T). */
function panel1(ts: string[], fields: Record<string, number[]>): Panel {
  return makePanel(ts, ['A'], Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, Float32Array.from(v)])));
}

test('detectFrequency: most common spacing within a day; daily when one bar a day; unknown is an error', () => {
  const two = [...times('2025-01-02', ENDS_15), ...times('2025-01-03', ENDS_15)];
  assert.deepEqual(detectFrequency(panel1(two, {})), { minutes: 15, label: '15min' });
  const ends30 = ['10:00', '10:30', '11:00', '11:30', '13:30', '14:00', '14:30', '15:00'];
  assert.equal(detectFrequency(panel1(times('2025-01-02', ends30), {})).label, '30min');
  assert.equal(detectFrequency(panel1(times('2025-01-02', ['10:30', '11:30', '14:00', '15:00']), {})).label, '60min');
  assert.equal(detectFrequency(panel1(['2025-01-02', '2025-01-03', '2025-01-06'], {})), DAILY);
  assert.throws(() => detectFrequency(panel1(times('2025-01-02', ['10:00', '10:07', '10:14', '10:21']), {})),
    (e: unknown) => e instanceof DataError && /unknown bar frequency: the most common spacing within a day is 7 minutes/.test(e.message));
  assert.throws(() => parseFrequency('7min'), /unknown frequency '7min'/);
  assert.equal(parseFrequency('1h').minutes, 60);
  assert.equal(parseFrequency('1d'), DAILY);
});

test('15 → 30 → 60 minutes: buckets named by end time, counted from 09:30 and 13:00', () => {
  const ts = times('2025-01-02', ENDS_15);
  const close = ts.map((_, i) => i + 1);
  const p = panel1(ts, { close });
  const r30 = resample(p, '30min');
  assert.deepEqual(r30.panel.times, times('2025-01-02', ['10:00', '10:30', '11:00', '11:30', '13:30', '14:00', '14:30', '15:00']));
  assert.deepEqual([...r30.panel.fields.get('close')!], [2, 4, 6, 8, 10, 12, 14, 16]);
  const r60 = resample(r30.panel, '60min');
  assert.deepEqual(r60.panel.times, times('2025-01-02', ['10:30', '11:30', '14:00', '15:00']));
  assert.deepEqual([...r60.panel.fields.get('close')!], [4, 8, 12, 16]);
  assert.deepEqual([...resample(p, '60min').panel.fields.get('close')!], [4, 8, 12, 16]);
  assert.equal(r60.from.label, '30min');
  assert.equal(r60.to.label, '60min');
});

test('a pre-open auction bar joins the first bucket; other sessions via the sessions option', () => {
  const p = panel1(times('2025-01-02', ['09:25', '09:45', '10:00', '13:15']), { close: [1, 2, 3, 4] });
  const r = resample(p, '30min', { from: '15min' });
  assert.deepEqual(r.panel.times, times('2025-01-02', ['10:00', '13:30']));
  assert.deepEqual([...r.panel.fields.get('close')!], [3, 4]);
  // A market opening at 09:00 with no lunch break: hourly bars end 10:00, 11:00.
  const q = panel1(times('2025-01-02', ['09:30', '10:00', '10:30', '11:00']), { close: [1, 2, 3, 4] });
  const h = resample(q, '60min', { sessions: ['09:00'] });
  assert.deepEqual(h.panel.times, times('2025-01-02', ['10:00', '11:00']));
  assert.deepEqual([...h.panel.fields.get('close')!], [2, 4]);
  assert.throws(() => resample(q, '60min', { sessions: ['9h'] }), /session start '9h' is not HH:MM/);
});

test('aggregation: open first, high max, low min, close last, volume/amount summed, vwap derived, others last', () => {
  const csv = [
    'code,datetime,open,high,low,close,volume,amount,turn',
    'A,2025-01-02 09:45:00,10,12,9,11,100,1050,0.5',
    'A,2025-01-02 10:00:00,11,11.5,8,10,300,3000,',
    'A,2025-01-02 10:15:00,10,10,10,10,0,0,0.1', // no trade: vwap NaN
    'A,2025-01-02 10:30:00,10,10,10,10,0,0,0.2',
    'B,2025-01-02 09:45:00,5,5,5,5,10,50,1',
  ].join('\n');
  const r = resample(parseBarsCsv(csv), '30min');
  const p = r.panel;
  assert.deepEqual(p.times, ['2025-01-02 10:00:00', '2025-01-02 10:30:00']);
  const f = (name: string): number[] => [...p.fields.get(name)!];
  // Time-major [t, stock]: [10:00 A, 10:00 B, 10:30 A, 10:30 B].
  assert.deepEqual(f('open'), [10, 5, 10, NaN]);
  assert.deepEqual(f('high'), [12, 5, 10, NaN]);
  assert.deepEqual(f('low'), [8, 5, 10, NaN]);
  assert.deepEqual(f('close'), [10, 5, 10, NaN]);
  assert.deepEqual(f('volume'), [400, 10, 0, NaN]);
  assert.deepEqual(f('amount'), [4050, 50, 0, NaN]);
  assert.deepEqual(f('vwap'), [f32(4050 / 400), 5, NaN, NaN]);
  // 'Last' skips the empty cell of a present bar: 10:00 A has no turn, so 09:45's 0.5 is the last value.
  assert.deepEqual(f('turn'), [0.5, 1, f32(0.2), NaN]);
  assert.deepEqual([...p.fields.keys()], ['open', 'high', 'low', 'close', 'volume', 'amount', 'turn', 'vwap']);
  // B has one of two sub-bars at 10:00 (partial) and none at 10:30 (missing, not partial).
  assert.equal(r.partialBars, 1);
});

test('to daily: one bar a day named by its date', () => {
  const ts = [...times('2025-01-02', ENDS_15), ...times('2025-01-03', ENDS_15)];
  const n = ts.length;
  const p = panel1(ts, {
    open: ts.map((_, i) => 100 + i), high: ts.map((_, i) => 200 - i), low: ts.map((_, i) => 50 + i),
    close: ts.map((_, i) => 1 + i), volume: ts.map(() => 10), amount: ts.map(() => 25), vwap: ts.map(() => 2.5),
  });
  const d = resample(p, 'daily').panel;
  assert.deepEqual(d.times, ['2025-01-02', '2025-01-03']);
  assert.deepEqual([...d.fields.get('open')!], [100, 116]);
  assert.deepEqual([...d.fields.get('high')!], [200, 184]);
  assert.deepEqual([...d.fields.get('low')!], [50, 66]);
  assert.deepEqual([...d.fields.get('close')!], [16, n]);
  assert.deepEqual([...d.fields.get('volume')!], [160, 160]);
  assert.deepEqual([...d.fields.get('vwap')!], [2.5, 2.5]);
});

test('errors: finer target, non-multiple target; same frequency returns the panel itself', () => {
  const p = panel1(times('2025-01-02', ['10:00', '10:30', '11:00']), { close: [1, 2, 3] });
  assert.throws(() => resample(p, '15min'), (e: unknown) =>
    e instanceof DataError && e.message === '<panel>: cannot resample 30min bars to the finer 15min');
  assert.throws(() => resample(p, '5min', { source: 'x.csv' }), /^DataError: x\.csv: cannot resample 30min bars to the finer 5min$/);
  const p10 = panel1(times('2025-01-02', ['09:40', '09:50', '10:00']), { close: [1, 2, 3] });
  assert.throws(() => resample(p10, '15min'), /cannot resample 10min bars to 15min: not a whole multiple/);
  assert.throws(() => resample(panel1(['2025-01-02', '2025-01-03'], { close: [1, 2] }), '60min'), /finer 60min/);
  assert.equal(resample(p, '30min').panel, p);
});

test('real data: 15-minute bars resampled to 30 minutes reproduce bars_30min.csv.gz; daily is sane',
  { skip: missing(BARS_15MIN, BARS_30MIN) }, async () => {
    const [p15, p30] = await Promise.all([loadBars(BARS_15MIN), loadBars(BARS_30MIN)]);
    assert.equal(detectFrequency(p15).label, '15min');
    assert.equal(detectFrequency(p30).label, '30min');
    const r = resample(p15, '30min');
    const q = r.panel;
    assert.deepEqual(q.times, p30.times);
    assert.deepEqual(q.codes, p30.codes);
    assert.deepEqual([...q.fields.keys()], [...p30.fields.keys()]);
    for (const [name, want] of p30.fields) {
      const got = q.fields.get(name)!;
      let worst = 0;
      for (let i = 0; i < want.length; i++) {
        const x = got[i]!, y = want[i]!;
        assert.equal(x !== x, y !== y, `${name} missing-ness differs at cell ${i}`);
        if (x !== x) continue;
        // Sums are rounded to float32 once (≤ 1 ulp ~ 1.2e-7 relative); the file's vwap has 4 decimals.
        const tol = name === 'vwap' ? 5e-5 + 1e-6 * Math.abs(y) : 1.2e-7 * Math.abs(y);
        worst = Math.max(worst, Math.abs(x - y) - tol);
      }
      assert.ok(worst <= 0, `${name}: a cell differs by ${worst} beyond tolerance`);
    }

    const d = resample(p15, 'daily').panel;
    const days = tradingDays(p15);
    assert.equal(d.T, days.days.length);
    assert.deepEqual(d.times, days.days);
    const N = d.N;
    const [o, h, l, c, v] = ['open', 'high', 'low', 'close', 'volume'].map((k) => d.fields.get(k)!);
    const v15 = p15.fields.get('volume')!;
    let present = 0;
    for (let t = 0; t < d.T; t++) {
      for (let j = 0; j < N; j++) {
        const i = t * N + j;
        if (c![i] !== c![i]) continue;
        present++;
        assert.ok(h![i]! >= Math.max(o![i]!, c![i]!) && l![i]! <= Math.min(o![i]!, c![i]!) && l![i]! > 0, `bar ${i}`);
        let sum = 0;
        for (let s = days.start[t]!; s < days.end[t]!; s++) if (v15[s * N + j] === v15[s * N + j]) sum += v15[s * N + j]!;
        assert.ok(Math.abs(v![i]! - sum) <= 1.2e-7 * sum, `daily volume ${v![i]} vs ${sum}`);
      }
    }
    // 300 stocks × ~300 days, minus suspended days.
    assert.ok(present > 0.95 * d.T * N, `only ${present} daily bars`);
  });
