/**
 * Labels: execution prices, horizons, the untradable-day rules (missing days, limit locks by board and ST) and
 * back-adjustment on tiny hand-made panels, then the real 30-minute file checked against labels recomputed here
 * from the raw CSV rows, and the `labels` command run in-process.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { gunzipSync } from 'node:zlib';
import { makePanel, type Panel } from '../src/data/panel.ts';
import { computeLabels, dailyFactor, execPrices, limitCents, limitPct } from '../src/data/labels.ts';
import { loadBars } from '../src/data/csv.ts';
import { DataError } from '../src/data/csv_parse.ts';
import { labelsCommand } from '../src/cli/labels_cmd.ts';
import { UsageError } from '../src/cli/args.ts';
import { BARS_30MIN, missing } from './support/paths.ts';

interface Bar { o: number; h: number; l: number; c: number; v: number; a: number }

/**
 * A bar panel from a function (day, bar, code) → Bar or undefined (missing). `clock` is the bars' end times.
 * Prices are float32 in the panel, so tests compare against Math.fround'ed inputs.
 */
function build(days: string[], clock: string[], codes: string[], bar: (d: number, b: number, j: number) => Bar | undefined, extra: Record<string, (d: number, j: number) => number> = {}): Panel {
  const times = days.flatMap((d) => clock.map((c) => `${d} ${c}`));
  const T = times.length;
  const N = codes.length;
  const names = ['open', 'high', 'low', 'close', 'volume', 'amount', ...Object.keys(extra)];
  const f: Record<string, Float32Array> = {};
  for (const n of names) f[n] = new Float32Array(T * N).fill(NaN);
  for (let d = 0; d < days.length; d++) {
    for (let b = 0; b < clock.length; b++) {
      for (let j = 0; j < N; j++) {
        const x = bar(d, b, j);
        if (!x) continue;
        const c = (d * clock.length + b) * N + j;
        f.open[c] = x.o;
        f.high[c] = x.h;
        f.low[c] = x.l;
        f.close[c] = x.c;
        f.volume[c] = x.v;
        f.amount[c] = x.a;
        for (const [n, fn] of Object.entries(extra)) f[n][c] = fn(d, j);
      }
    }
  }
  return makePanel(times, codes, f);
}

const DAYS = ['2025-03-03', '2025-03-04', '2025-03-05', '2025-03-06', '2025-03-07', '2025-03-10'];
const CLOCK15 = ['09:45:00', '10:00:00', '10:15:00', '15:00:00'];

/** A smooth varied bar: prices around 10 that never sit at a limit. */
function plain(d: number, b: number, j: number): Bar {
  const base = 10 + 0.37 * j + 0.11 * d + 0.013 * b;
  const v = 1000 + 100 * ((d * 7 + b * 3 + j * 5) % 11);
  const vw = base + 0.01 * ((b + j) % 3);
  return { o: base, h: base + 0.05, l: base - 0.05, c: base + 0.02, v, a: vw * v };
}

test('first30vwap on 15-minute bars is sum(amount)/sum(volume) of the first two bars; horizons 1 and 3', () => {
  const codes = ['600000.SH', '600001.SH', '600002.SH'];
  const p = build(DAYS, CLOCK15, codes, plain);
  const px = execPrices(p, 'first30vwap');
  const naive = (d: number, j: number): number => {
    let sa = 0, sv = 0;
    for (const b of [0, 1]) {
      sa += Math.fround(plain(d, b, j).a);
      sv += Math.fround(plain(d, b, j).v);
    }
    return sa / sv;
  };
  for (let d = 0; d < DAYS.length; d++) for (let j = 0; j < 3; j++) assert.ok(Math.abs(px[d * 3 + j] - naive(d, j)) < 1e-5);
  for (const h of [1, 3]) {
    const L = computeLabels(p, { horizon: h });
    assert.equal(L.price, 'first30vwap');
    assert.equal(L.horizon, h);
    assert.deepEqual(L.days, DAYS);
    for (let d = 0; d < DAYS.length; d++) {
      for (let j = 0; j < 3; j++) {
        const got = L.values[d * 3 + j];
        if (d + 1 + h >= DAYS.length) assert.ok(Number.isNaN(got), `no future for day ${d}`);
        else assert.ok(Math.abs(got - (naive(d + 1 + h, j) / naive(d + 1, j) - 1)) < 1e-6, `h=${h} d=${d} j=${j}`);
      }
    }
    assert.deepEqual(L.dropped, { noBars: 0, limitLocked: 0, noPrice: 0, total: 0 });
    assert.equal(L.counted, (DAYS.length - 1 - h) * 3);
  }
});

test('30-minute bars use only the first bar; open, close and whole-day vwap prices', () => {
  const clock = ['10:00:00', '10:30:00', '15:00:00'];
  const p = build(DAYS, clock, ['600000.SH'], plain);
  const first = execPrices(p, 'first30vwap');
  const open = execPrices(p, 'open');
  const close = execPrices(p, 'close');
  const vwap = execPrices(p, 'vwap');
  for (let d = 0; d < DAYS.length; d++) {
    const bars = [0, 1, 2].map((b) => plain(d, b, 0));
    assert.ok(Math.abs(first[d] - Math.fround(bars[0].a) / Math.fround(bars[0].v)) < 1e-5);
    assert.equal(open[d], Math.fround(bars[0].o));
    assert.equal(close[d], Math.fround(bars[2].c));
    const sa = bars.reduce((s, x) => s + Math.fround(x.a), 0);
    const sv = bars.reduce((s, x) => s + Math.fround(x.v), 0);
    assert.ok(Math.abs(vwap[d] - sa / sv) < 1e-5);
  }
  const L = computeLabels(p, { price: 'close' });
  assert.ok(Math.abs(L.values[0] - (close[2] / close[1] - 1)) < 1e-6);
});

test('a missing entry or exit day gives NaN, counted as noBars; a missing middle day does not', () => {
  // Stock 1 has no bars on day 2: at h=1 the labels of day 0 (exit day 2) and day 1 (entry day 2) are dropped.
  const p = build(DAYS, CLOCK15, ['600000.SH', '600001.SH'], (d, b, j) => (j === 1 && d === 2 ? undefined : plain(d, b, j)));
  const N = 2;
  const L = computeLabels(p);
  assert.ok(Number.isNaN(L.values[0 * N + 1]));
  assert.ok(Number.isNaN(L.values[1 * N + 1]));
  // Day 2's label trades on days 3 and 4, so it exists, but day 2 is not counted (no observation that day).
  assert.ok(Number.isFinite(L.values[2 * N + 1]));
  assert.ok(Number.isFinite(L.values[0 * N + 0]));
  assert.deepEqual(L.dropped, { noBars: 2, limitLocked: 0, noPrice: 0, total: 2 });
  assert.equal(L.counted, 4 * 2 - 1);
  // At h=2, day 0 enters on day 1 and exits on day 3: day 2 is only held through.
  const L2 = computeLabels(p, { horizon: 2 });
  assert.ok(Number.isFinite(L2.values[0 * N + 1]));
  assert.ok(Number.isNaN(L2.values[1 * N + 1]));
});

test('limit prices round half up to 0.01, by board, date and ST', () => {
  assert.deepEqual(limitCents(10.05, 10), { up: 1106, down: 905 }); // 11.055 → 11.06, 9.045 → 9.05
  assert.deepEqual(limitCents(Math.fround(11.43), 10), { up: 1257, down: 1029 });
  assert.deepEqual(limitCents(10, 20), { up: 1200, down: 800 });
  assert.deepEqual(limitCents(10, 5), { up: 1050, down: 950 });
  assert.equal(limitPct('600000.SH', '2025-01-02', false), 10);
  assert.equal(limitPct('600000.SH', '2025-01-02', true), 5);
  assert.equal(limitPct('688001.SH', '2019-08-01', false), 20);
  assert.equal(limitPct('300750.SZ', '2020-08-21', false), 10);
  assert.equal(limitPct('300750.SZ', '2020-08-24', false), 20);
  assert.equal(limitPct('300750.SZ', '2020-08-24', true), 20);
});

/**
 * One stock whose day-1 close is `prev` and whose day-2 bars are all flat at `flat` (locked if that is a limit);
 * day 2 is the entry day of day 1's label and the exit day of day 0's.
 */
function lockPanel(code: string, days: string[], prev: number, flat: number, extra: Record<string, (d: number, j: number) => number> = {}): Panel {
  return build(days, CLOCK15, [code], (d, b) => {
    if (d === 1) return { o: prev - 0.1, h: prev + 0.1, l: prev - 0.2, c: prev, v: 1000, a: 1000 * prev };
    if (d === 2) return { o: flat, h: flat, l: flat, c: flat, v: 500, a: 500 * flat };
    const x = prev + 0.01 * d + 0.001 * b;
    return { o: x, h: x + 0.02, l: x - 0.02, c: x, v: 1000, a: 1000 * x };
  }, extra);
}

function lockedAtEntry(p: Panel): boolean {
  const L = computeLabels(p);
  const dropped = Number.isNaN(L.values[1]) && Number.isNaN(L.values[0]);
  if (dropped) assert.equal(L.dropped.limitLocked, 2, 'entry lock (day 1) and exit lock (day 0) are both counted');
  else assert.equal(L.dropped.limitLocked, 0);
  return dropped;
}

test('locked limit-up entry and limit-down exit are dropped and counted; a flat bar off the limit is not', () => {
  assert.equal(lockedAtEntry(lockPanel('600000.SH', DAYS, 10.05, 11.06)), true);
  assert.equal(lockedAtEntry(lockPanel('600000.SH', DAYS, 10.05, 9.05)), true);
  assert.equal(lockedAtEntry(lockPanel('600000.SH', DAYS, 10.05, 11.05)), false);
  // The lock is judged in the execution window only: a day that is locked after 10:00 is tradable at first30vwap.
  const late = build(DAYS, CLOCK15, ['600000.SH'], (d, b) => {
    if (d === 2 && b >= 2) return { o: 11.06, h: 11.06, l: 11.06, c: 11.06, v: 10, a: 110.6 };
    const x = d === 1 ? 10.05 : 10.5;
    return { o: x, h: x + 0.02, l: x - 0.02, c: x, v: 1000, a: 1000 * x };
  });
  const L = computeLabels(late);
  assert.equal(L.dropped.limitLocked, 0);
  assert.equal(computeLabels(late, { price: 'close' }).dropped.limitLocked, 2);
});

test('688 and 300 (from 2020-08-24) are locked at 20%, 300 before that at 10%, ST at 5%', () => {
  assert.equal(lockedAtEntry(lockPanel('688001.SH', DAYS, 10, 12)), true);
  assert.equal(lockedAtEntry(lockPanel('688001.SH', DAYS, 10, 11)), false);
  assert.equal(lockedAtEntry(lockPanel('300750.SZ', DAYS, 10, 12)), true);
  assert.equal(lockedAtEntry(lockPanel('300750.SZ', DAYS, 10, 11)), false);
  const before = ['2020-08-17', '2020-08-18', '2020-08-19', '2020-08-20', '2020-08-21'];
  assert.equal(lockedAtEntry(lockPanel('300750.SZ', before, 10, 11)), true);
  assert.equal(lockedAtEntry(lockPanel('300750.SZ', before, 10, 12)), false);
  const st = { isST: () => 1 };
  assert.equal(lockedAtEntry(lockPanel('600000.SH', DAYS, 10, 10.5, st)), true);
  assert.equal(lockedAtEntry(lockPanel('600000.SH', DAYS, 10, 11, st)), false);
  assert.equal(lockedAtEntry(lockPanel('600000.SH', DAYS, 10, 10.5)), false);
});

test('adj_factor back-adjusts prices before the return', () => {
  const adj = (d: number) => (d >= 2 ? 1.25 : 1);
  const p = build(DAYS, CLOCK15, ['600000.SH'], plain, { adj_factor: (d) => adj(d) });
  const L = computeLabels(p);
  const px = execPrices(p, 'first30vwap');
  for (let d = 0; d + 2 < DAYS.length; d++) {
    const want = (px[d + 2] * adj(d + 2)) / (px[d + 1] * adj(d + 1)) - 1;
    assert.ok(Math.abs(L.values[d] - want) < 1e-6, `day ${d}`);
  }
  // Without the factor day 0's label would carry the 25% jump.
  assert.ok(Math.abs(L.values[0] - computeLabels(build(DAYS, CLOCK15, ['600000.SH'], plain)).values[0]) > 0.2);
});

test('dailyFactor picks each day\'s last bar row', () => {
  const p = build(DAYS, CLOCK15, ['A', 'B'], plain);
  const f = new Float32Array(p.T * p.N).map((_, i) => i);
  const daily = dailyFactor(p, f);
  assert.equal(daily.length, DAYS.length * 2);
  for (let d = 0; d < DAYS.length; d++) for (let j = 0; j < 2; j++) assert.equal(daily[d * 2 + j], (d * 4 + 3) * 2 + j);
  assert.throws(() => dailyFactor(p, new Float32Array(3)), RangeError);
});

test('daily data defaults to the vwap field, treats tradestatus 0 as no bars, and refuses first30vwap', () => {
  const codes = ['600000.SH'];
  const n = DAYS.length;
  const vw = Float32Array.from({ length: n }, (_, d) => 10 + d * 0.1);
  const status = Float32Array.from({ length: n }, (_, d) => (d === 3 ? 0 : 1));
  const ones = new Float32Array(n).fill(1);
  const p = makePanel(DAYS, codes, { open: vw, high: vw.map((x) => x + 0.1), low: vw.map((x) => x - 0.1), close: vw, volume: ones, vwap: vw, tradestatus: status });
  const L = computeLabels(p);
  assert.equal(L.price, 'vwap');
  assert.ok(Math.abs(L.values[0] - (vw[2] / vw[1] - 1)) < 1e-6);
  assert.ok(Number.isNaN(L.values[1]) && Number.isNaN(L.values[2]));
  assert.equal(L.dropped.noBars, 2);
  assert.throws(() => computeLabels(p, { price: 'first30vwap' }), (e: unknown) => e instanceof DataError && /intraday/.test(e.message));
  assert.throws(() => computeLabels(p, { horizon: 21 }), /1\.\.20/);
  assert.throws(() => computeLabels(p, { horizon: 0 }), /1\.\.20/);
});

// ---------------------------------------------------------------------------------------------------------------
// Real 30-minute data.

const skipReal = missing(BARS_30MIN);

/** Labels recomputed from the raw CSV rows with plain maps, sharing no code with src/data/labels.ts. */
function naiveLabels(text: string, codes: string[]): { days: string[]; labels: Map<string, Map<string, number>>; locked: number; noBars: number } {
  const want = new Set(codes);
  const bars = new Map<string, Map<string, string[][]>>();
  const allDays = new Set<string>();
  for (const line of text.split('\n').slice(1)) {
    if (!line) continue;
    const day = line.slice(line.indexOf(',') + 1, line.indexOf(',') + 11);
    allDays.add(day);
    const code = line.slice(0, line.indexOf(','));
    if (!want.has(code)) continue;
    const cells = line.split(',');
    // A suspended day can still have one flat 15:00 bar with volume 0: that is not a trading day.
    if (Number(cells[6]) === 0) continue;
    let byDay = bars.get(code);
    if (!byDay) bars.set(code, (byDay = new Map()));
    const list = byDay.get(day) ?? [];
    list.push(cells);
    byDay.set(day, list);
  }
  const days = [...allDays].sort();
  const labels = new Map<string, Map<string, number>>();
  let locked = 0;
  let noBars = 0;
  for (const code of codes) {
    const byDay = bars.get(code)!;
    const out = new Map<string, number>();
    labels.set(code, out);
    const isLocked = (k: number): boolean => {
      let q = k - 1;
      while (q >= 0 && !byDay.has(days[q])) q--;
      if (q < 0) return false;
      const prevBars = byDay.get(days[q])!;
      const prev = Number(prevBars[prevBars.length - 1][5]);
      const first = byDay.get(days[k])!.find((c) => c[1].endsWith(' 10:00:00'));
      if (!first) return false;
      const hi = Number(first[3]);
      const lo = Number(first[4]);
      const up = Math.round(prev * 110 + 1e-7) / 100;
      const down = Math.round(prev * 90 + 1e-7) / 100;
      return hi === lo && (Math.abs(hi - up) < 1e-6 || Math.abs(hi - down) < 1e-6);
    };
    const price = (k: number): number => {
      const first = byDay.get(days[k])!.find((c) => c[1].endsWith(' 10:00:00'));
      return first ? Number(first[7]) / Number(first[6]) : NaN;
    };
    for (let d = 0; d + 2 < days.length; d++) {
      if (!byDay.has(days[d])) continue;
      if (!byDay.has(days[d + 1]) || !byDay.has(days[d + 2])) {
        noBars++;
        out.set(days[d], NaN);
      } else if (isLocked(d + 1) || isLocked(d + 2)) {
        locked++;
        out.set(days[d], NaN);
      } else out.set(days[d], price(d + 2) / price(d + 1) - 1);
    }
  }
  return { days, labels, locked, noBars };
}

test('real 30-minute bars: labels match a naive recomputation, drops are counted and rare', { skip: skipReal }, async (t) => {
  const panel = await loadBars(BARS_30MIN);
  const L = computeLabels(panel);
  const { noBars, limitLocked, noPrice, total } = L.dropped;
  t.diagnostic(`first30vwap h=1: dropped ${total} of ${L.counted} (noBars ${noBars}, limitLocked ${limitLocked}, noPrice ${noPrice})`);
  assert.equal(total, noBars + limitLocked + noPrice);
  assert.ok(limitLocked > 0 && noBars > 0, 'the real file has locked and suspended days');
  assert.ok(total / L.counted < 0.01, `dropped fraction ${total / L.counted}`);
  let nan = 0;
  for (let i = 0; i < L.values.length - 2 * panel.N; i++) if (Number.isNaN(L.values[i])) nan++;
  assert.ok(nan / (L.values.length - 2 * panel.N) < 0.02, `NaN fraction ${nan / L.values.length}`);

  // Every stock is recomputed (all are main board, 10%; the file has no isST or adj_factor column).
  const codes = [...panel.codes];
  const naive = naiveLabels(gunzipSync(readFileSync(BARS_30MIN)).toString('utf8'), codes);
  assert.deepEqual(L.days, naive.days);
  let compared = 0;
  let naiveDropped = 0;
  for (const code of codes) {
    const j = panel.codes.indexOf(code);
    for (const [day, want] of naive.labels.get(code)!) {
      const got = L.values[L.days.indexOf(day) * panel.N + j];
      if (Number.isNaN(want)) {
        naiveDropped++;
        assert.ok(Number.isNaN(got), `${code} ${day}: expected no label, got ${got}`);
      } else {
        assert.ok(Math.abs(got - want) < 2e-6, `${code} ${day}: ${got} vs ${want}`);
        compared++;
      }
    }
  }
  assert.equal(compared, L.counted - total);
  assert.equal(naiveDropped, total);
  assert.equal(naive.noBars, noBars);
  assert.equal(naive.locked, limitLocked);
  t.diagnostic(`checked ${compared} labels and ${naiveDropped} drops against the naive recomputation`);

  // The ex-dividend day of 600519 (2025-06-26) lands in day 2025-06-24's label, unadjusted.
  const k = L.days.indexOf('2025-06-24');
  const mt = L.values[k * panel.N + panel.codes.indexOf('600519.SH')];
  assert.ok(mt < -0.009 && mt > -0.012, `600519 label ${mt}`);
});

test('labels command: writes date,code,label sorted, reports drops, validates options', async () => {
  const dir = mkdtempSync(`${tmpdir()}/alphaflow-labels-`);
  try {
    const rows = ['code,datetime,open,high,low,close,volume,amount'];
    for (let d = 0; d < 4; d++) {
      for (const [b, time] of ['10:00:00', '15:00:00'].entries()) {
        for (const [j, code] of ['600001.SH', '600000.SH'].entries()) {
          if (j === 0 && d === 2) continue;
          const x = plain(d, b, j);
          rows.push(`${code},${DAYS[d]} ${time},${x.o},${x.h},${x.l},${x.c},${x.v},${x.a}`);
        }
      }
    }
    const data = `${dir}/bars.csv`;
    const out = `${dir}/labels.csv`;
    writeFileSync(data, rows.join('\n') + '\n');
    const captured: string[] = [];
    const write = process.stderr.write;
    (process.stderr as { write: unknown }).write = (s: string) => (captured.push(String(s)), true);
    let rc: number;
    try {
      rc = await labelsCommand.run({ data, out }, []);
    } finally {
      (process.stderr as { write: unknown }).write = write;
    }
    assert.equal(rc, 0);
    assert.match(captured.join(''), /dropped 2 of 4 stock-days .*noBars 2 .*limitLocked 0 .*noPrice 0/);
    const lines = readFileSync(out, 'utf8').trimEnd().split('\n');
    assert.equal(lines[0], 'date,code,label');
    assert.equal(lines.length, 1 + 4 * 2);
    assert.deepEqual(lines.slice(1).map((l) => l.split(',').slice(0, 2).join(',')), DAYS.slice(0, 4).flatMap((d) => [`${d},600000.SH`, `${d},600001.SH`]));
    // 600000.SH (plain's j=1) day 0: bought at day 1's first bar vwap, sold at day 2's.
    const fv = (d: number) => Math.fround(plain(d, 0, 1).a) / Math.fround(plain(d, 0, 1).v);
    assert.ok(Math.abs(Number(lines[1].split(',')[2]) - (fv(2) / fv(1) - 1)) < 1e-6);
    assert.equal(lines[2], `${DAYS[0]},600001.SH,`);
    assert.equal(lines[8], `${DAYS[3]},600001.SH,`);

    await assert.rejects(labelsCommand.run({ data }, []), (e: unknown) => e instanceof UsageError && /--out OUT.csv is required/.test(e.message));
    await assert.rejects(labelsCommand.run({ data, out, price: 'mid' }, []), /--price must be one of first30vwap, vwap, close, open, got 'mid'/);
    await assert.rejects(labelsCommand.run({ data, out, horizon: '21' }, []), /--horizon must be a whole number of days in 1\.\.20, got '21'/);
    await assert.rejects(labelsCommand.run({ data, out, horizon: '1.5' }, []), UsageError);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
