/**
 * Window machinery of the composite kernels, from slices and selects only. A window over bars t-n+1..t is
 * built from row-shifted copies of the panel (`shiftDown`), never from cumsum differences: a difference of
 * two running sums keeps the rounding of every value since bar 0 (a huge value long gone from the window
 * would swamp a small window sum in float32), whereas a sum of shifted copies only ever touches the window's
 * own values. Associative folds (sums, weighted sums with a structure, maxima and their positions) use binary
 * lifting (`liftWindow`): windows of 1, 2, 4, .. bars are each combined from two halves, and a window of n
 * bars from the powers of two in n, so they cost O(log n) tensor ops, and a sum is then a pairwise sum,
 * which also rounds less than a running one. Folds without that structure (a moment about each window's own
 * mean, a rank within the window) loop over the n bars with `sumOver`, which frees each partial sum as it
 * goes, since inside the caller's `tf.tidy` n intermediates of the panel's size would otherwise all stay
 * alive until the end.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor2D } from '@tensorflow/tfjs-core';
import { allPresent, fillMissing, select } from './finite.ts';

/** Row t of the result is row t-k of `x`; the first k rows (all rows when k >= T) are `fill`. */
export function shiftDown(x: Tensor2D, k: number, fill: number): Tensor2D {
  if (k === 0) return x;
  const [T, N] = x.shape;
  if (k >= T) return tf.fill([T, N], fill) as Tensor2D;
  return tf.concat([tf.fill([k, N], fill) as Tensor2D, tf.slice(x, [0, 0], [T - k, N])], 0);
}

/**
 * A fold state: tensors that each describe, at row t, a run of bars ending at t (e.g. a sum and a weighted
 * sum, or a maximum and its position).
 */
export type Fold = Tensor2D[];

/**
 * Combines the fold of the `recentLen` bars ending at t with the fold of the `olderLen` bars just before
 * them into the fold of all `recentLen + olderLen` bars ending at t.
 */
export type Combine = (recent: Fold, older: Fold, recentLen: number, olderLen: number) => Fold;

/**
 * The fold over the n bars ending at each row, by binary lifting from `base` (the fold of one bar). Rows
 * whose window reaches before bar 0 read `fills` (one per state tensor) for the missing bars, so a
 * caller gives a neutral value (0 for sums, -Infinity for maxima) and masks those rows itself.
 */
export function liftWindow(base: Fold, n: number, fills: readonly number[], combine: Combine): Fold {
  const shift = (s: Fold, k: number): Fold => s.map((t, i) => shiftDown(t, k, fills[i]));
  const powers: Fold[] = [base];
  for (let len = 1; 2 * len <= n; len *= 2) {
    const p = powers[powers.length - 1];
    powers.push(combine(p, shift(p, len), len, len));
  }
  let acc: Fold | null = null;
  let covered = 0;
  for (let j = powers.length - 1; j >= 0; j--) {
    const len = 2 ** j;
    if (Math.floor(n / len) % 2 === 0) continue;
    if (acc === null) acc = powers[j];
    else acc = combine(acc, shift(powers[j], covered), covered, len);
    covered += len;
  }
  return acc!;
}

/** Sum over the n bars ending at each row of `x`, which must have no missing cells; bars before 0 read `fill`. */
export function windowSum(x: Tensor2D, n: number, fill = 0): Tensor2D {
  return liftWindow([x], n, [fill], (a, b) => [tf.add(a[0], b[0])])[0];
}

/**
 * True where every operand is present at each of the n bars ending at the row (so false for the first n-1
 * rows). The missing bars are counted with `windowSum` of 0/1 flags, which is exact in float32.
 */
export function windowValid(xs: readonly Tensor2D[], n: number): Tensor2D {
  const missing = tf.cast(tf.logicalNot(allPresent(xs)), 'float32') as Tensor2D;
  return tf.equal(windowSum(missing, n, 1), 0);
}

/**
 * The window maximum (`dir` = 1) or minimum (`dir` = -1) of the present values, and with `withPos` the bars
 * since it (0 = the current bar), ties going to the most recent bar: the older half wins only when strictly
 * better, and the recent half of a window already holds the most recent position of its own extreme. Missing
 * bars enter as -Infinity (+Infinity for the minimum), so callers must mask windows that are not valid.
 */
export function windowExtreme(x: Tensor2D, n: number, dir: 1 | -1, withPos: boolean): { value: Tensor2D; pos: Tensor2D | null } {
  const worst = dir > 0 ? -Infinity : Infinity;
  const v0 = fillMissing(x, worst);
  const better = (a: Tensor2D, b: Tensor2D) => (dir > 0 ? tf.greater(a, b) : tf.less(a, b)) as Tensor2D;
  if (!withPos) {
    const [value] = liftWindow([v0], n, [worst], (r, o) => [select(better(o[0], r[0]), o[0], r[0])]);
    return { value, pos: null };
  }
  const [value, pos] = liftWindow([v0, tf.zerosLike(v0)], n, [worst, 0], (r, o, recentLen) => {
    const take = better(o[0], r[0]);
    return [select(take, o[0], r[0]), select(take, tf.add<Tensor2D>(o[1], recentLen), r[1])];
  });
  return { value, pos };
}

/**
 * Sums of `terms(k)` (several panels per k, summed elementwise each) for k = from..n-1 (from < n), freeing
 * each partial sum and each term's intermediates as it goes (tensors the terms close over are the caller's
 * and are kept).
 */
export function sumsOver(from: number, n: number, terms: (k: number) => Tensor2D[]): Tensor2D[] {
  let acc = tf.tidy(() => terms(from));
  for (let k = from + 1; k < n; k++) {
    const prev = acc;
    acc = tf.tidy(() => {
      const t = terms(k);
      return prev.map((p, i) => tf.add(p, t[i]));
    });
    tf.dispose(prev);
  }
  return acc;
}

/** `sumsOver` for a single panel per k. */
export function sumOver(from: number, n: number, term: (k: number) => Tensor2D): Tensor2D {
  return sumsOver(from, n, (k) => [term(k)])[0];
}

/**
 * The loops over the window's bars work on the "tail": rows n-1..T-1, the only rows whose window can be
 * complete. Row i of `lagged(x, n, k)` is bar n-1+i-k, a plain slice with no fill to concatenate, which
 * is most of the saving (a shifted full panel costs a fill, a slice and a concat per bar of the window).
 * Requires n <= T.
 */
export function lagged(x: Tensor2D, n: number, k: number): Tensor2D {
  const [T, N] = x.shape;
  return tf.slice(x, [n - 1 - k, 0], [T - n + 1, N]);
}

/** A tail result back to the full panel: the first n-1 rows, which have no complete window, are NaN. */
export function untail(v: Tensor2D, n: number): Tensor2D {
  if (n === 1) return v;
  return tf.concat([tf.fill([n - 1, v.shape[1]], NaN) as Tensor2D, v], 0);
}

/** Whether the panel has no row long enough for one window, or no cells at all: the result is all NaN. */
export function noWindow(x: Tensor2D, n: number): boolean {
  const [T, N] = x.shape;
  return n > T || T === 0 || N === 0;
}
