/**
 * Composite `af_daily_metrics` from standard tfjs ops, for backends with no metric kernel of their own
 * (tfjs-node's `tensorflow`, which is the CUDA path): the population `[F, D, N]` and label `[D, N]` stay on the
 * backend and only the per-factor-day rows `[F, days, dailyWidth(q)]` (src/fitness/daily_layout.ts) are made,
 * with the CPU kernel's rules (kernels/cpu/daily_metrics.ts; stated in src/fitness/metrics.ts).
 *
 * Every factor-day is a row `[N]`; the factor and the label are each sorted along it (sort_rank.ts) for the
 * ranks and the qcut edges. Groups follow the CPU kernel exactly, not just closely: its float64 edge
 * `lerp(a, b, t)` between neighbouring sorted values a <= b splits the stocks as "above a" unless it rounds
 * onto b (then "above b"), and two edges coincide only when both land on the same sorted value; the float64
 * position `(n - 1) * (g / q)` and its fraction come from a host table per (q, N), and the rounding test is the
 * WebGPU kernel's (an f64 half-ulp of the edge's end, computed in float32). Means use two passes about a first
 * mean, as in float32 a one-pass mean loses the digits that a large common offset leaves. Turnover compares
 * each used day's top and bottom groups with those of the factor's previous used day, found by a running
 * maximum over the days. Work is split into blocks of whole factors so that a block's intermediates stay
 * small whatever the population's size: 16 MB each, about 60 of them alive at the block's peak (measured with
 * tf.profile), as the sorts and the per-group loops free theirs as they go.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor, Tensor2D, Tensor3D } from '@tensorflow/tfjs-core';
import { COL, dailyWidth } from '../../src/fitness/daily_layout.ts';
import { qcutPosition } from '../cpu/daily_metrics.ts';
import { select } from './finite.ts';
import { BLOCK_CELLS, gatherRows, positions, runningExtreme, shiftCols, sortedRanks } from './sort_rank.ts';

export interface DailyMetricsAttrs {
  readonly q: number;
  readonly minStocks: number;
  /** Day range, inclusive, inside the data (empty when last < first). */
  readonly first: number;
  readonly last: number;
}


interface QcutTable {
  /** Per (n, g), flat `n * (q + 1) + g`: floor of the float64 position, its class and lerp weight. */
  lo: Int32Array;
  /** 0: no fraction (the edge is the sorted value at lo); 2: lerp's b - d(1 - t) form (t >= 0.5); 3: a + d t. */
  cls: Int32Array;
  /** 1 - t for class 2, t for class 3. */
  w: Float32Array;
}

const tables = new Map<string, QcutTable>();

function qcutTable(q: number, N: number): QcutTable {
  const key = `${q}:${N}`;
  const hit = tables.get(key);
  if (hit) return hit;
  const size = (N + 1) * (q + 1);
  const t: QcutTable = { lo: new Int32Array(size), cls: new Int32Array(size), w: new Float32Array(size) };
  for (let n = 1; n <= N; n++) {
    for (let g = 0; g <= q; g++) {
      const pos = qcutPosition(n, g, q);
      const lo = Math.floor(pos);
      const frac = pos - lo;
      const i = n * (q + 1) + g;
      t.lo[i] = lo;
      t.cls[i] = frac === 0 ? 0 : frac >= 0.5 ? 2 : 3;
      t.w[i] = frac >= 0.5 ? 1 - frac : frac;
    }
  }
  tables.set(key, t);
  return t;
}

/**
 * Whether `v - dir * |shift|`, evaluated in float64, rounds back onto the float32 `v`: |shift| below half an
 * f64 ulp of v (half of that again when v is a power of two and the step crosses into the binade below).
 */
function roundsOnto(v: Tensor2D, shift: Tensor2D, dir: 1 | -1): Tensor2D {
  const av = tf.abs(v);
  let p = tf.pow(tf.scalar(2), tf.floor(tf.div(tf.log(av), Math.LN2)));
  p = tf.where(tf.greater(p, av), tf.div(p, 2), p);
  p = tf.where(tf.lessEqual(tf.mul(p, 2), av), tf.mul(p, 2), p);
  const half = tf.mul(p, 2 ** -53);
  const down = tf.logicalAnd(tf.equal(av, p), tf.notEqual(tf.sign(v), dir));
  const lim = tf.where(down, tf.mul(half, 0.5), half);
  return tf.logicalAnd(tf.notEqual(v, 0), tf.less(tf.abs(shift), lim)) as Tensor2D;
}

/** The qcut table on the backend, uploaded once per call and shared by its blocks. */
interface QcutTensors {
  readonly lo: tf.Tensor1D;
  readonly cls: tf.Tensor1D;
  readonly w: tf.Tensor1D;
}

/** `[1, W]`: true for the columns written on every day (used, covered). */
function alwaysKept(q: number): Tensor2D {
  const k = new Uint8Array(dailyWidth(q));
  k[COL.used] = k[COL.covered] = 1;
  return tf.tensor2d(k, [1, k.length], 'bool');
}

/** Sum along rows of a 0/1 or masked panel, as `[R, 1]`. */
function rowSum(x: Tensor): Tensor2D {
  return tf.sum(x, 1, true) as Tensor2D;
}

/** The rows of one block of whole factors: `[fb * nDays, W]`. */
function blockRows(x: Tensor2D, y: Tensor2D, fb: number, nDays: number, a: DailyMetricsAttrs, table: QcutTensors): Tensor2D {
  const { q, minStocks } = a;
  const [R, N] = x.shape;
  const fx = tf.isFinite(x);
  const valid = tf.logicalAnd(fx, tf.isFinite(y));
  const covered = rowSum(tf.cast(fx, 'float32'));
  const n = rowSum(tf.cast(valid, 'float32'));
  const fMin = tf.min(select(valid, x, Infinity), 1, true);
  const fMax = tf.max(select(valid, x, -Infinity), 1, true);
  const lMin = tf.min(select(valid, y, Infinity), 1, true);
  const lMax = tf.max(select(valid, y, -Infinity), 1, true);
  const used = tf.logicalAnd(tf.greaterEqual(n, minStocks), tf.logicalAnd(tf.notEqual(fMin, fMax), tf.notEqual(lMin, lMax)));

  // Two-pass moments: residuals about a first mean, whose own sum corrects it.
  const moments = (v: Tensor2D): { m0: Tensor2D; d: Tensor2D; s: Tensor2D; ss: Tensor2D } => {
    const m0 = tf.div(rowSum(select(valid, v, 0)), n) as Tensor2D;
    const d = select(valid, tf.sub(v, m0), 0);
    return { m0, d, s: rowSum(d), ss: rowSum(tf.square(d)) };
  };
  const mx = moments(x);
  const my = moments(y);
  const cxy = tf.sub(rowSum(tf.mul(mx.d, my.d)), tf.div(tf.mul(mx.s, my.s), n));
  const cxx = tf.sub(mx.ss, tf.div(tf.square(mx.s), n));
  const cyy = tf.sub(my.ss, tf.div(tf.square(my.s), n));
  const ic = tf.div(cxy, tf.mul(tf.sqrt(cxx), tf.sqrt(cyy)));
  const ml = tf.add(my.m0, tf.div(my.s, n)) as Tensor2D;

  // Rank IC from twice the average ranks, centred by n + 1: integers, exact in float32.
  const fr = sortedRanks(x, valid as Tensor2D);
  const lr = sortedRanks(y, valid as Tensor2D);
  const ra = select(valid, tf.sub(fr.twice, tf.add(n, 1)), 0);
  const rb = select(valid, tf.sub(lr.twice, tf.add(n, 1)), 0);
  const rankIc = tf.div(rowSum(tf.mul(ra, rb)), tf.mul(tf.sqrt(rowSum(tf.square(ra))), tf.sqrt(rowSum(tf.square(rb)))));

  // qcut edges: the sorted values a = s[lo], b = s[min(lo + 1, n - 1)] for each g = 0..q.
  const nI = tf.cast(n, 'int32');
  const int = (v: number) => tf.scalar(v, 'int32');
  const tIdx = tf.add(tf.mul(nI, int(q + 1)), tf.reshape(tf.range(0, q + 1, 1, 'int32'), [1, q + 1]));
  const flatIdx = tf.reshape(tIdx, [R * (q + 1)]);
  const pick = (t: tf.Tensor1D): Tensor2D => tf.reshape(tf.gather(t, flatIdx), [R, q + 1]);
  const lo = pick(table.lo);
  const cls = pick(table.cls);
  const w = pick(table.w);
  const hi = tf.minimum(tf.add(lo, int(1)), tf.maximum(tf.sub(nI, int(1)), int(0))) as Tensor2D;
  const ea = gatherRows(fr.sorted, lo);
  const eb = gatherRows(fr.sorted, hi);
  const shift = tf.mul(tf.sub(eb, ea), w) as Tensor2D;
  const flat = tf.logicalOr(tf.equal(cls, int(0)), tf.equal(ea, eb));
  const ontoB = tf.logicalAnd(tf.logicalAnd(tf.equal(cls, int(2)), tf.logicalNot(flat)), roundsOnto(eb, shift, -1));
  const ontoA = tf.logicalAnd(tf.logicalAnd(tf.equal(cls, int(3)), tf.logicalNot(flat)), roundsOnto(ea, shift, 1));
  const point = tf.logicalOr(flat, tf.logicalOr(ontoA, ontoB)) as Tensor2D;
  const thr = tf.where(ontoB, eb, ea) as Tensor2D;
  // Edges are distinct unless two neighbouring ones both land on the same sorted value.
  const dup = tf.logicalAnd(
    tf.logicalAnd(tf.slice(point, [0, 1], [R, q]), tf.slice(point, [0, 0], [R, q])),
    tf.equal(tf.slice(thr, [0, 1], [R, q]), tf.slice(thr, [0, 0], [R, q])),
  );
  const distinct = tf.cast(tf.logicalNot(tf.any(dup, 1, true)), 'float32');

  // Groups: by value against the edges, or (ties made edges equal) by the tie block's average position.
  // Each step's intermediates are freed at once, not at the block's end: q steps of panel-sized tensors.
  let byValue: Tensor = tf.zerosLike(x);
  let byPosition: Tensor = tf.zerosLike(x);
  const twiceQ = tf.mul(tf.sub(fr.twice, 2), q);
  for (let g = 1; g < q; g++) {
    const [v, p] = tf.tidy(() => [
      tf.add(byValue, tf.cast(tf.greater(x, tf.slice(thr, [0, g], [R, 1])), 'float32')),
      tf.add(byPosition, tf.cast(tf.less(tf.mul(tf.sub(n, 1), 2 * g), twiceQ), 'float32')),
    ]);
    tf.dispose([byValue, byPosition]);
    [byValue, byPosition] = [v!, p!];
  }
  const grp = tf.add(byPosition, tf.mul(distinct, tf.sub(byValue, byPosition)));
  const yc = tf.sub(y, ml);
  const groupCols: Tensor2D[] = [];
  const members: Tensor2D[] = [];
  const counts: Tensor2D[] = [];
  for (let g = 0; g < q; g++) {
    const [col, cnt, member] = tf.tidy(() => {
      const inG = tf.logicalAnd(valid, tf.equal(grp, g));
      const c = rowSum(tf.cast(inG, 'float32'));
      const mean = tf.where(tf.greater(c, 0), tf.add(ml, tf.div(rowSum(select(inG, yc, 0)), c)), tf.fill([R, 1], NaN));
      // Membership is kept for the top and bottom groups only (turnover).
      const kept = g === 0 || g === q - 1 ? [tf.cast(tf.logicalAnd(inG, used), 'float32')] : [];
      return [mean, c, ...kept];
    }) as Tensor2D[];
    groupCols.push(col!);
    // members[0], counts[0]: the top group (q - 1); members[1], counts[1]: the bottom group (0).
    if (g === q - 1) [members[0], counts[0]] = [member!, cnt!];
    if (g === 0) [members[1], counts[1]] = [member!, cnt!];
  }

  // Turnover: each used day against the factor's previous used day (a zero row and count when there is none).
  const usedF = tf.cast(used, 'float32');
  const dayIdx = select(tf.reshape(used, [fb, nDays]), positions(fb, nDays), -1);
  const prev = shiftCols(runningExtreme(dayIdx, 1), 1, 1, -1);
  const base = tf.reshape(tf.mul(tf.range(0, fb, 1, 'float32'), nDays), [fb, 1]);
  const prevRow = tf.reshape(tf.cast(tf.where(tf.greaterEqual(prev, 0), tf.add(prev, base), tf.fill(prev.shape, R)), 'int32'), [R]);
  const havePrev = tf.reshape(tf.greaterEqual(prev, 0), [R, 1]);
  const turnover = members.map((m, k) => {
    const cnt = tf.mul(counts[k]!, usedF);
    const before = tf.gather(tf.concat([m, tf.zeros([1, N])], 0), prevRow);
    const cntBefore = tf.gather(tf.concat([cnt, tf.zeros([1, 1])], 0), prevRow);
    const stay = rowSum(tf.mul(m, before));
    const ok = tf.logicalAnd(havePrev, tf.logicalAnd(tf.greater(cntBefore, 0), tf.greater(cnt, 0)));
    return tf.where(ok, tf.sub(1, tf.div(stay, cnt)), tf.fill([R, 1], NaN)) as Tensor2D;
  });

  const cols: Tensor2D[] = new Array(dailyWidth(q));
  cols[COL.used] = usedF as Tensor2D;
  cols[COL.ic] = ic as Tensor2D;
  cols[COL.rankIc] = rankIc as Tensor2D;
  cols[COL.market] = ml as Tensor2D;
  cols[COL.turnTop] = turnover[0]!;
  cols[COL.turnBottom] = turnover[1]!;
  cols[COL.covered] = covered;
  groupCols.forEach((c, g) => (cols[COL.groups + g] = c));
  const all = tf.concat(cols, 1) as Tensor2D;
  // Unused days keep only the used flag and the coverage; every other column is NaN.
  const keep = tf.logicalOr(used, alwaysKept(q));
  return tf.where(keep, all, tf.fill(all.shape, NaN)) as Tensor2D;
}

/**
 * `af_daily_metrics` from standard ops: factors `[F, D, N]`, label `[D, N]` → `[F, days, dailyWidth(q)]`.
 * `blockCells` bounds the cells of a block's `[rows, N]` intermediates (tests make it small).
 */
export function dailyMetricsComposite(factors: Tensor3D, label: Tensor2D, a: DailyMetricsAttrs, blockCells = BLOCK_CELLS): Tensor3D {
  const [F, , N] = factors.shape;
  const W = dailyWidth(a.q);
  const nDays = Math.max(0, a.last - a.first + 1);
  // No cell at all: wasm's broadcasting select writes out of bounds on an empty tensor, so none is run.
  if (F * nDays === 0) return tf.zeros([F, nDays, W]) as Tensor3D;
  if (N === 0) {
    // No stock: nothing is used or covered.
    return tf.tidy(() => tf.reshape(tf.where(alwaysKept(a.q), tf.zeros([F * nDays, W]), tf.fill([F * nDays, W], NaN)), [F, nDays, W]) as Tensor3D);
  }
  const per = Math.max(1, Math.floor(blockCells / (nDays * N)));
  const host = qcutTable(a.q, N);
  const table: QcutTensors = { lo: tf.tensor1d(host.lo, 'int32'), cls: tf.tensor1d(host.cls, 'int32'), w: tf.tensor1d(host.w, 'float32') };
  const days = tf.slice(label, [a.first, 0], [nDays, N]);
  const blocks: Tensor2D[] = [];
  try {
    for (let f0 = 0; f0 < F; f0 += per) {
      const fb = Math.min(per, F - f0);
      blocks.push(tf.tidy(() => {
        const x = tf.reshape(tf.slice(factors, [f0, a.first, 0], [fb, nDays, N]), [fb * nDays, N]) as Tensor2D;
        const y = tf.reshape(tf.tile(tf.reshape(days, [1, nDays, N]), [fb, 1, 1]), [fb * nDays, N]) as Tensor2D;
        return blockRows(x, y, fb, nDays, a, table);
      }));
    }
    return tf.tidy(() => tf.reshape(blocks.length === 1 ? blocks[0]! : tf.concat(blocks, 0), [F, nDays, W]) as Tensor3D);
  } finally {
    tf.dispose([table.lo, table.cls, table.w, days, ...blocks]);
  }
}
