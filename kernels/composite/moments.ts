/**
 * Centred window deviations behind the composite stddev, ts_Skew, covariance, correlation and the
 * regressions. Raw power sums would cancel away a small window variance of price- or volume-sized values in
 * float32, so the moments are taken about the window mean (two passes), in the form u_k = n d_k - S, with
 * d_k = x[t-k] - x[t] the difference from the current value and S the window's sum of those differences
 * (u_k is n times the deviation from the mean). Differences of nearby float32 values are exact, and this
 * form never divides by n, so on exactly representable data (small integers, binary ticks) every u_k, and
 * the sums of their powers, are exact: two windows holding the same values in any order or at any offset
 * then give bit-identical statistics, as they do on the host (whose shifted float64 sums are exact on such
 * data). That matters downstream, where ts_Rank, rank and ts_ArgMax of a statistic turn a rounding
 * difference between tied windows into a different rank.
 *
 * The u_k are multiplied by a power of two near 1 / range (range = window max - min), an exact scaling that
 * keeps their powers near 1: squares and cubes of raw deviations would overflow float32 above about 1e13
 * (cubes) or underflow below about 1e-13. Every statistic is scale-free or divides the scale back out
 * exactly. A constant window (range 0, decided exactly from the window's max and min, where a rounded
 * variance would only come close to 0) is left to the caller. Everything here is on the tail rows n-1..T-1
 * (see `lagged` in window.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor2D } from '@tensorflow/tfjs-core';
import { fillMissing, select } from './finite.ts';
import { lagged, sumOver, sumsOver, windowExtreme, windowValid } from './window.ts';

export interface Centred {
  /** Sum over the window of d_k = x[t-k] - x[t]; the window mean is x[t] + S / n. */
  readonly sum: Tensor2D;
  /** The power of two the deviations are scaled by (1 where the window is constant or not valid). */
  readonly scale: Tensor2D;
  /** True where the window's present values are all equal. */
  readonly constant: Tensor2D;
  /** (n d_k - S) * scale, n times the scaled deviation of bar t-k from the window mean, k = 0..n-1. */
  dev(k: number): Tensor2D;
}

/** The centred, scaled deviations of `x` over windows of 2 <= n <= T bars, on the tail rows. */
export function centre(x: Tensor2D, n: number): Centred {
  const xz = fillMissing(x, 0);
  const now = lagged(xz, n, 0);
  const hi = lagged(windowExtreme(x, n, 1, false).value, n, 0);
  const lo = lagged(windowExtreme(x, n, -1, false).value, n, 0);
  const span = tf.sub(hi, lo);
  const range = select(tf.logicalAnd(tf.greater(span, 0), tf.isFinite(span)), span, 1);
  // 2^-floor(log2(range)): the logarithm may be off by one near a power of two, which only moves the scale
  // by a factor of 2; what matters is that it is exactly a power of two.
  const scale = tf.pow(tf.fill(range.shape, 2), tf.neg(tf.floor(tf.div(tf.log(range), Math.LN2)))) as Tensor2D;
  const sum = sumOver(1, n, (k) => tf.sub(lagged(xz, n, k), now));
  const dev = (k: number): Tensor2D => {
    const d = k === 0 ? tf.zerosLike(now) : tf.sub(lagged(xz, n, k), now);
    return tf.mul(tf.sub(tf.mul(d, n), sum), scale);
  };
  return { sum, scale, constant: tf.equal(hi, lo), dev };
}

export interface CoMoments {
  readonly x: Centred;
  readonly y: Centred;
  /** Sums over the window of products of the scaled deviations `dev` (n^2 times the centred sums, scaled). */
  readonly sxx: Tensor2D;
  readonly syy: Tensor2D;
  readonly sxy: Tensor2D;
  /** True where both series are present at every bar of the window (tail rows). */
  readonly valid: Tensor2D;
}

/** Scaled co-moments of x and y over windows of 2 <= n <= T bars, in one loop over the bars; tail rows. */
export function coMoments(x: Tensor2D, y: Tensor2D, n: number): CoMoments {
  const cx = centre(x, n);
  const cy = centre(y, n);
  const [sxx, syy, sxy] = sumsOver(0, n, (k) => {
    const ex = cx.dev(k);
    const ey = cy.dev(k);
    return [tf.square(ex), tf.square(ey), tf.mul(ex, ey)];
  });
  return { x: cx, y: cy, sxx, syy, sxy, valid: lagged(windowValid([x, y], n), n, 0) };
}
