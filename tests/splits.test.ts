/**
 * Date splits: argument parsing and its errors, segments resolved against a plain linear scan over the days,
 * fraction splits, cutting daily matrices by segment, and the label purge at segment ends.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_SPLIT, describeSegments, parseSplitArgs, purgeLabels, segmentBars, segmentRows, splitDays, type Segment, type SplitSpec } from '../src/data/splits.ts';
import { DataError } from '../src/data/csv_parse.ts';
import { mulberry32 } from '../src/util/rng.ts';
import { makePanel } from '../src/data/panel.ts';
import { tradingDays } from '../src/data/calendar.ts';
import { parse } from '../src/expr/parse.ts';
import { evaluateToArrays } from '../src/eval/evaluate.ts';

/** Weekdays from a start date, as YYYY-MM-DD. */
function weekdays(start: string, count: number): string[] {
  const out: string[] = [];
  const d = new Date(`${start}T00:00:00Z`);
  while (out.length < count) {
    const wd = d.getUTCDay();
    if (wd !== 0 && wd !== 6) out.push(d.toISOString().slice(0, 10));
    d.setUTCDate(d.getUTCDate() + 1);
  }
  return out;
}

const plain = (segs: Segment[]) => segs.map((s) => ({ ...s }));

test('no arguments gives 50/25/25 by trading days', () => {
  assert.deepEqual(parseSplitArgs({}), DEFAULT_SPLIT);
  const days = weekdays('2025-01-02', 10);
  // Boundaries at round(0.5 * 10) = 5 and round(0.75 * 10) = 8.
  assert.deepEqual(plain(splitDays(days, DEFAULT_SPLIT)), [
    { name: 'train', firstDay: 0, lastDay: 4, from: days[0], to: days[4] },
    { name: 'valid', firstDay: 5, lastDay: 7, from: days[5], to: days[7] },
    { name: 'test', firstDay: 8, lastDay: 9, from: days[8], to: days[9] },
  ]);
  const spec = parseSplitArgs({ split: '0.8, 0.2, 0' });
  assert.deepEqual(spec, { kind: 'fractions', fractions: [0.8, 0.2, 0] });
  assert.deepEqual(splitDays(days, spec).map((s) => [s.name, s.firstDay, s.lastDay]), [['train', 0, 7], ['valid', 8, 9]]);
  assert.deepEqual(splitDays(days, parseSplitArgs({ split: '0.7,0.2,0.1' })).map((s) => [s.firstDay, s.lastDay]), [[0, 6], [7, 8], [9, 9]]);
});

test('date segments: inclusive, open sides meet the neighbouring segment, clipped to the data', () => {
  const days = weekdays('2025-08-25', 20); // 2025-08-25 (Mon) .. 2025-09-19 (Fri)
  const spec = parseSplitArgs({ train: ':2025-08-29', valid: '2025-09-01:', test: '2025-09-10:2025-12-31' });
  assert.deepEqual(plain(splitDays(days, spec)), [
    { name: 'train', firstDay: 0, lastDay: 4, from: '2025-08-25', to: '2025-08-29' },
    { name: 'valid', firstDay: 5, lastDay: 11, from: '2025-09-01', to: '2025-09-09' },
    { name: 'test', firstDay: 12, lastDay: 19, from: '2025-09-10', to: '2025-09-19' },
  ]);
  // A weekend boundary date and a gap between segments.
  const gap = splitDays(days, parseSplitArgs({ train: '2025-08-23:2025-08-31', test: '2025-09-06:' }));
  assert.deepEqual(gap.map((s) => [s.name, s.from, s.to]), [['train', '2025-08-25', '2025-08-29'], ['test', '2025-09-08', '2025-09-19']]);
  assert.deepEqual(describeSegments(gap), ['train 2025-08-25..2025-08-29 (5 days)', 'test 2025-09-08..2025-09-19 (10 days)']);
});

test('random date specs agree with a linear scan', () => {
  const rng = mulberry32(3);
  const days = weekdays('2024-12-30', 80);
  const calendar = weekdays('2024-12-20', 130).concat(['2025-06-14', '2025-06-15']).sort(); // dates to pick from, some off the data
  const outcomes = { ok: 0, empty: 0, rejected: 0 };
  for (let trial = 0; trial < 200; trial++) {
    const picks = Array.from({ length: 6 }, () => calendar[Math.floor(rng() * calendar.length)]!).sort();
    // Drop sides at random (never both sides of one boundary, which is ambiguous).
    const sides: (string | undefined)[] = picks.map((p) => (rng() < 0.3 ? undefined : p));
    for (const [a, b] of [[1, 2], [3, 4]] as const) if (sides[a] === undefined && sides[b] === undefined) sides[b] = picks[b];
    const fmt = (x: string | undefined, y: string | undefined) => `${x ?? ''}:${y ?? ''}`;
    let spec: SplitSpec;
    try {
      spec = parseSplitArgs({ train: fmt(sides[0], sides[1]), valid: fmt(sides[2], sides[3]), test: fmt(sides[4], sides[5]) });
    } catch (e) {
      // Equal picks across a boundary are an overlap: the only way sorted picks can be rejected.
      assert.ok(e instanceof DataError && /overlap|starts after/.test(e.message), String(e));
      outcomes.rejected++;
      continue;
    }
    // Reference: resolve open sides to dates, then scan.
    const lo = [sides[0] ?? '0000-00-00', sides[2] ?? sides[1]! + '~', sides[4] ?? sides[3]! + '~'];
    const hi = [sides[1] ?? sides[2]! + '!', sides[3] ?? sides[4]! + '!', sides[5] ?? '9999-99-99'];
    // '~' sorts after any date with that prefix (day after), '!' before it (day before): strict bounds by string order.
    const names = ['train', 'valid', 'test'];
    const want = names.map((name, i) => {
      const inside = days.map((d, k) => [d, k] as const).filter(([d]) => (lo[i]!.endsWith('~') ? d > lo[i]!.slice(0, -1) : d >= lo[i]!) && (hi[i]!.endsWith('!') ? d < hi[i]!.slice(0, -1) : d <= hi[i]!));
      return inside.length === 0 ? undefined : { name, firstDay: inside[0]![1], lastDay: inside.at(-1)![1], from: inside[0]![0], to: inside.at(-1)![0] };
    });
    if (want.some((w) => w === undefined)) {
      const empty = names[want.findIndex((w) => w === undefined)];
      assert.throws(() => splitDays(days, spec), (e: unknown) => e instanceof DataError && e.message.includes(`segment '${empty}'`) && e.message.includes('2024-12-30..2025-04-18'));
      outcomes.empty++;
    } else {
      assert.deepEqual(plain(splitDays(days, spec)), want);
      outcomes.ok++;
    }
  }
  // Both outcomes must actually be exercised for the comparison to mean anything.
  assert.ok(outcomes.ok > 20 && outcomes.empty > 20, JSON.stringify(outcomes));
});

test('argument errors are clear', () => {
  const bad = (args: Parameters<typeof parseSplitArgs>[0], re: RegExp) => assert.throws(() => parseSplitArgs(args), (e: unknown) => e instanceof DataError && re.test(e.message), `${JSON.stringify(args)} should fail with ${re}`);
  bad({ train: '2025-02-30:2025-03-01' }, /^--train: bad date '2025-02-30'/);
  bad({ train: '20250102:2025-03-01' }, /bad date '20250102'/);
  bad({ valid: '2025-01-02' }, /^--valid: expected FROM:TO/);
  bad({ test: '2025-03-01:2025-02-01' }, /^--test: range starts after it ends: 2025-03-01 > 2025-02-01/);
  bad({ train: ':2025-03-01', valid: '2025-03-01:2025-04-01' }, /^--valid: segment 'valid' \(2025-03-01:2025-04-01\) must start after 'train' \(:2025-03-01\) ends: segments overlap/);
  bad({ train: '2025-05-01:2025-06-01', test: '2025-01-01:2025-02-01' }, /^--test: .*out of order/);
  bad({ train: '2025-01-01:', valid: ':2025-06-01' }, /cannot tell where 'train' ends and 'valid' begins/);
  bad({ train: ':2025-01-01', split: '0.5,0.25,0.25' }, /^--split: give either --split or --train dates, not both/);
  bad({ split: '0.5,0.3,0.3' }, /^--split: shares 0.5,0.3,0.3 sum to 1.1, not 1/);
  bad({ split: '0.5,0.5' }, /expected three shares/);
  bad({ split: '0.5,-0.5,1' }, /share for 'valid' is not a number >= 0: '-0.5'/);
  // Empty segments: too few days for a share, or dates outside the data.
  const days = weekdays('2025-01-02', 3);
  assert.throws(() => splitDays(days, parseSplitArgs({ split: '0.9,0.05,0.05' })), (e: unknown) => e instanceof DataError && /segment 'valid' \(share 0.05\) gets no trading day: the data's 3 trading days run 2025-01-02..2025-01-06/.test(e.message));
  assert.throws(() => splitDays(days, parseSplitArgs({ train: ':2025-01-03', test: '2026-01-02:2026-04-01' })), (e: unknown) => e instanceof DataError && /^--test: segment 'test' \(2026-01-02:2026-04-01\) has no trading day: the data's 3 trading days run 2025-01-02..2025-01-06/.test(e.message));
});

test('segmentRows is a view of the segment rows of a daily matrix', () => {
  const N = 3;
  const daily = Float32Array.from({ length: 5 * N }, (_, i) => i);
  const seg: Segment = { name: 'valid', firstDay: 1, lastDay: 2, from: 'x', to: 'y' };
  const rows = segmentRows(daily, N, seg);
  assert.deepEqual(Array.from(rows), [3, 4, 5, 6, 7, 8]);
  assert.equal(rows.buffer, daily.buffer);
  assert.throws(() => segmentRows(daily, N, { ...seg, lastDay: 5 }), RangeError);
});

test('segmentBars gives the intraday bar range of a segment', () => {
  const times = ['2025-01-02 10:00', '2025-01-02 15:00', '2025-01-03 10:00', '2025-01-03 15:00', '2025-01-06 10:00'];
  const cal = tradingDays(makePanel(times, ['A'], {}));
  const [train, valid] = splitDays(cal.days, parseSplitArgs({ train: ':2025-01-02', valid: '2025-01-03:' }));
  assert.deepEqual(segmentBars(cal, train!), { start: 0, end: 2 });
  assert.deepEqual(segmentBars(cal, valid!), { start: 2, end: 5 });
});

test('purgeLabels NaNs the last horizon+1 days of every segment but the last', () => {
  const D = 20;
  const N = 2;
  const days = weekdays('2025-01-02', D);
  const segs = splitDays(days, DEFAULT_SPLIT); // 0..9, 10..14, 15..19
  const labels = Float32Array.from({ length: D * N }, (_, i) => i + 0.5);
  for (const h of [0, 2, 7]) {
    const out = purgeLabels(labels, D, N, segs, h);
    for (let d = 0; d < D; d++) {
      // A label on day d reads prices up to d+1+h: purged when that reaches past its own non-final segment.
      const seg = segs.find((s) => s.firstDay <= d && d <= s.lastDay)!;
      const purged = seg !== segs.at(-1) && d + 1 + h > seg.lastDay;
      for (let j = 0; j < N; j++) {
        if (purged) assert.ok(Number.isNaN(out[d * N + j]!), `h=${h} day ${d} should be purged`);
        else assert.equal(out[d * N + j], labels[d * N + j], `h=${h} day ${d} should be kept`);
      }
    }
  }
  // Explicitly: horizon 2 on train 0..9 purges days 7, 8, 9; valid 10..14 purges 12, 13, 14.
  const out = purgeLabels(labels, D, N, segs, 2);
  const purgedDays = Array.from({ length: D }, (_, d) => d).filter((d) => Number.isNaN(out[d * N]!));
  assert.deepEqual(purgedDays, [7, 8, 9, 12, 13, 14]);
  assert.equal(labels[7 * N], 14.5); // input untouched
  // A horizon longer than a segment purges all of it.
  assert.ok(purgeLabels(labels, D, N, segs, 30).subarray(0, 15 * N).every(Number.isNaN));
  assert.throws(() => purgeLabels(labels, D, N, segs, -1), RangeError);
  assert.throws(() => purgeLabels(labels, D, N, [segs[1]!, segs[0]!], 1), /overlap or are out of order/);
});

test('evaluating the full panel and cutting by segment never uses bars after the segment', async () => {
  // The rule splits rely on: operators are causal, so a segment's values are the same whether or not the data
  // after it exists, and its lookback comes from the bars before it.
  const T = 40;
  const N = 3;
  const rng = mulberry32(5);
  const times = weekdays('2025-03-03', T);
  const close = Float32Array.from({ length: T * N }, () => (rng() < 0.05 ? NaN : 10 + 5 * rng()));
  const volume = Float32Array.from({ length: T * N }, () => 1e5 + 1e5 * rng());
  const exprs = ['ts_Mean(5,close)', 'correlation(6,close,volume)', 'ts_Rank(4,delta(2,close))', 'rank(EMA(3,volume))'].map((e) => parse(e));
  const full = makePanel(times, ['A', 'B', 'C'], { close, volume });
  const [train, valid] = splitDays(tradingDays(full).days, DEFAULT_SPLIT);
  // The same data cut after the validation segment, and with the later bars scrambled instead.
  const cut = makePanel(times.slice(0, valid!.lastDay + 1), full.codes, { close: close.slice(0, (valid!.lastDay + 1) * N), volume: volume.slice(0, (valid!.lastDay + 1) * N) });
  const scrambled = makePanel(times, full.codes, { close: close.map((v, i) => (i >= (valid!.lastDay + 1) * N ? 100 - v : v)), volume });
  const a = await evaluateToArrays(full, exprs);
  const b = await evaluateToArrays(cut, exprs);
  const c = await evaluateToArrays(scrambled, exprs);
  exprs.forEach((_, e) => {
    for (const seg of [train!, valid!]) {
      const want = Array.from(segmentRows(a[e]!, N, seg));
      assert.deepEqual(Array.from(segmentRows(b[e]!, N, seg)), want);
      assert.deepEqual(Array.from(segmentRows(c[e]!, N, seg)), want);
    }
    // The validation segment's first rows do have values: their lookback came from training bars.
    assert.ok(Array.from(segmentRows(a[e]!, N, valid!).subarray(0, N)).some(Number.isFinite));
  });
});
