/**
 * Factor metrics checked against a naive float64 reference written here with plain loops (O(n²) ranks, sorted
 * copies, sets for turnover) on random panels with ties, NaNs, days with few stocks and constant days; pandas
 * qcut groups on hand-worked examples, including the tie fallback; population, decay and correlation entry points.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mulberry32, type Rng } from '../src/util/rng.ts';
import { factorCorrelation, factorMetrics, icDecay, populationMetrics, qcutGroups, type FactorSummary } from '../src/fitness/metrics.ts';
import { correlatedAbove, rankCorrelation, RankScratch, rankDays } from '../src/fitness/ranked_days.ts';

// ---------- naive reference ----------

function avgRanks(x: number[]): number[] {
  return x.map((v) => {
    let below = 0;
    let same = 0;
    for (const w of x) {
      if (w < v) below++;
      else if (w === v) same++;
    }
    return below + (same + 1) / 2;
  });
}

function pearson(x: number[], y: number[]): number {
  const n = x.length;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i];
    my += y[i];
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
    syy += (y[i] - my) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
}

/** pandas qcut(x, q, labels=False) where its edges are unique; the documented average-position rule otherwise. */
function refQcut(x: number[], q: number): number[] {
  const s = [...x].sort((a, b) => a - b);
  const n = s.length;
  const edges: number[] = [];
  for (let g = 0; g <= q; g++) {
    const pos = (n - 1) * (g / q);
    const lo = Math.floor(pos);
    const hi = Math.min(lo + 1, n - 1);
    const t = pos - lo;
    edges.push(t >= 0.5 ? s[hi] - (s[hi] - s[lo]) * (1 - t) : s[lo] + (s[hi] - s[lo]) * t);
  }
  let unique = true;
  for (let g = 0; g < q; g++) if (edges[g] === edges[g + 1]) unique = false;
  return x.map((v) => {
    if (unique) {
      for (let b = 0; b < q; b++) if (v <= edges[b + 1]) return b;
      return q - 1;
    }
    let below = 0;
    let same = 0;
    for (const w of x) {
      if (w < v) below++;
      else if (w === v) same++;
    }
    const r = below + (same - 1) / 2;
    let b = 0;
    for (let g = 1; g < q; g++) if (g * (n - 1) < r * q) b++;
    return b;
  });
}

function mean(xs: number[]): number {
  const f = xs.filter((v) => Number.isFinite(v));
  return f.length ? f.reduce((a, b) => a + b, 0) / f.length : NaN;
}
function std(xs: number[]): number {
  const f = xs.filter((v) => Number.isFinite(v));
  if (f.length < 2) return NaN;
  const m = mean(f);
  return Math.sqrt(f.reduce((a, b) => a + (b - m) ** 2, 0) / (f.length - 1));
}
const fin = (v: number) => (Number.isFinite(v) ? v : NaN);

interface RefDay { k: number; ic: number; ric: number; groups: number[]; market: number; members: number[][] }

function refDays(f: Float32Array, l: Float32Array, D: number, N: number, q: number, minStocks: number, first: number, last: number): RefDay[] {
  const out: RefDay[] = [];
  for (let k = first; k <= last; k++) {
    const js: number[] = [];
    for (let j = 0; j < N; j++) if (!Number.isNaN(f[k * N + j]) && !Number.isNaN(l[k * N + j])) js.push(j);
    if (js.length < minStocks) continue;
    const x = js.map((j) => f[k * N + j]);
    const y = js.map((j) => l[k * N + j]);
    if (Math.min(...x) === Math.max(...x) || Math.min(...y) === Math.max(...y)) continue;
    const g = refQcut(x, q);
    const groups: number[] = [];
    const members: number[][] = [];
    for (let b = 0; b < q; b++) {
      const ys = y.filter((_, i) => g[i] === b);
      groups.push(ys.length ? ys.reduce((a, c) => a + c, 0) / ys.length : NaN);
      members.push(js.filter((_, i) => g[i] === b));
    }
    out.push({ k, ic: pearson(x, y), ric: pearson(avgRanks(x), avgRanks(y)), groups, market: y.reduce((a, c) => a + c, 0) / y.length, members });
  }
  return out;
}

function refSummary(f: Float32Array, l: Float32Array, D: number, N: number, q = 5, minStocks = 10, first = 0, last = D - 1): FactorSummary {
  const days = refDays(f, l, D, N, q, minStocks, first, last);
  const ic = days.map((d) => d.ic);
  const ric = days.map((d) => d.ric);
  const dir: 1 | -1 = mean(ric) < 0 ? -1 : 1;
  const adj = (d: RefDay) => (dir === 1 ? d.groups : [...d.groups].reverse());
  const topMembers = (d: RefDay) => (dir === 1 ? d.members[q - 1] : d.members[0]);
  const ls = days.map((d) => adj(d)[q - 1] - adj(d)[0]);
  const ex = days.map((d) => adj(d)[q - 1] - d.market);
  const turn: number[] = [];
  for (let i = 1; i < days.length; i++) {
    const prev = new Set(topMembers(days[i - 1]));
    const cur = topMembers(days[i]);
    if (prev.size && cur.length) turn.push(cur.filter((j) => !prev.has(j)).length / cur.length);
  }
  const gm: number[] = [];
  for (let b = 0; b < q; b++) gm.push(mean(days.map((d) => adj(d)[b])));
  const mono = gm.some((v) => Number.isNaN(v)) ? NaN : pearson(gm.map((_, i) => i + 1), avgRanks(gm));
  let covered = 0;
  for (let k = first; k <= last; k++) for (let j = 0; j < N; j++) if (!Number.isNaN(f[k * N + j])) covered++;
  return {
    ic: mean(ic),
    rank_ic: mean(ric),
    icir: fin((mean(ic) / std(ic)) * Math.sqrt(242)),
    rank_icir: fin((mean(ric) / std(ric)) * Math.sqrt(242)),
    ic_t: fin(mean(ic) / (std(ic) / Math.sqrt(ic.length))),
    ic_positive_share: days.length ? ic.filter((v) => v > 0).length / days.length : NaN,
    long_excess: mean(ex) * 242,
    long_short: mean(ls) * 242,
    long_short_ir: fin((mean(ls) / std(ls)) * Math.sqrt(242)),
    monotonicity: fin(mono),
    turnover: mean(turn),
    coverage: covered / ((last - first + 1) * N),
    direction: dir,
    days: days.length,
    skipped_days: last - first + 1 - days.length,
  };
}

function refCorrelation(fs: Float32Array[], D: number, N: number, minStocks = 10): number[] {
  const F = fs.length;
  const out: number[] = [];
  for (let a = 0; a < F; a++) {
    for (let b = 0; b < F; b++) {
      if (a === b) {
        out.push(1);
        continue;
      }
      const cs: number[] = [];
      for (let k = 0; k < D; k++) {
        const js: number[] = [];
        for (let j = 0; j < N; j++) if (!Number.isNaN(fs[a][k * N + j]) && !Number.isNaN(fs[b][k * N + j])) js.push(j);
        if (js.length < minStocks) continue;
        const x = js.map((j) => fs[a][k * N + j]);
        const y = js.map((j) => fs[b][k * N + j]);
        if (Math.min(...x) === Math.max(...x) || Math.min(...y) === Math.max(...y)) continue;
        cs.push(pearson(avgRanks(x), avgRanks(y)));
      }
      out.push(mean(cs));
    }
  }
  return out;
}

// ---------- random panels ----------

/** A label and factors with ties, NaNs, sparse days, and constant factor / label days. */
function panel(seed: number, D: number, N: number, F: number): { label: Float32Array; factors: Float32Array[] } {
  const rng: Rng = mulberry32(seed);
  const g = () => rng() + rng() + rng() - 1.5;
  const label = new Float32Array(D * N);
  const base = Array.from({ length: D * N }, g);
  for (let i = 0; i < D * N; i++) {
    const k = Math.floor(i / N);
    label[i] = rng() < 0.08 ? NaN : k === 3 ? 0.01 : rng() < 0.1 ? 0 : Math.fround(0.3 * base[i] + g());
  }
  const factors: Float32Array[] = [];
  for (let f = 0; f < F; f++) {
    const x = new Float32Array(D * N);
    const sign = f % 2 ? -1 : 1;
    const coarse = f % 3 === 1;
    for (let i = 0; i < D * N; i++) {
      const k = Math.floor(i / N);
      const v = sign * base[i] + g();
      let val = coarse ? Math.round(v * 1.5) : v;
      if (k === 5 + f) val = 2; // a constant day
      if (k === 7 && rng() < 0.95) val = NaN; // a day with few stocks
      if (rng() < 0.06 * (f % 2)) val = NaN; // factor-specific holes: masks differ between factors
      if (k === 9 && f % 3 === 2) val = (i % N) % 4 < 3 ? 1 : 2; // heavy ties: duplicate qcut edges
      x[i] = val;
    }
    factors.push(x);
  }
  return { label, factors };
}

function close(actual: number, expected: number, what: string, tol = 1e-9): void {
  if (Number.isNaN(expected)) {
    assert.ok(Number.isNaN(actual), `${what}: expected NaN, got ${actual}`);
    return;
  }
  assert.ok(Math.abs(actual - expected) <= tol * Math.max(1, Math.abs(expected)), `${what}: ${actual} vs ${expected}`);
}

function sameSummary(a: FactorSummary, e: FactorSummary, what: string): void {
  for (const key of Object.keys(e) as (keyof FactorSummary)[]) close(a[key], e[key], `${what} ${key}`);
  assert.deepEqual(Object.keys(a).sort(), Object.keys(e).sort());
}

// ---------- tests ----------

test('qcut groups match pandas on distinct and tied values', () => {
  assert.deepEqual([...qcutGroups([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 5)], [0, 0, 1, 1, 2, 2, 3, 3, 4, 4]);
  assert.deepEqual([...qcutGroups([7, 1, 6, 2, 5, 3, 4], 3)], [2, 0, 2, 0, 1, 0, 1]);
  // Ties with unique edges: pandas gives [0, 0, 0, 0, 1].
  assert.deepEqual([...qcutGroups([1, 2, 2, 2, 3], 2)], [0, 0, 0, 0, 1]);
  // Duplicate edges (pandas raises): the tie block at average position 2.5 goes where qcut puts position 2.5.
  assert.deepEqual([...qcutGroups([1, 1, 1, 1, 1, 1, 2, 3, 4, 5], 5)], [1, 1, 1, 1, 1, 1, 3, 3, 4, 4]);
  const rng = mulberry32(5);
  for (let t = 0; t < 200; t++) {
    const n = 2 + Math.floor(rng() * 40);
    const q = 1 + Math.floor(rng() * 7);
    const x = Array.from({ length: n }, () => Math.fround(rng() < 0.5 ? Math.floor(rng() * 4) : rng()));
    assert.deepEqual([...qcutGroups(x, q)], refQcut(x, q), `n=${n} q=${q} x=${x}`);
  }
});

test('factorMetrics matches the naive reference, daily and summary', () => {
  const D = 40;
  const N = 37;
  const { label, factors } = panel(11, D, N, 6);
  for (let f = 0; f < factors.length; f++) {
    const { summary, daily } = factorMetrics(factors[f], label, D, N);
    const ref = refSummary(factors[f], label, D, N);
    sameSummary(summary, ref, `factor ${f}`);
    const days = refDays(factors[f], label, D, N, 5, 10, 0, D - 1);
    assert.deepEqual([...daily.day], days.map((d) => d.k));
    assert.ok(summary.skipped_days >= 2, 'constant label day, constant factor day, sparse day skipped');
    assert.ok(!daily.day.includes(3) && !daily.day.includes(7) && (f === 4 || !daily.day.includes(5 + f)), `${f}: ${[...daily.day]}`);
    for (let i = 0; i < days.length; i++) {
      close(daily.ic[i], days[i].ic, `ic day ${i}`);
      close(daily.rankIc[i], days[i].ric, `rank ic day ${i}`);
      close(daily.market[i], days[i].market, `market day ${i}`);
      const adj = summary.direction === 1 ? days[i].groups : [...days[i].groups].reverse();
      for (let b = 0; b < 5; b++) close(daily.groups[b][i], adj[b], `group ${b} day ${i}`);
      close(daily.longShort[i], adj[4] - adj[0], `long-short day ${i}`);
    }
  }
});

test('both directions occur and group metrics are direction-adjusted', () => {
  const D = 40;
  const N = 37;
  const { label, factors } = panel(11, D, N, 2);
  const pos = factorMetrics(factors[0], label, D, N).summary;
  const neg = factorMetrics(factors[1], label, D, N).summary;
  assert.equal(pos.direction, 1);
  assert.equal(neg.direction, -1);
  assert.ok(pos.ic > 0 && neg.ic < 0, 'ic keeps its sign');
  assert.ok(pos.long_short > 0 && neg.long_short > 0, 'long-short is adjusted');
  assert.ok(pos.monotonicity > 0 && neg.monotonicity > 0);
});

test('options: groups, minStocks and rows', () => {
  const D = 40;
  const N = 37;
  const { label, factors } = panel(23, D, N, 3);
  for (const [q, minStocks, first, last] of [[3, 4, 0, 39], [10, 12, 5, 30], [2, 2, 7, 7], [5, 10, 20, 19]] as const) {
    for (let f = 0; f < factors.length; f++) {
      const s = factorMetrics(factors[f], label, D, N, { groups: q, minStocks, rows: [first, last] }).summary;
      sameSummary(s, refSummary(factors[f], label, D, N, q, minStocks, first, Math.max(first - 1, last)), `q=${q} min=${minStocks} rows=${first}..${last} f=${f}`);
    }
  }
});

test('no usable day gives NaN summaries, never a throw', () => {
  const D = 4;
  const N = 5;
  const nan = new Float32Array(D * N).fill(NaN);
  const s = factorMetrics(nan, nan, D, N).summary;
  assert.equal(s.days, 0);
  assert.equal(s.skipped_days, 4);
  assert.equal(s.coverage, 0);
  assert.equal(s.direction, 1);
  for (const k of ['ic', 'rank_ic', 'icir', 'ic_t', 'long_short', 'monotonicity', 'turnover', 'ic_positive_share'] as const) assert.ok(Number.isNaN(s[k]), k);
  const c = new Float32Array(D * N).fill(1);
  assert.equal(factorMetrics(c, c, D, N, { minStocks: 2 }).summary.skipped_days, 4);
  assert.equal(factorMetrics(new Float32Array(0), c, 0, 0).summary.days, 0);
  assert.equal(populationMetrics([], c, D, N).length, 0);
  assert.deepEqual(icDecay(c, [], D, N), []);
});

test('populationMetrics equals factorMetrics per factor', () => {
  const D = 40;
  const N = 37;
  const { label, factors } = panel(31, D, N, 7);
  const pop = populationMetrics(factors, label, D, N, { groups: 4 });
  assert.equal(pop.length, 7);
  for (let f = 0; f < 7; f++) assert.deepEqual(pop[f], factorMetrics(factors[f], label, D, N, { groups: 4 }).summary);
});

test('icDecay is the mean rank IC per horizon label', () => {
  const D = 30;
  const N = 25;
  const { label, factors } = panel(41, D, N, 4);
  const labels = [label, factors[2], factors[3]];
  const decay = icDecay(factors[0], labels, D, N, { rows: [2, 28] });
  assert.equal(decay.length, 3);
  for (let h = 0; h < 3; h++) close(decay[h], refSummary(factors[0], labels[h], D, N, 5, 10, 2, 28).rank_ic, `h=${h + 1}`);
});

test('factorCorrelation matches pairwise-complete Spearman averaged over days', () => {
  const D = 30;
  const N = 25;
  const { factors } = panel(53, D, N, 6);
  // Two exact copies share masks with factor 0 (fast path), a reversed one correlates -1.
  const copy = factors[0].slice();
  const rev = factors[0].map((v) => -v);
  const fs = [...factors, copy, rev];
  const c = factorCorrelation(fs, D, N);
  const ref = refCorrelation(fs, D, N);
  assert.equal(c.length, fs.length * fs.length);
  for (let i = 0; i < ref.length; i++) close(c[i], ref[i], `cell ${i}`);
  close(c[6], 1, 'copy');
  close(c[7], -1, 'reversed');
  const sub = factorCorrelation(fs, D, N, { rows: [10, 20], minStocks: 5 });
  for (let a = 0; a < fs.length; a++) assert.equal(sub[a * fs.length + a], 1);
});

test('large N and equal masks agree with the reference', () => {
  const D = 6;
  const N = 120;
  const rng = mulberry32(77);
  const label = Float32Array.from({ length: D * N }, () => rng() - 0.5);
  const fs = [0, 1, 2].map(() => Float32Array.from({ length: D * N }, () => Math.fround(Math.floor(rng() * 50) / 7 - 3)));
  for (const f of fs) sameSummary(factorMetrics(f, label, D, N, { groups: 10 }).summary, refSummary(f, label, D, N, 10), 'n=120');
  const c = factorCorrelation(fs, D, N);
  const ref = refCorrelation(fs, D, N);
  for (let i = 0; i < ref.length; i++) close(c[i], ref[i], `cell ${i}`);
});

test('the registered tfjs kernels give the same metrics from tensors (float32 rows)', async () => {
  const tf = await import('@tensorflow/tfjs-core');
  const { initBackend } = await import('../src/eval/backend.ts');
  const { populationMetricsTensor } = await import('../src/fitness/metrics.ts');
  const { FACTOR_CORR_KERNEL } = await import('../src/fitness/metric_kernels.ts');
  await initBackend();
  const D = 40;
  const N = 37;
  const { label, factors } = panel(61, D, N, 5);
  const stacked = new Float32Array(factors.length * D * N);
  factors.forEach((f, i) => stacked.set(f, i * D * N));
  const before = tf.memory().numTensors;
  const fT = tf.tensor3d(stacked, [factors.length, D, N]);
  const lT = tf.tensor2d(label, [D, N]);
  const opts = { groups: 4, minStocks: 6, rows: [3, 35] as [number, number] };
  const viaTensor = await populationMetricsTensor(fT, lT, opts);
  const viaArrays = populationMetrics(factors, label, D, N, opts);
  for (let f = 0; f < factors.length; f++) {
    for (const key of Object.keys(viaArrays[f]) as (keyof FactorSummary)[]) {
      close(viaTensor[f][key], viaArrays[f][key], `factor ${f} ${key}`, 2e-5);
    }
  }
  const corrT = tf.engine().runKernel(FACTOR_CORR_KERNEL, { factors: fT }, { minStocks: 6, first: 3, last: 35 }) as import('@tensorflow/tfjs-core').Tensor;
  const corr = await corrT.data();
  const ref = factorCorrelation(factors, D, N, { minStocks: 6, rows: [3, 35] });
  for (let i = 0; i < ref.length; i++) close(corr[i], ref[i], `corr cell ${i}`, 1e-6);
  tf.dispose([fT, lT, corrT]);
  assert.equal(tf.memory().numTensors, before, 'no tensor leaked');
  await assert.rejects(populationMetricsTensor(lT, lT), /\[F, D, N\]/);
});

test('factorCorrelation on nested and overlapping masks with ties (shifted and re-ranked paths)', () => {
  const D = 8;
  const N = 90;
  const rng = mulberry32(99);
  // Coarse values: many ties, so dropped stocks often tie with kept ones.
  const coarse = () => Math.fround(Math.floor(rng() * 12) / 3);
  const base = Array.from({ length: 4 }, () => Float32Array.from({ length: D * N }, coarse));
  const fs: Float32Array[] = [];
  for (const f of base) fs.push(f);
  // Same factors with a few extra holes (mask subset: shifted ranks), and with many holes (re-ranked).
  for (const f of base.slice(0, 2)) fs.push(f.map((v) => (rng() < 0.04 ? NaN : v)));
  for (const f of base.slice(2, 4)) fs.push(f.map((v) => (rng() < 0.4 ? NaN : v)));
  // Two factors sharing one hole pattern (a group of two against the others).
  const holes = Uint8Array.from({ length: D * N }, () => (rng() < 0.05 ? 1 : 0));
  for (let c = 0; c < 2; c++) fs.push(Float32Array.from({ length: D * N }, (_, i) => (holes[i] ? NaN : coarse())));
  const c = factorCorrelation(fs, D, N, { minStocks: 5 });
  const ref = refCorrelation(fs, D, N, 5);
  for (let i = 0; i < ref.length; i++) close(c[i], ref[i], `cell ${Math.floor(i / fs.length)},${i % fs.length}`);
});

/** Days first..last of each factor, as their own panel: the naive reference takes no day range. */
function days(fs: Float32Array[], N: number, first: number, last: number): Float32Array[] {
  return fs.map((f) => f.slice(first * N, (last + 1) * N));
}

test('rankCorrelation of ranked factors is the naive pairwise-complete Spearman over their days', () => {
  const D = 30;
  const N = 25;
  const { factors } = panel(71, D, N, 6);
  const fs = [...factors, factors[1].map((v) => -v)];
  for (const [first, last, minStocks] of [[0, D - 1, 10], [4, 22, 5], [9, 9, 3]]) {
    const ranked = fs.map((f) => rankDays(f, D, N, first, last));
    const ref = refCorrelation(days(fs, N, first, last), last - first + 1, N, minStocks);
    const scratch = new RankScratch(N);
    for (let a = 0; a < fs.length; a++) {
      for (let b = 0; b < fs.length; b++) {
        if (a === b) continue;
        close(rankCorrelation(ranked[a], ranked[b], minStocks, scratch), ref[a * fs.length + b], `days ${first}..${last}, pair ${a},${b}`, 1e-12);
      }
    }
  }
  // A day range the factors do not share is refused, as is one outside the panel.
  assert.throws(() => rankCorrelation(rankDays(fs[0], D, N, 0, 9), rankDays(fs[1], D, N, 1, 10), 5), /days 0..9 of 25 stocks against 1..10/);
  assert.throws(() => rankDays(fs[0], D, N, 3, D), /days 3..30 outside 0..29/);
  assert.throws(() => rankDays(fs[0], D, N + 1, 0, 1), /expected 30 x 26/);
});

test('correlatedAbove answers |rankCorrelation| > threshold, also for thresholds at the correlation itself', () => {
  const D = 40;
  const N = 30;
  const { factors } = panel(83, D, N, 6);
  // Near copies: correlations high enough that some pairs are settled early as above the threshold.
  const fs = [...factors, factors[0].map((v, i) => (i % 7 === 0 ? -v : v)), factors[2].map((v) => v * 3 + 1)];
  const ranked = fs.map((f) => rankDays(f, D, N, 2, 37));
  const scratch = new RankScratch(N);
  let above = 0, checked = 0;
  for (let a = 0; a < fs.length; a++) {
    for (let b = 0; b < fs.length; b++) {
      if (a === b) continue;
      const r = Math.abs(rankCorrelation(ranked[a], ranked[b], 10, scratch));
      for (const t of [0, 0.05, 0.2, 0.5, 0.7, 0.9, r, r - 1e-7, r + 1e-7, Math.max(0, r - 0.01)]) {
        const want = r > t;
        assert.equal(correlatedAbove(ranked[a], ranked[b], 10, t, scratch), want, `pair ${a},${b}: |${r}| > ${t}`);
        above += want ? 1 : 0;
        checked++;
      }
    }
  }
  assert.ok(above > checked / 10 && above < checked * 0.9, `${above} of ${checked} above: both answers are exercised`);
});

test('rankCorrelation on nested and overlapping masks, ties and infinities equals factorCorrelation', () => {
  const D = 8;
  const N = 90;
  const rng = mulberry32(101);
  const coarse = () => Math.fround(Math.floor(rng() * 12) / 3);
  const base = Array.from({ length: 4 }, () => Float32Array.from({ length: D * N }, coarse));
  const fs: Float32Array[] = [...base];
  for (const f of base.slice(0, 2)) fs.push(f.map((v) => (rng() < 0.04 ? NaN : v)));
  for (const f of base.slice(2, 4)) fs.push(f.map((v) => (rng() < 0.4 ? NaN : v)));
  // Infinite values are missing for both, a factor with only a few stocks on some days, and one constant on
  // the stocks another has (the correlation skips that day for the pair only).
  fs.push(base[0].map((v) => (rng() < 0.1 ? (rng() < 0.5 ? Infinity : -Infinity) : v)));
  fs.push(base[1].map((v, i) => (Math.floor(i / N) % 3 === 0 && i % N > 6 ? NaN : v)));
  fs.push(base[2].map((v, i) => (i % N < 45 ? 1 : v)));
  fs.push(base[3].map((v, i) => (i % N < 45 ? v : NaN)));
  const ranked = fs.map((f) => rankDays(f, D, N, 1, 6));
  const c = factorCorrelation(fs, D, N, { minStocks: 5, rows: [1, 6] });
  const F = fs.length;
  const clean = fs.map((f) => f.map((v) => (Number.isFinite(v) ? v : NaN)));
  const ref = refCorrelation(days(clean, N, 1, 6), 6, N, 5);
  for (let a = 0; a < F; a++) {
    for (let b = 0; b < F; b++) {
      if (a === b) continue;
      const r = rankCorrelation(ranked[a], ranked[b], 5);
      close(r, c[a * F + b], `pair ${a},${b} against factorCorrelation`, 1e-12);
      close(r, ref[a * F + b], `pair ${a},${b} against the reference`, 1e-12);
    }
  }
  // The pair of the last two is constant on their common stocks every day: no day counts.
  assert.ok(Number.isNaN(rankCorrelation(ranked[F - 2], ranked[F - 1], 5)));
});

test('rankCorrelation past 32,767 stocks (four-byte keys) equals factorCorrelation', () => {
  const D = 2;
  const N = 33_000;
  const rng = mulberry32(5);
  const a = Float32Array.from({ length: D * N }, () => (rng() < 0.05 ? NaN : Math.fround(Math.floor(rng() * 4000))));
  const b = Float32Array.from({ length: D * N }, (_, i) => (rng() < 0.05 ? NaN : Number.isNaN(a[i]) ? rng() : a[i] + Math.fround(rng() * 900)));
  const same = a.map((v) => 2 * v + 1);
  const [ra, rb, rs] = [a, b, same].map((f) => rankDays(f, D, N, 0, 1));
  assert.ok(ra.keys instanceof Uint32Array);
  assert.ok(rankDays(a.subarray(0, 2 * 32_767), D, 32_767, 0, 1).keys instanceof Uint16Array);
  const c = factorCorrelation([a, b, same], D, N);
  close(rankCorrelation(ra, rb, 10), c[1], 'different masks', 1e-12);
  close(rankCorrelation(ra, rs, 10), 1, 'same mask, same order', 1e-12);
  assert.ok(c[1] > 0.5 && c[1] < 0.999, `a correlation in between: ${c[1]}`);
});

test('af_take_rows copies day-end rows on cpu and on wasm (NaN rows outside the panel), and takeRowsTensor uses it', async () => {
  const tf = await import('@tensorflow/tfjs-core');
  const { initBackend } = await import('../src/eval/backend.ts');
  const { checkTakeRows } = await import('./gpu/check_metrics.ts');
  const { takeRowsTensor } = await import('../src/fitness/metric_kernels.ts');
  await initBackend('cpu');
  const before = tf.memory().numTensors;
  for (const backend of ['cpu', 'wasm'] as const) {
    await initBackend(backend);
    assert.equal(tf.getBackend(), backend);
    const report = await checkTakeRows(5);
    assert.deepEqual(report.failures, [], backend);
    assert.equal(report.runs, 9);
    const x = tf.tensor2d([1, 2, 3, 4, NaN, 6], [3, 2]);
    const rows = tf.tensor1d([2, 0, 3], 'int32');
    const got = takeRowsTensor(x, rows);
    assert.deepEqual(Array.from(await got.data()), [NaN, 6, 1, 2, NaN, NaN], backend);
    tf.dispose([x, rows, got]);
  }
  await initBackend('cpu');
  assert.equal(tf.memory().numTensors, before, 'no tensor leaked');
});
