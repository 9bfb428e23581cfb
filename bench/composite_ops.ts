/**
 * Composite implementations of representative alphaflow operators, built only from standard tfjs ops (slice, pad,
 * sub, add, mul, div, where, isNaN, topk, searchSorted, ...), so they run on any tfjs backend without custom
 * kernels. Panels are float32 [T, N] tensors, time-major (row = bar, column = stock), with NaN meaning missing.
 * NaN rule: a window op at bar t needs every x[t-n+1..t] present, else NaN; the first n-1 bars are NaN.
 * Window ops work on deviations from the oldest value of the window (x[t-k] - x[t-n+1]), so a constant window
 * gives exactly its value (ts_Mean), exactly 0 (stddev) and NaN (correlation), the same as the typed-array
 * kernels; arithmetic is float32 (tfjs), so results agree with float64 kernels to float32 rounding only.
 * `bench/backend_compare.ts` times them; they are meant to become the fallback for backends without kernels.
 * Infinite inputs are not handled specially (inf - inf in a window gives NaN).
 */
import * as tf from '@tensorflow/tfjs-core';

type Panel = tf.Tensor2D;

function checkWindow(op: string, n: number, min = 1): void {
  if (!Number.isInteger(n) || n < min) throw new Error(`${op}: window must be an integer >= ${min}, got ${n}`);
}

function nanPanel(shape: [number, number]): Panel {
  return tf.fill(shape, NaN, 'float32') as Panel;
}

/**
 * The lagged views of a window: `lag(k)` is x shifted down k bars (row t holds x[t-k], rows t < k are NaN), for
 * k = 0..n-1. One NaN pad of n-1 rows on top, then each lag is a contiguous row slice of the padded panel.
 * Call inside `tf.tidy`.
 */
function lags(x: Panel, n: number): (k: number) => Panel {
  const [T, N] = x.shape;
  if (n === 1) return () => x;
  const padded = tf.pad(x, [[n - 1, 0], [0, 0]], NaN);
  return (k) => (k === 0 ? x : tf.slice(padded, [n - 1 - k, 0], [T, N]));
}

/** Deviations d_k = x[t-k] - x[t-n+1] for k = 0..n-2 (d_{n-1} is 0 and omitted), plus the anchor x[t-n+1]. */
function anchored(x: Panel, n: number): { base: Panel; d: Panel[] } {
  const lag = lags(x, n);
  const base = lag(n - 1);
  const d: Panel[] = [];
  for (let k = 0; k < n - 1; k++) d.push(tf.sub(lag(k), base));
  return { base, d };
}

/** Sum of a list of same-shape tensors (one addN). */
function sumAll(ts: Panel[], shape: [number, number]): Panel {
  if (ts.length === 0) return tf.zeros(shape, 'float32') as Panel;
  if (ts.length === 1) return ts[0];
  return tf.addN(ts) as Panel;
}

/** ts_Mean(n, x): mean over the last n bars; exact for constant windows. */
export function tsMean(n: number, x: Panel): Panel {
  checkWindow('ts_Mean', n);
  if (n === 1) return x.clone();
  return tf.tidy(() => {
    const { base, d } = anchored(x, n);
    return tf.add(base, tf.div(sumAll(d, x.shape), n)) as Panel;
  });
}

/** stddev(n, x): sample standard deviation (n - 1) over the last n bars, two-pass; exactly 0 for constant windows. */
export function stddev(n: number, x: Panel): Panel {
  checkWindow('stddev', n, 2);
  return tf.tidy(() => {
    const { d } = anchored(x, n);
    const m = tf.div(sumAll(d, x.shape), n);
    // The omitted d_{n-1} = 0 contributes (0 - m)^2 = m^2.
    const sq = d.map((dk) => tf.square(tf.sub(dk, m)) as Panel);
    sq.push(tf.square(m) as Panel);
    return tf.sqrt(tf.div(sumAll(sq, x.shape), n - 1)) as Panel;
  });
}

/** correlation(n, x, y): Pearson correlation over the last n bars; NaN when x or y is constant over the window. */
export function correlation(n: number, x: Panel, y: Panel): Panel {
  checkWindow('correlation', n, 2);
  return tf.tidy(() => {
    const ax = anchored(x, n), ay = anchored(y, n);
    const mx = tf.div(sumAll(ax.d, x.shape), n), my = tf.div(sumAll(ay.d, y.shape), n);
    const ex = ax.d.map((dk) => tf.sub(dk, mx) as Panel), ey = ay.d.map((dk) => tf.sub(dk, my) as Panel);
    // The omitted d_{n-1} = 0 terms: deviations -mx and -my.
    ex.push(tf.neg(mx) as Panel);
    ey.push(tf.neg(my) as Panel);
    const sxx = sumAll(ex.map((e) => tf.square(e) as Panel), x.shape);
    const syy = sumAll(ey.map((e) => tf.square(e) as Panel), x.shape);
    const sxy = sumAll(ex.map((e, i) => tf.mul(e, ey[i]) as Panel), x.shape);
    // sqrt each factor separately: sxx * syy overflows float32 for amount-sized values.
    const r = tf.div(sxy, tf.mul(tf.sqrt(sxx), tf.sqrt(syy)));
    // Float32 rounding can push |r| a hair past 1; comparisons are false for NaN, so NaN passes through.
    const clipped = tf.where(tf.greater(r, 1), tf.fill(x.shape, 1, 'float32'),
      tf.where(tf.less(r, -1), tf.fill(x.shape, -1, 'float32'), r));
    const constant = tf.logicalOr(tf.equal(sxx, 0), tf.equal(syy, 0));
    return tf.where(constant, nanPanel(x.shape), clipped) as Panel;
  });
}

/** delta(n, x): x[t] - x[t-n]; the first n bars are NaN. */
export function delta(n: number, x: Panel): Panel {
  checkWindow('delta', n);
  const [T, N] = x.shape;
  if (n >= T) return nanPanel([T, N]);
  return tf.tidy(() => tf.sub(x, tf.pad(tf.slice(x, [0, 0], [T - n, N]), [[n, 0], [0, 0]], NaN)) as Panel);
}

/**
 * The smallest float32 greater than 0.001: for float32 |y|, `|y| > 0.001` (in float64, as the kernels compare)
 * holds exactly when `|y| >= DIV_EPS`. Comparing against the float32 scalar 0.001 with `>` would differ at
 * y = fround(0.001), which is slightly above 0.001.
 */
const DIV_EPS = Math.fround(0.001);

/** Protected div(x, y): x / y if |y| > 0.001, else 1; NaN if x or y is NaN. */
export function div(x: Panel, y: Panel): Panel {
  return tf.tidy(() => {
    const q = tf.where(tf.greaterEqual(tf.abs(y), DIV_EPS), tf.div(x, y), tf.onesLike(x));
    return tf.where(tf.logicalOr(tf.isNaN(x), tf.isNaN(y)), nanPanel(x.shape), q) as Panel;
  });
}

/**
 * rank(x): percentile rank across stocks at each bar among the non-NaN values: average 1-based rank of ties
 * divided by the number of stocks with a value, in (0, 1]; NaN where x is NaN. Sorts each row with topk (NaN
 * mapped to +Infinity so it sorts last), then finds each value's tie range with lowerBound/upperBound: O(N log N)
 * per row. A real +Infinity would tie with the NaN placeholders; clamping the upper bound to the row count fixes
 * that.
 */
export function rank(x: Panel): Panel {
  return tf.tidy(() => {
    const [, N] = x.shape;
    const missing = tf.isNaN(x);
    const filled = tf.where(missing, tf.fill(x.shape, Infinity, 'float32'), x) as Panel;
    const asc = tf.reverse(tf.topk(filled, N, true).values, 1) as Panel;
    const count = tf.sum(tf.cast(tf.logicalNot(missing), 'float32'), 1, true);
    const lo = tf.cast(tf.lowerBound(asc, filled), 'float32');
    const hi = tf.minimum(tf.cast(tf.upperBound(asc, filled), 'float32'), count);
    const r = tf.div(tf.div(tf.add(tf.add(lo, hi), 1), 2), count);
    return tf.where(missing, nanPanel(x.shape), r) as Panel;
  });
}

/**
 * rank(x) by comparing all pairs: for each cell, count the row's values below it and equal to it, via a
 * [rows, N, N] broadcast compare. O(N) per cell and N^2 memory per row, so rows go in chunks of `rowsPerChunk`
 * (300 stocks x 64 rows = 5.8M compares per chunk). Only for backends without TopK/SearchSorted; `rank` above is
 * the one to use.
 */
export function rankPairwise(x: Panel, rowsPerChunk = 64): Panel {
  const [T, N] = x.shape;
  const parts: Panel[] = [];
  for (let t0 = 0; t0 < T; t0 += rowsPerChunk) {
    const rows = Math.min(rowsPerChunk, T - t0);
    parts.push(tf.tidy(() => {
      const xs = tf.slice(x, [t0, 0], [rows, N]);
      const missing = tf.isNaN(xs);
      const a = tf.expandDims(xs, 2); // [rows, N, 1]: the cell being ranked
      const b = tf.expandDims(xs, 1); // [rows, 1, N]: the other stocks (NaN compares false)
      const less = tf.sum(tf.cast(tf.less(b, a), 'float32'), 2);
      const equal = tf.sum(tf.cast(tf.equal(b, a), 'float32'), 2);
      const count = tf.sum(tf.cast(tf.logicalNot(missing), 'float32'), 1, true);
      const r = tf.div(tf.add(less, tf.div(tf.add(equal, 1), 2)), count);
      return tf.where(missing, nanPanel([rows, N]), r) as Panel;
    }));
  }
  if (parts.length === 1) return parts[0];
  const out = tf.concat(parts, 0) as Panel;
  for (const p of parts) p.dispose();
  return out;
}
