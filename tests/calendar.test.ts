/**
 * Trading days: bars grouped by calendar day whatever the timestamp spelling, with each day's bar range.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tradingDays } from '../src/data/calendar.ts';
import { makePanel } from '../src/data/panel.ts';
import { DataError } from '../src/data/csv_parse.ts';

test('bars are grouped into days with their ranges', () => {
  const times = ['2025-01-02 10:00:00', '2025-01-02 15:00:00', '20250103 10:00:00', '2025/1/6 10:00', '2025-01-06T15:00'];
  const p = makePanel(times, ['A'], { close: new Float32Array(5) });
  const d = tradingDays(p);
  assert.deepEqual(d.days, ['2025-01-02', '2025-01-03', '2025-01-06']);
  assert.deepEqual(Array.from(d.start), [0, 2, 3]);
  assert.deepEqual(Array.from(d.end), [2, 3, 5]);
  assert.deepEqual(Array.from(d.dayOfBar), [0, 0, 1, 2, 2]);
  assert.equal(tradingDays(p), d);
});

test('non-dates and descending times are errors', () => {
  assert.throws(() => tradingDays(makePanel(['t0'], ['A'], {})), (e: unknown) => e instanceof DataError && /'t0', which is not a date/.test(e.message));
  assert.throws(() => tradingDays(makePanel(['2025-01-03', '2025-01-02'], ['A'], {})), /not ascending at bar 1/);
});
