/**
 * Composite kernel for the cross-sectional z-score, (x - mean) / sample std over the stocks present at each
 * bar, NaN where fewer than two are present or they are all equal (decided exactly from the bar's min and
 * max, as on the host, since a rounded variance of equal values need not be exactly 0). Two passes about the
 * bar's minimum (differences of nearby float32 values are exact, so a cross-section far from zero keeps its
 * digits), with the deviations divided by the bar's range before squaring so that float32 neither
 * overflows nor underflows; the z-score is scale-free, so the range cancels.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { CompositeKernel } from '../../src/ops/types.ts';
import { clean, nanLike, operands, present, select, stored } from './finite.ts';

export const zscore: CompositeKernel = (xs) => {
  const [x] = operands('zscore', xs, 1);
  const [T, N] = x.shape;
  if (T === 0 || N === 0) return nanLike(x);
  const v = clean(x);
  const p = present(v);
  const m = tf.sum(tf.cast(p, 'float32'), 1, true);
  const lo = tf.min(select(p, v, Infinity), 1, true);
  const hi = tf.max(select(p, v, -Infinity), 1, true);
  const ok = tf.logicalAnd(tf.greaterEqual(m, 2), tf.less(lo, hi));
  const span = tf.sub(hi, lo);
  const inv = tf.reciprocal(select(tf.logicalAnd(ok, tf.isFinite(span)), span, 1));
  const base = select(ok, lo, 0);
  const d = select(p, tf.sub(v, base), 0);
  const mean = tf.div(tf.sum(d, 1, true), tf.maximum(m, 1));
  const e = tf.mul(tf.sub(d, mean), inv);
  const ss = tf.sum(select(p, tf.square(e), 0), 1, true);
  const sd = tf.sqrt(tf.div(ss, tf.maximum(tf.sub(m, 1), 1)));
  return stored(tf.div(e, sd), tf.logicalAnd(p, ok));
};
