/**
 * Seeded random panels for the correctness tests: a small PRNG (mulberry32) and generators of time-major
 * `[T, N]` float32 fields that are deliberately nasty for windowed and cross-sectional operators: about 10 %
 * missing cells (single gaps and runs of missing bars, plus whole bars where every stock is missing or only one
 * has a value), ties (values drawn from a few levels), runs of constant values, exact zeros and values next to
 * the protected-operator threshold 0.001, and magnitudes from 1e-3 to 1e9 (across stocks and, in regime
 * segments, within one stock). Randomness only ever comes from an explicitly passed `Rng` (src/util/rng.ts).
 */
import { makePanel, type Panel } from '../../src/data/panel.ts';
import { mulberry32, randInt, type Rng } from '../../src/util/rng.ts';

export { mulberry32, randInt, type Rng };

/** One element of a non-empty list. */
export function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[Math.floor(rng() * items.length)]!;
}

/** Standard normal (Box-Muller). */
export function normal(rng: Rng): number {
  const u = 1 - rng();
  const v = rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Values around the protected-operator threshold |x| = 0.001 and exact zeros (used unscaled). */
const THRESHOLD_VALUES: readonly number[] = [0, 0, -0, 0.001, -0.001, 0.0005, -0.0005, 0.0011, -0.0011, 0.002, 1e-4, 0.00099];

export interface FieldOptions {
  /** Probability that a cell starts a single missing gap (default 0.05). */
  readonly gapRate?: number;
  /** Probability per cell that a run of 2..12 missing bars starts there (default 0.006). */
  readonly runRate?: number;
  /** Whether values may be negative (default: chosen per stock). */
  readonly signed?: boolean;
}

/**
 * One random field `[T, N]` (time-major), built stock by stock from segments of different kinds.
 * About 10 % of the cells end up missing with the default options.
 */
export function randomField(rng: Rng, T: number, N: number, opts: FieldOptions = {}): Float32Array {
  const out = new Float32Array(T * N);
  const gapRate = opts.gapRate ?? 0.05;
  const runRate = opts.runRate ?? 0.006;
  for (let j = 0; j < N; j++) {
    const baseExp = randInt(rng, -3, 9);
    const signed = opts.signed ?? rng() < 0.4;
    let t = 0;
    while (t < T) {
      const len = randInt(rng, 3, 30);
      const kind = pick(rng, ['noise', 'noise', 'walk', 'levels', 'levels', 'constant', 'threshold', 'regime'] as const);
      const exp = kind === 'regime' ? randInt(rng, -3, 9) : baseExp;
      const scale = Math.pow(10, exp);
      const levels = [-1, 0, 0.5, 1, 1, 2, 3].map((l) => (signed ? l : Math.abs(l)) * scale * 1.37);
      const constValue = scale * (signed ? normal(rng) : 1 + rng());
      let walk = scale * (1 + rng());
      for (let k = 0; k < len && t < T; k++, t++) {
        let v: number;
        switch (kind) {
          case 'noise':
          case 'regime':
            v = signed ? scale * normal(rng) : scale * (1 + 0.3 * Math.abs(normal(rng)));
            break;
          case 'walk':
            walk += scale * 0.05 * normal(rng);
            v = signed ? walk : Math.abs(walk);
            break;
          case 'levels':
            v = pick(rng, levels);
            break;
          case 'constant':
            v = constValue;
            break;
          case 'threshold':
            v = pick(rng, THRESHOLD_VALUES) * (signed && rng() < 0.5 ? -1 : 1);
            break;
        }
        out[t * N + j] = v;
      }
    }
    // Missing cells: single gaps and runs of missing bars.
    for (let tt = 0; tt < T; tt++) {
      if (rng() < gapRate) out[tt * N + j] = NaN;
      if (rng() < runRate) {
        const run = randInt(rng, 2, 12);
        for (let k = 0; k < run && tt + k < T; k++) out[(tt + k) * N + j] = NaN;
      }
    }
  }
  // A few bars where every stock is missing, and a few where exactly one stock has a value.
  for (let tt = 0; tt < T; tt++) {
    const u = rng();
    if (u < 0.015) {
      for (let j = 0; j < N; j++) out[tt * N + j] = NaN;
    } else if (u < 0.03) {
      const keep = randInt(rng, 0, N - 1);
      for (let j = 0; j < N; j++) if (j !== keep) out[tt * N + j] = NaN;
    }
  }
  return out;
}

/** A field with no missing cells and ordinary magnitudes (for "complete data" checks). */
/** Long constant runs of awkward values (not exactly representable, 1e9-ish, negative, tiny, zero). */
export function constantRunsField(rng: Rng, T: number, N: number): Float32Array {
  const values = [0.1, 1 / 3, 1e9 + 0.37, 123456.789, -2.2e-3, 7.7e-4, 0, 12.34];
  const out = new Float32Array(T * N);
  for (let j = 0; j < N; j++) {
    let t = 0;
    while (t < T) {
      const len = randInt(rng, 2, 16);
      const v = values[randInt(rng, 0, values.length - 1)]!;
      for (let k = 0; k < len && t < T; k++, t++) out[t * N + j] = v;
    }
  }
  return out;
}

export function completeField(rng: Rng, T: number, N: number): Float32Array {
  const out = new Float32Array(T * N);
  for (let i = 0; i < T * N; i++) out[i] = 1 + rng() * 100;
  return out;
}

/** A random panel whose fields are independent `randomField`s, times "t0000".., codes "S000".. . */
export function randomPanel(seed: number, T: number, N: number, fields: readonly string[]): Panel {
  const rng = mulberry32(seed);
  const times = Array.from({ length: T }, (_, t) => `t${String(t).padStart(4, '0')}`);
  const codes = Array.from({ length: N }, (_, j) => `S${String(j).padStart(3, '0')}`);
  const map = new Map<string, Float32Array>();
  for (const name of fields) map.set(name, randomField(rng, T, N));
  return makePanel(times, codes, map);
}

/**
 * A realistic-looking price/volume panel (positive prices around 10, volumes around 1e6..1e8, amount =
 * volume * vwap) with ~5 % missing cells, for composed expressions where the nasty generic fields would make
 * almost every deep expression NaN.
 */
export function marketPanel(seed: number, T: number, N: number): Panel {
  const rng = mulberry32(seed);
  const times = Array.from({ length: T }, (_, t) => `t${String(t).padStart(4, '0')}`);
  const codes = Array.from({ length: N }, (_, j) => `S${String(j).padStart(3, '0')}`);
  const names = ['open', 'high', 'low', 'close', 'volume', 'amount', 'vwap'];
  const f: Record<string, Float32Array> = {};
  for (const n of names) f[n] = new Float32Array(T * N);
  for (let j = 0; j < N; j++) {
    let price = 5 + rng() * 50;
    const volScale = Math.pow(10, 6 + 2 * rng());
    for (let t = 0; t < T; t++) {
      const i = t * N + j;
      // Prices on a 0.01 tick grid, so ties and flat bars happen as in real data.
      const open = Math.round(price * 100) / 100;
      const flat = rng() < 0.05;
      const close = flat ? open : Math.max(0.01, Math.round(open * (1 + 0.01 * normal(rng)) * 100) / 100);
      const high = flat ? open : Math.round(Math.max(open, close) * (1 + 0.003 * rng()) * 100) / 100;
      const low = flat ? open : Math.round(Math.min(open, close) * (1 - 0.003 * rng()) * 100) / 100;
      const volume = flat && rng() < 0.5 ? 0 : Math.round(volScale * (0.2 + rng()));
      const vwap = volume === 0 ? NaN : (open + close + high + low) / 4;
      f.open![i] = open;
      f.close![i] = close;
      f.high![i] = high;
      f.low![i] = low;
      f.volume![i] = volume;
      f.amount![i] = volume === 0 ? 0 : volume * vwap;
      f.vwap![i] = vwap;
      price = close;
    }
    for (let t = 0; t < T; t++) {
      if (rng() < 0.03) {
        const run = rng() < 0.3 ? randInt(rng, 2, 8) : 1;
        for (let k = 0; k < run && t + k < T; k++) for (const n of names) f[n]![(t + k) * N + j] = NaN;
      }
    }
  }
  return makePanel(times, codes, f);
}
