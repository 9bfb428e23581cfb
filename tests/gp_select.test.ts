/**
 * GP parent selection: tournaments find the best and never pick a failed (NaN) factor over a real one,
 * roulette draws match the documented weights, and elites come out best first with ties in index order.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mulberry32 } from '../src/util/rng.ts';
import { ROULETTE_EPSILON, elite, makeRoulette, roulette, rouletteWeights, tournament } from '../src/gp/select.ts';

test('a tournament as large as the population returns the argmax', () => {
  const rng = mulberry32(1);
  for (let trial = 0; trial < 200; trial++) {
    const n = 1 + Math.floor(rng() * 50);
    const fit = Array.from({ length: n }, () => (rng() < 0.2 ? Number.NaN : rng() * 10 - 5));
    let best = -1;
    fit.forEach((f, i) => {
      if (!Number.isNaN(f) && (best < 0 || f > fit[best])) best = i;
    });
    if (best < 0) best = 0;
    assert.equal(tournament(rng, fit, n), best);
    assert.equal(tournament(rng, fit, n + 10), best, 'size is clamped to the population');
  }
});

test('tournament ties go to the lower index; NaN and -Infinity lose to any finite value', () => {
  const rng = mulberry32(2);
  assert.equal(tournament(rng, [1, 3, 3, 2], 4), 1);
  assert.equal(tournament(rng, [Number.NaN, -Infinity, -1e300, Number.NaN], 4), 2);
  assert.equal(tournament(rng, [Number.NaN, Number.NaN], 2), 0);
  const fit = new Float64Array([Number.NaN, 0.1, Number.NaN, -Infinity, -0.5]);
  const counts = [0, 0, 0, 0, 0];
  for (let i = 0; i < 20000; i++) counts[tournament(rng, fit, 4)]++;
  // With 4 of 5 drawn, at least one of the finite ones (1, 4) is always among them.
  assert.equal(counts[0] + counts[2] + counts[3], 0);
  assert.throws(() => tournament(rng, fit, 0), RangeError);
  assert.throws(() => tournament(rng, [], 2), RangeError);
});

test('tournament of size 1 is uniform; larger tournaments favour the fit', () => {
  const rng = mulberry32(3);
  const fit = [0, 1, 2, 3, 4];
  const c1 = [0, 0, 0, 0, 0];
  const c3 = [0, 0, 0, 0, 0];
  const n = 20000;
  for (let i = 0; i < n; i++) {
    c1[tournament(rng, fit, 1)]++;
    c3[tournament(rng, fit, 3)]++;
  }
  for (const c of c1) assert.ok(Math.abs(c / n - 0.2) < 0.015, c1.join(','));
  // Without replacement, the best of 3 from 5 is index 4 with chance 3/5, index 0 never.
  assert.ok(Math.abs(c3[4] / n - 0.6) < 0.015, c3.join(','));
  assert.equal(c3[0] + c3[1], 0);
});

test('roulette weights: worst finite value gets epsilon of the range, NaN gets 0', () => {
  const w = rouletteWeights([1, 2, Number.NaN, 4, -Infinity]);
  const eps = ROULETTE_EPSILON * 3;
  assert.deepEqual([...w], [eps, 1 + eps, 0, 3 + eps, 0]);
  assert.deepEqual([...rouletteWeights([5, 5, Number.NaN])], [1, 1, 0]);
  assert.deepEqual([...rouletteWeights([0, 0])], [1, 1]);
  assert.deepEqual([...rouletteWeights([Number.NaN, Number.NaN])], [1, 1]);
  assert.deepEqual([...rouletteWeights([1, Infinity, 3])], [0, 1, 0]);
  // Shifting the fitness does not change the weights.
  assert.deepEqual([...rouletteWeights([-101, -100, -98])], [...rouletteWeights([1, 2, 4])]);
});

test('roulette frequencies over 20k draws match the weights', () => {
  const fit = [-2, 0, 1, Number.NaN, 5, 3];
  const w = rouletteWeights(fit);
  const total = w.reduce((s, x) => s + x, 0);
  const rng = mulberry32(4);
  const draw = makeRoulette(fit);
  const n = 20000;
  const counts = new Array<number>(fit.length).fill(0);
  for (let i = 0; i < n; i++) counts[draw(rng)]++;
  for (let i = 0; i < fit.length; i++) {
    const p = w[i] / total;
    const tol = 4 * Math.sqrt((p * (1 - p)) / n) + 1e-9;
    assert.ok(Math.abs(counts[i] / n - p) <= tol, `index ${i}: ${counts[i] / n} vs ${p}`);
  }
  assert.equal(counts[3], 0, 'NaN is never drawn');
  const uni = new Array<number>(4).fill(0);
  for (let i = 0; i < n; i++) uni[roulette(rng, [7, 7, 7, 7])]++;
  for (const c of uni) assert.ok(Math.abs(c / n - 0.25) < 0.015, uni.join(','));
});

test('roulette never lands on zero-weight entries at the edges', () => {
  const rng = mulberry32(5);
  const draw = makeRoulette([Number.NaN, 1, Number.NaN, 2, Number.NaN]);
  for (let i = 0; i < 5000; i++) assert.ok([1, 3].includes(draw(rng)));
  let hiRng = () => 0.9999999999;
  assert.equal(makeRoulette([1, 2, Number.NaN])(hiRng), 1);
  hiRng = () => 0;
  assert.equal(makeRoulette([Number.NaN, 1, 2])(hiRng), 1);
});

test('elite: k best, best first, ties by index, NaN last', () => {
  const fit = [3, Number.NaN, 5, 3, -Infinity, 5, 1];
  assert.deepEqual(elite(fit, 3), [2, 5, 0]);
  assert.deepEqual(elite(fit, 7), [2, 5, 0, 3, 6, 1, 4]);
  assert.deepEqual(elite(fit, 100).length, 7);
  assert.deepEqual(elite(fit, 0), []);
  assert.deepEqual(elite(new Float32Array([0.5, 0.25, 1]), 2), [2, 0]);
  assert.throws(() => elite(fit, -1), RangeError);
});
