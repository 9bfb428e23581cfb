/**
 * Parent selection over a population's fitness values, greater is better. A factor that failed to evaluate has
 * NaN fitness and must lose to every real one, so NaN (and -Infinity) always rank worst; ties go to the lower
 * index so that results depend only on the seed, never on sort stability or iteration order.
 */
import type { Rng } from '../util/rng.ts';

/** Fitness with NaN mapped to -Infinity, the one ordering every selector uses. */
function key(f: number): number {
  return Number.isNaN(f) ? -Infinity : f;
}

/** Whether index i beats index j. */
function beats(fitness: ArrayLike<number>, i: number, j: number): boolean {
  const a = key(fitness[i]);
  const b = key(fitness[j]);
  return a > b || (a === b && i < j);
}

function checkPopulation(fitness: ArrayLike<number>): void {
  if (fitness.length === 0) throw new RangeError('selection needs a non-empty population');
}

/**
 * Tournament: `size` distinct contestants drawn uniformly (clamped to the population), the best wins. Drawn
 * without replacement (Floyd's algorithm, O(size)), so a tournament as large as the population always returns
 * the best individual.
 */
export function tournament(rng: Rng, fitness: ArrayLike<number>, size: number): number {
  checkPopulation(fitness);
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`tournament size must be a positive integer, got ${size}`);
  const n = fitness.length;
  const k = Math.min(size, n);
  const drawn = new Set<number>();
  let best = -1;
  for (let j = n - k; j < n; j++) {
    const t = Math.floor(rng() * (j + 1));
    const c = drawn.has(t) ? j : t;
    drawn.add(c);
    if (best < 0 || beats(fitness, c, best)) best = c;
  }
  return best;
}

/** Floor of every finite weight, as a fraction of the finite fitness range. */
export const ROULETTE_EPSILON = 0.01;

/**
 * Roulette weights: finite fitness shifted so the worst finite value weighs `ROULETTE_EPSILON` times the
 * finite range (it keeps a small chance, and the weights do not depend on the fitness scale or sign); NaN and
 * -Infinity weigh 0. If any value is +Infinity, those share all the weight. If all usable values are equal,
 * they weigh the same; if none is usable, every individual does.
 */
export function rouletteWeights(fitness: ArrayLike<number>): Float64Array {
  const n = fitness.length;
  const w = new Float64Array(n);
  let lo = Infinity;
  let hi = -Infinity;
  let infinite = false;
  for (let i = 0; i < n; i++) {
    const f = fitness[i];
    if (f === Infinity) infinite = true;
    else if (Number.isFinite(f)) {
      if (f < lo) lo = f;
      if (f > hi) hi = f;
    }
  }
  if (infinite) {
    for (let i = 0; i < n; i++) w[i] = fitness[i] === Infinity ? 1 : 0;
    return w;
  }
  if (lo > hi) {
    w.fill(1);
    return w;
  }
  const range = hi - lo;
  const eps = range > 0 ? ROULETTE_EPSILON * range : 1;
  for (let i = 0; i < n; i++) {
    const f = fitness[i];
    w[i] = Number.isFinite(f) ? f - lo + eps : 0;
  }
  return w;
}

/**
 * A fitness-proportional sampler over `rouletteWeights(fitness)`: the weights are built once, each draw is a
 * binary search, so drawing a whole generation of parents costs O(n log n).
 */
export function makeRoulette(fitness: ArrayLike<number>): (rng: Rng) => number {
  checkPopulation(fitness);
  const w = rouletteWeights(fitness);
  const cum = new Float64Array(w.length);
  let total = 0;
  for (let i = 0; i < w.length; i++) {
    total += w[i];
    cum[i] = total;
  }
  return (rng: Rng): number => {
    const u = rng() * total;
    let lo = 0;
    let hi = cum.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cum[mid] > u) hi = mid;
      else lo = mid + 1;
    }
    // The first cum > u always has positive weight; this only guards u rounding up to total.
    while (w[lo] === 0 && lo > 0) lo--;
    return lo;
  };
}

/** One fitness-proportional draw; use `makeRoulette` for many draws over the same population. */
export function roulette(rng: Rng, fitness: ArrayLike<number>): number {
  return makeRoulette(fitness)(rng);
}

/** Indices of the `k` best (clamped to the population), best first; ties in index order, NaN last. */
export function elite(fitness: ArrayLike<number>, k: number): number[] {
  if (!Number.isInteger(k) || k < 0) throw new RangeError(`elite count must be a non-negative integer, got ${k}`);
  const idx = Array.from({ length: fitness.length }, (_, i) => i);
  idx.sort((i, j) => (beats(fitness, i, j) ? -1 : beats(fitness, j, i) ? 1 : 0));
  return idx.slice(0, Math.min(k, idx.length));
}
