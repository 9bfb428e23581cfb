/**
 * Factor neutralisation: per trading day, regress a daily factor cross-sectionally on industry dummies and/or log
 * float market cap and keep the residual, so a factor is judged on what it says beyond "small caps" or "banks".
 * The least squares is solved exactly by Frisch-Waugh-Lovell in float64: demean value and size within each
 * industry (that is the projection on the dummies), then regress the demeaned value on the demeaned size. That is
 * O(N) per day, needs no matrix inverse, and stays well conditioned where normal equations with a dummy column per
 * industry would not. Pure (no node:), so the browser build can use it.
 */
import { DataError } from './csv_parse.ts';

/** The exposures a factor can be neutralised against, in the order `parseNeutralize` returns them. */
export type Exposure = 'industry' | 'size';
export const EXPOSURES: readonly Exposure[] = ['industry', 'size'];

export interface NeutralizeExposures {
  /** Industry of each panel stock (length N); undefined or '' = unknown. */
  readonly industry?: readonly (string | undefined)[];
  /** log float market cap `[D, N]`; NaN (or ±Infinity) = unknown. */
  readonly logSize?: Float32Array;
}

export interface NeutralizeResult {
  /** Residuals `[D, N]`; NaN where the factor was missing, an exposure was missing, or the day could not be fitted. */
  readonly values: Float32Array;
  /** Stock-days with a factor value that were dropped because the stock had no industry or no market cap. */
  readonly excluded: number;
  /**
   * Stock-days with a factor value and all exposures that were dropped because their day had too few such
   * stocks to leave any residual degree of freedom (n <= rank of the exposures).
   */
  readonly tooFew: number;
}

/**
 * `--neutralize industry,size` → the exposures, deduplicated, in canonical order. Names are case-insensitive;
 * `none` (alone) means no neutralisation and returns [].
 */
export function parseNeutralize(text: string, option = '--neutralize'): Exposure[] {
  const names = text.split(',').map((s) => s.trim().toLowerCase());
  if (names.length === 1 && names[0] === 'none') return [];
  const seen = new Set<Exposure>();
  for (const name of names) {
    if (name === '') throw new DataError(option, 0, `empty exposure name in '${text}'; expected a comma-separated list of ${EXPOSURES.join(', ')}`);
    if (!(EXPOSURES as readonly string[]).includes(name)) {
      throw new DataError(option, 0, `unknown exposure '${name}'; expected ${EXPOSURES.join(', ')} (comma-separated) or none`);
    }
    seen.add(name as Exposure);
  }
  return EXPOSURES.filter((e) => seen.has(e));
}

/**
 * log(close × float shares) for every day and stock, `[D, N]`. NaN where either is missing or the cap is not
 * positive, so such stock-days are excluded from size neutralisation rather than given a made-up size.
 */
export function logFloatCap(close: Float32Array, D: number, N: number, floatShares: ArrayLike<number>): Float32Array {
  checkShape('close', close, D, N);
  if (floatShares.length !== N) throw new RangeError(`floatShares has ${floatShares.length} entries, expected ${N} stocks`);
  const out = new Float32Array(D * N);
  for (let k = 0; k < D; k++) {
    for (let j = 0; j < N; j++) {
      const cap = close[k * N + j]! * floatShares[j]!;
      out[k * N + j] = cap > 0 && Number.isFinite(cap) ? Math.log(cap) : NaN;
    }
  }
  return out;
}

/**
 * Residual of `values` (`[D, N]`) on the given exposures, day by day. With industry, the dummies span the
 * intercept; with size alone an intercept is fitted. A stock alone in its industry on a day gets residual 0 (its
 * dummy fits it exactly) and does not move the size slope; when size is constant within every industry that day,
 * size adds nothing beyond the dummies and the residual is the within-industry demeaned value. A day whose usable
 * stocks number no more than the rank of the exposures (industries present + 1 for size when it varies) has
 * nothing left to measure and is NaN throughout. With no exposure the values are returned unchanged (copied).
 */
export function neutralize(values: Float32Array, D: number, N: number, exposures: NeutralizeExposures): NeutralizeResult {
  checkShape('values', values, D, N);
  const { industry, logSize } = exposures;
  if (industry !== undefined && industry.length !== N) throw new RangeError(`industry has ${industry.length} entries, expected ${N} stocks`);
  if (logSize !== undefined) checkShape('logSize', logSize, D, N);
  const out = new Float32Array(D * N).fill(NaN);
  if (industry === undefined && logSize === undefined) {
    out.set(values);
    return { values: out, excluded: 0, tooFew: 0 };
  }

  // Industries are per stock, so they become small integer ids once; -1 = unknown. Without industry every
  // stock is in group 0, and demeaning within it is just the intercept.
  const group = new Int32Array(N);
  let G = 1;
  if (industry !== undefined) {
    const ids = new Map<string, number>();
    for (let j = 0; j < N; j++) {
      const name = industry[j];
      if (name === undefined || name === '') {
        group[j] = -1;
        continue;
      }
      let id = ids.get(name);
      if (id === undefined) {
        id = ids.size;
        ids.set(name, id);
      }
      group[j] = id;
    }
    G = Math.max(ids.size, 1);
  }

  const count = new Int32Array(G);
  const sumY = new Float64Array(G);
  const sumX = new Float64Array(G);
  // Size is constant within an industry exactly when its first and every other value are equal; tracked
  // exactly rather than by a tolerance on the demeaned sum of squares, which rounding would blur.
  const firstX = new Float64Array(G);
  const xVaries = new Uint8Array(G);
  const use = new Uint8Array(N);
  const ey = new Float64Array(N);
  const ex = new Float64Array(N);
  let excluded = 0;
  let tooFew = 0;

  for (let k = 0; k < D; k++) {
    const row = k * N;
    count.fill(0);
    sumY.fill(0);
    sumX.fill(0);
    xVaries.fill(0);
    let n = 0;
    for (let j = 0; j < N; j++) {
      use[j] = 0;
      const y = values[row + j]!;
      if (!Number.isFinite(y)) continue;
      const g = group[j]!;
      const x = logSize === undefined ? 0 : logSize[row + j]!;
      if (g < 0 || !Number.isFinite(x)) {
        excluded++;
        continue;
      }
      use[j] = 1;
      n++;
      if (count[g] === 0) firstX[g] = x;
      else if (x !== firstX[g]) xVaries[g] = 1;
      count[g]!++;
      sumY[g]! += y;
      sumX[g]! += x;
    }
    if (n === 0) continue;

    let groups = 0;
    let sizeVaries = false;
    for (let g = 0; g < G; g++) {
      if (count[g]! === 0) continue;
      groups++;
      if (xVaries[g]) sizeVaries = true;
      sumY[g]! /= count[g]!;
      sumX[g]! /= count[g]!;
    }
    const rank = groups + (logSize !== undefined && sizeVaries ? 1 : 0);
    if (n <= rank) {
      tooFew += n;
      continue;
    }

    // Second pass on deviations from the group means (two-pass, so large common levels do not cancel).
    let sxx = 0;
    let sxy = 0;
    for (let j = 0; j < N; j++) {
      if (!use[j]) continue;
      const g = group[j]!;
      const dy = values[row + j]! - sumY[g]!;
      // Size constant within the group deviates by exactly zero, not by the rounding of its mean.
      const dx = logSize === undefined || !xVaries[g] ? 0 : logSize[row + j]! - sumX[g]!;
      ey[j] = dy;
      ex[j] = dx;
      sxx += dx * dx;
      sxy += dx * dy;
    }
    const beta = sxx > 0 ? sxy / sxx : 0;
    for (let j = 0; j < N; j++) {
      if (use[j]) out[row + j] = ey[j]! - beta * ex[j]!;
    }
  }
  return { values: out, excluded, tooFew };
}

function checkShape(name: string, a: Float32Array, D: number, N: number): void {
  if (!Number.isInteger(D) || !Number.isInteger(N) || D < 0 || N < 0) throw new RangeError(`bad shape [${D}, ${N}]`);
  if (a.length !== D * N) throw new RangeError(`${name} has ${a.length} values, expected ${D} days x ${N} stocks = ${D * N}`);
}
