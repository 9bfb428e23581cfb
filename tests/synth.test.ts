/**
 * The synthetic market: determinism, the bar invariants real A-share data obeys (OHLC order, tick, price limits,
 * locked bars, suspensions as absent bars, volume/amount consistency, intraday profile), the planted alphas
 * (clearly positive IC, destroyed by shuffling days, absent without planting) and the CSV round trip through
 * the CLI. Markets here are small so the file runs in a few seconds; the default size is only timed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  generateMarket, barEndTimes, weekdays, stockCodes, meanRankIC, rankUnit, evaluateHost, DEFAULT_PLANTED, type SyntheticMarket,
} from '../src/data/synth.ts';
import { float32Text, attributesPath } from '../src/data/synth_csv.ts';
import { synthCommand } from '../src/cli/synth_cmd.ts';
import { computeLabels, dailyFactor, limitCents } from '../src/data/labels.ts';
import { loadBars } from '../src/data/csv.ts';
import { loadAttributes } from '../src/data/attributes.ts';
import { tradingDays } from '../src/data/calendar.ts';
import { evaluateToArrays } from '../src/eval/evaluate.ts';
import { parse } from '../src/expr/parse.ts';
import { lookback } from '../src/expr/analyze.ts';
import { mulberry32 } from '../src/util/rng.ts';

const SMALL = { stocks: 100, days: 150, seed: 5 };
const small = generateMarket(SMALL);
const F = (m: SyntheticMarket, name: string) => m.panel.fields.get(name)!;

test('calendar helpers: A-share bar end times, weekdays only, ascending codes', () => {
  assert.deepEqual(barEndTimes(8), ['10:00:00', '10:30:00', '11:00:00', '11:30:00', '13:30:00', '14:00:00', '14:30:00', '15:00:00']);
  assert.deepEqual(barEndTimes(4), ['10:30:00', '11:30:00', '14:00:00', '15:00:00']);
  assert.deepEqual(barEndTimes(1), ['15:00:00']);
  assert.equal(barEndTimes(240)[0], '09:31:00');
  // 2025-01-03 is a Friday; the weekend is skipped.
  assert.deepEqual(weekdays('2025-01-03', 3), ['2025-01-03', '2025-01-06', '2025-01-07']);
  assert.deepEqual(stockCodes(3), ['600000.SH', '600001.SH', '600002.SH']);
  assert.equal(small.panel.times[0], '2025-01-02 10:00:00');
  assert.equal(small.panel.times[7], '2025-01-02 15:00:00');
  assert.equal(small.panel.T, 150 * 8);
  assert.equal(tradingDays(small.panel).days.length, 150);
  assert.deepEqual(rankUnit([3, NaN, 1, 3]), Float64Array.from([0.75, NaN, 0, 0.75]));
});

test('same seed gives identical bytes, another seed a different market', () => {
  const again = generateMarket(SMALL);
  for (const [name, a] of small.panel.fields) {
    assert.deepEqual(Buffer.from(a.buffer), Buffer.from(F(again, name).buffer), name);
  }
  assert.deepEqual(again.attributes, small.attributes);
  assert.deepEqual(again.planted, small.planted);
  const other = generateMarket({ ...SMALL, seed: 6 });
  assert.notDeepEqual(Buffer.from(F(other, 'close').buffer), Buffer.from(F(small, 'close').buffer));
});

test('OHLC order, 0.01 tick, ±10 % limits and locked bars at the limit', () => {
  const { T, N } = small.panel;
  const [o, h, l, c] = ['open', 'high', 'low', 'close'].map((f) => F(small, f));
  const cal = tradingDays(small.panel);
  let bars = 0, locked = 0, atLimit = 0;
  for (let j = 0; j < N; j++) {
    let ref = NaN;
    for (let k = 0; k < cal.days.length; k++) {
      const lim = ref === ref ? limitCents(ref, 10) : undefined;
      let last = NaN;
      for (let t = cal.start[k]; t < cal.end[k]; t++) {
        const i = t * N + j;
        if (c[i] !== c[i]) continue;
        bars++;
        assert.ok(l[i] <= Math.min(o[i], c[i]) && h[i] >= Math.max(o[i], c[i]) && l[i] > 0, `OHLC at ${t},${j}`);
        for (const p of [o[i], h[i], l[i], c[i]]) assert.ok(Math.abs(p * 100 - Math.round(p * 100)) < 1e-3, `tick ${p}`);
        if (lim) {
          assert.ok(Math.round(h[i] * 100) <= lim.up && Math.round(l[i] * 100) >= lim.down, `limit at ${t},${j}`);
          const hc = Math.round(h[i] * 100), lc = Math.round(l[i] * 100);
          if (hc === lc && (hc === lim.up || lc === lim.down)) locked++;
          if (hc === lim.up || lc === lim.down) atLimit++;
        }
        last = c[i];
      }
      if (last === last) ref = last;
    }
  }
  assert.ok(bars > 0.98 * T * N, `bars ${bars}`);
  assert.ok(atLimit > 0, 'some bars reach a limit');
  assert.ok(locked > 0, 'some bars are locked at a limit (high == low)');
});

test('suspended days are whole days of absent bars in every field', () => {
  const { N } = small.panel;
  const cal = tradingDays(small.panel);
  let suspended = 0;
  for (let k = 0; k < cal.days.length; k++) {
    for (let j = 0; j < N; j++) {
      let missing = 0;
      for (let t = cal.start[k]; t < cal.end[k]; t++) {
        const i = t * N + j;
        const miss = [...small.panel.fields.values()].map((a) => a[i] !== a[i]);
        assert.ok(miss.every((m) => m === miss[0]), 'fields absent together');
        if (miss[0]) missing++;
      }
      assert.ok(missing === 0 || missing === 8, `partial day ${k},${j}`);
      if (missing) suspended++;
    }
  }
  assert.ok(suspended > 0 && suspended < 0.03 * N * cal.days.length, `suspended stock-days ${suspended}`);
});

test('volume and amount match prices: amount = volume x vwap, busy open/close, |return| with volume', () => {
  const { T, N } = small.panel;
  const [o, h, l, c, v, a, w] = ['open', 'high', 'low', 'close', 'volume', 'amount', 'vwap'].map((f) => F(small, f));
  const byBar = new Float64Array(8);
  const cnt = new Float64Array(8);
  let sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0, n = 0;
  for (let t = 0; t < T; t++) {
    for (let j = 0; j < N; j++) {
      const i = t * N + j;
      if (c[i] !== c[i]) continue;
      assert.ok(v[i] >= 100 && v[i] % 100 === 0, `volume ${v[i]}`);
      assert.ok(Math.abs(a[i] - v[i] * w[i]) <= 1e-5 * a[i], `amount ${a[i]} vs ${v[i]} x ${w[i]}`);
      assert.ok(w[i] >= l[i] - 1e-4 && w[i] <= h[i] + 1e-4, `vwap ${w[i]} outside [${l[i]}, ${h[i]}]`);
      byBar[t % 8] += Math.log(v[i]);
      cnt[t % 8]++;
      const x = Math.abs(Math.log(c[i] / o[i]));
      // Volume relative to the stock's size: compare within a stock through its float shares.
      const y = Math.log(v[i] / small.attributes.floatShares[j]);
      sx += x; sy += y; sxx += x * x; syy += y * y; sxy += x * y; n++;
    }
  }
  const mean = Array.from(byBar, (s, b) => s / cnt[b]);
  assert.ok(mean[0] > mean[3] + 0.3 && mean[7] > mean[3] + 0.2, `U-shaped volume ${mean.map((m) => m.toFixed(2))}`);
  const corr = (sxy / n - (sx / n) * (sy / n)) / Math.sqrt((sxx / n - (sx / n) ** 2) * (syy / n - (sy / n) ** 2));
  assert.ok(corr > 0.1, `corr(|return|, log volume) = ${corr}`);
  // Bigger stocks: more volume, less volatility.
  const fs = small.attributes.floatShares;
  const big = [...fs.keys()].sort((x, y) => fs[y] - fs[x]);
  const stat = (js: number[]) => {
    let lv = 0, r2 = 0, m = 0;
    for (const j of js) for (let t = 1; t < T; t++) {
      const i = t * N + j, p = (t - 1) * N + j;
      if (c[i] === c[i] && c[p] === c[p]) { lv += Math.log(v[i]); r2 += Math.log(c[i] / c[p]) ** 2; m++; }
    }
    return { lv: lv / m, vol: Math.sqrt(r2 / m) };
  };
  const top = stat(big.slice(0, 15)), bottom = stat(big.slice(-15));
  assert.ok(top.lv > bottom.lv + 1 && top.vol < bottom.vol, JSON.stringify({ top, bottom }));
});

test('causal generation: a longer market starts with the shorter one, bar for bar', () => {
  // The planted drift of day d reads only bars up to day d, so days beyond d cannot change anything before.
  const short = generateMarket({ ...SMALL, days: 100 });
  const cells = short.panel.T * short.panel.N;
  for (const [name, a] of short.panel.fields) {
    assert.deepEqual(Buffer.from(a.buffer), Buffer.from(F(small, name).buffer, 0, cells * 4), name);
  }
});

test('the trailing window the generator evaluates gives the full-history values at the day\'s last bar', () => {
  const { T, N } = small.panel;
  for (const text of DEFAULT_PLANTED) {
    const node = parse(text);
    const full = evaluateHost(node, small.panel.fields, T, N);
    const rows = lookback(node) + 1 + 8;
    let compared = 0;
    for (const d of [10, 57, 149]) {
      const tEnd = (d + 1) * 8;
      const win = new Map([...small.panel.fields].map(([k, a]) => [k, a.subarray((tEnd - rows) * N, tEnd * N)]));
      const part = evaluateHost(node, win, rows, N).subarray((rows - 1) * N);
      const want = full.subarray((tEnd - 1) * N, tEnd * N);
      for (let j = 0; j < N; j++) {
        if (want[j] === want[j]) compared++;
        assert.ok(Object.is(part[j], want[j]) || Math.abs(part[j] - want[j]) <= 1e-5 * Math.abs(want[j]), `${text} day ${d} stock ${j}: ${part[j]} vs ${want[j]}`);
      }
    }
    assert.ok(compared > 250, `${text}: ${compared} finite values compared`);
  }
});

function shuffledDays(daily: Float32Array, D: number, N: number, seed: number): Float32Array {
  const rng = mulberry32(seed);
  const perm = Array.from({ length: D }, (_, i) => i);
  for (let i = D - 1; i > 0; i--) {
    const k = Math.floor(rng() * (i + 1));
    [perm[i], perm[k]] = [perm[k], perm[i]];
  }
  const out = new Float32Array(daily.length);
  for (let d = 0; d < D; d++) out.set(daily.subarray(perm[d] * N, perm[d] * N + N), d * N);
  return out;
}

test('a planted alpha shows a clearly positive IC that shuffling its days destroys', async () => {
  const expr = DEFAULT_PLANTED[0];
  const m = generateMarket({ ...SMALL, planted: [expr], strength: 0.008 });
  assert.equal(m.planted.length, 1);
  assert.equal(m.planted[0].expr, 'stddev(6,delta(11,log(volume)))');
  // Recompute through the public evaluator and labels: the reported IC is what a miner would measure.
  const labels = computeLabels(m.panel);
  const [values] = await evaluateToArrays(m.panel, [parse(expr)]);
  const daily = dailyFactor(m.panel, values);
  const D = labels.days.length, N = m.panel.N;
  const ic = meanRankIC(daily, labels.values, D, N);
  assert.ok(Math.abs(ic - m.planted[0].realisedRankIC) < 1e-9, `${ic} vs ${m.planted[0].realisedRankIC}`);
  assert.ok(ic > 0.07, `planted IC ${ic}`);
  let shuffled = 0;
  for (let s = 1; s <= 5; s++) shuffled += meanRankIC(shuffledDays(daily, D, N, s), labels.values, D, N) / 5;
  assert.ok(Math.abs(shuffled) < 0.03, `shuffled IC ${shuffled}`);
});

test('with nothing planted the default expressions have near-zero IC', () => {
  const none = generateMarket({ ...SMALL, planted: [] });
  assert.deepEqual(none.planted, []);
  const zero = generateMarket({ ...SMALL, planted: [...DEFAULT_PLANTED, 'covariance(12,amount,high)'], strength: 0 });
  // Planting draws no random numbers, so strength 0 is the very market with nothing planted, and its report
  // gives each expression's IC there.
  for (const [name, a] of none.panel.fields) assert.deepEqual(Buffer.from(a.buffer), Buffer.from(F(zero, name).buffer), name);
  assert.equal(zero.planted.length, 3);
  for (const p of zero.planted) assert.ok(Math.abs(p.realisedRankIC) < 0.04, `${p.expr}: ${p.realisedRankIC}`);
  // The same expressions planted at the default strength in the same market stand out.
  for (const p of small.planted) assert.ok(p.realisedRankIC > 0.04, `${p.expr}: ${p.realisedRankIC}`);
});

test('the CLI writes bars that load back to the same panel, and the attributes beside them', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'alphaflow-synth-'));
  const out = join(dir, 'market.csv.gz');
  const args = { out, stocks: '12', days: '15', 'bars-per-day': '4', industries: '3', seed: '9' };
  const status = await synthCommand.run(args, []);
  assert.equal(status, 0);
  const m = generateMarket({ stocks: 12, days: 15, barsPerDay: 4, industries: 3, seed: 9 });
  const loaded = await loadBars(out);
  assert.deepEqual(loaded.codes, m.panel.codes);
  assert.deepEqual(loaded.times, m.panel.times);
  assert.deepEqual([...loaded.fields.keys()].sort(), [...m.panel.fields.keys()].sort());
  for (const [name, a] of m.panel.fields) {
    const b = loaded.fields.get(name)!;
    for (let i = 0; i < a.length; i++) assert.ok(Object.is(a[i], b[i]) || a[i] === b[i], `${name}[${i}]: ${a[i]} vs ${b[i]}`);
  }
  const attrFile = attributesPath(out);
  assert.equal(attrFile, join(dir, 'market.attributes.csv'));
  const lines = readFileSync(attrFile, 'utf8').trim().split('\n');
  assert.equal(lines[0], 'code,industry,float_shares');
  assert.equal(lines.length, 13);
  const attrs = await loadAttributes(attrFile);
  assert.deepEqual(attrs.codes, m.attributes.codes);
  assert.deepEqual(attrs.industry, m.attributes.industry);
  assert.deepEqual(attrs.floatShares, m.attributes.floatShares);
  assert.equal(float32Text(Math.fround(12.34)), '12.34');
  assert.equal(Math.fround(Number(float32Text(Math.fround(1234567.891)))), Math.fround(1234567.891));
});

test('default-size market: generation time (printed) and planted ICs in the intended range', () => {
  const t0 = performance.now();
  const m = generateMarket();
  const secs = (performance.now() - t0) / 1000;
  console.log(`generateMarket() 300 stocks x 500 days x 8 bars: ${secs.toFixed(2)} s; planted ${m.planted.map((p) => `${p.expr} IC ${p.realisedRankIC.toFixed(4)}`).join(', ')}`);
  assert.equal(m.panel.T, 4000);
  assert.equal(m.panel.N, 300);
  for (const p of m.planted) assert.ok(p.realisedRankIC > 0.03 && p.realisedRankIC < 0.1, `${p.expr}: ${p.realisedRankIC}`);
});
