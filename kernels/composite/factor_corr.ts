/**
 * Composite `af_factor_corr` from standard tfjs ops: for each pair of factors the mean over days of their
 * pairwise-complete cross-sectional Spearman correlation, with the CPU kernel's rules (kernels/cpu/factor_corr.ts):
 * a day counts when at least minStocks stocks have both factors and neither is constant on them. Each pair-day
 * is a row; both factors are ranked among the pair's common stocks (sort_rank.ts), and the correlation of the
 * centred ranks is formed from integer sums. Pairs are processed in blocks to bound the intermediates; the
 * `[F, F]` matrix is then read off the pair values by one gather (1 on the diagonal).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor2D, Tensor3D } from '@tensorflow/tfjs-core';
import { select } from './finite.ts';
import { BLOCK_CELLS, sortedRanks } from './sort_rank.ts';

export interface FactorCorrAttrs {
  readonly minStocks: number;
  /** Day range, inclusive, inside the data (empty when last < first). */
  readonly first: number;
  readonly last: number;
}

/** Mean daily correlation of each pair (ia[k], ib[k]) of a block, `[pairs]`. */
function pairBlock(x: Tensor3D, ia: Int32Array, ib: Int32Array, minStocks: number): tf.Tensor1D {
  const [, nDays, N] = x.shape;
  const P = ia.length;
  const rowsOf = (idx: Int32Array): Tensor2D => tf.reshape(tf.gather(x, tf.tensor1d(idx, 'int32'), 0), [P * nDays, N]);
  const a = rowsOf(ia);
  const b = rowsOf(ib);
  const both = tf.logicalAnd(tf.isFinite(a), tf.isFinite(b)) as Tensor2D;
  const n = tf.sum(tf.cast(both, 'float32'), 1, true);
  const varies = (v: Tensor2D) => tf.notEqual(tf.min(select(both, v, Infinity), 1, true), tf.max(select(both, v, -Infinity), 1, true));
  const used = tf.logicalAnd(tf.greaterEqual(n, minStocks), tf.logicalAnd(varies(a), varies(b)));
  const centred = (v: Tensor2D) => select(both, tf.sub(sortedRanks(v, both).twice, tf.add(n, 1)), 0);
  const ra = centred(a);
  const rb = centred(b);
  const rho = tf.div(tf.sum(tf.mul(ra, rb), 1), tf.mul(tf.sqrt(tf.sum(tf.square(ra), 1)), tf.sqrt(tf.sum(tf.square(rb), 1))));
  const usedDays = tf.reshape(tf.cast(used, 'float32'), [P, nDays]);
  const total = tf.sum(tf.reshape(tf.where(tf.reshape(used, [P * nDays]), rho, tf.zerosLike(rho)), [P, nDays]), 1);
  return tf.div(total, tf.sum(usedDays, 1)) as tf.Tensor1D; // 0 / 0 = NaN for a pair without a usable day
}

/** `af_factor_corr` from standard ops: factors `[F, D, N]` → `[F, F]`. */
export function factorCorrComposite(factors: Tensor3D, a: FactorCorrAttrs): Tensor2D {
  const [F, , N] = factors.shape;
  const nDays = Math.max(0, a.last - a.first + 1);
  const ia: number[] = [];
  const ib: number[] = [];
  for (let i = 0; i < F; i++) for (let j = i + 1; j < F; j++) (ia.push(i), ib.push(j));
  const P = ia.length;
  // Cell (i, j) reads pair value k, or the appended 1 on the diagonal.
  const cell = new Int32Array(F * F).fill(P);
  for (let k = 0; k < P; k++) cell[ia[k]! * F + ib[k]!] = cell[ib[k]! * F + ia[k]!] = k;
  const values: tf.Tensor1D[] = [];
  if (P > 0 && (nDays === 0 || N === 0)) values.push(tf.fill([P], NaN) as tf.Tensor1D);
  else if (P > 0) {
    const per = Math.max(1, Math.floor(BLOCK_CELLS / (nDays * N)));
    const x = tf.slice(factors, [0, a.first, 0], [F, nDays, N]);
    try {
      for (let k0 = 0; k0 < P; k0 += per) {
        const k1 = Math.min(P, k0 + per);
        values.push(tf.tidy(() => pairBlock(x, Int32Array.from(ia.slice(k0, k1)), Int32Array.from(ib.slice(k0, k1)), a.minStocks)));
      }
    } finally {
      x.dispose();
    }
  }
  const out = tf.tidy(() => tf.reshape(tf.gather(tf.concat([...values, tf.ones([1])], 0), tf.tensor1d(cell, 'int32')), [F, F]) as Tensor2D);
  tf.dispose(values);
  return out;
}
