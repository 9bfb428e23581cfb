/**
 * The storage rule and the missing-value rule of the host kernels, restated with standard tfjs ops for the
 * composite kernels. Panels use NaN as the only "missing" marker, but an operand may still carry ±Infinity
 * (from a backend that does not apply the rule), so inputs are read with `isFinite` rather than `isNaN`, and
 * every result goes through `stored`, which maps anything not finite (a float32 overflow included) to NaN so
 * that an infinity never reaches a later operator's sums. Selection is always by `select` (tf.where), never
 * by multiplying with a 0/1 mask, because 0 * NaN and 0 * Infinity are NaN.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor, Tensor2D } from '@tensorflow/tfjs-core';

/**
 * tf.where with numbers allowed for either branch. tf.where broadcasts a scalar branch with broadcastTo,
 * which on wasm is a Tile about ten times slower than the select itself (measured), so a number is filled
 * to the condition's shape instead.
 */
export function select(cond: Tensor, a: Tensor | number, b: Tensor | number): Tensor2D {
  const full = (v: Tensor | number): Tensor => (typeof v === 'number' ? tf.fill(cond.shape, v) : v);
  return tf.where(cond, full(a), full(b)) as Tensor2D;
}

/** True where the cell holds a value (NaN and ±Infinity are missing). */
export function present(x: Tensor2D): Tensor2D {
  return tf.isFinite(x);
}

/** True where every operand holds a value. */
export function allPresent(xs: readonly Tensor2D[]): Tensor2D {
  let p = present(xs[0]);
  for (let k = 1; k < xs.length; k++) p = tf.logicalAnd(p, present(xs[k]));
  return p;
}

/** `x` with missing cells (±Infinity included) as NaN. */
export function clean(x: Tensor2D): Tensor2D {
  return select(present(x), x, NaN);
}

/** `x` with missing cells replaced by `fill` (a neutral value for sums or extremes). */
export function fillMissing(x: Tensor2D, fill: number): Tensor2D {
  return select(present(x), x, fill);
}

/** The storage rule: `v` where it is finite (and `keep`, when given, is true), else NaN. */
export function stored(v: Tensor, keep?: Tensor): Tensor2D {
  const ok = keep ? tf.logicalAnd(keep, tf.isFinite(v)) : tf.isFinite(v);
  return select(ok, v, NaN);
}

/** A float32 panel of NaN with the shape of `x`. */
export function nanLike(x: Tensor2D): Tensor2D {
  return tf.fill(x.shape, NaN) as Tensor2D;
}

/** Checks the operand count, which the evaluator guarantees; a mismatch is a caller bug, not data. */
export function operands(name: string, xs: readonly Tensor2D[], arity: number): readonly Tensor2D[] {
  if (xs.length < arity) throw new RangeError(`${name}: expected ${arity} operand panels, got ${xs.length}`);
  for (let k = 1; k < arity; k++) {
    const a = xs[0].shape, b = xs[k].shape;
    if (a[0] !== b[0] || a[1] !== b[1]) throw new RangeError(`${name}: operand ${k} is [${b}], expected [${a}]`);
  }
  return xs;
}

/** The window as an integer of at least `min` (the host kernels' rule); anything else is a caller bug. */
export function windowArg(name: string, n: number, min: number): number {
  if (!Number.isInteger(n) || n < min) throw new RangeError(`${name}: window must be an integer >= ${min}, got ${n}`);
  return n;
}
