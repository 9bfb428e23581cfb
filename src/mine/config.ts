/**
 * Mining configuration: every knob of a run in one JSON-able object, defaults and checks in one place. A run
 * folder's `config.json` is this object resolved, so it alone reproduces the run (with the same data). Errors
 * name the field at fault (`MineConfigError.field`, e.g. `mutation.hoist`) and suggest the nearest known key for
 * a typo. The variation probabilities are the report's split: α1 = `crossover`, α2 = the sum of `mutation`; what
 * is left of 1 is reproduction (a parent copied unchanged).
 */
import { nearest } from '../expr/suggest.ts';
import { REPORT_THRESHOLDS, type PassThresholds } from '../fitness/registry.ts';
import type { PrimitiveOptions } from '../gp/primitives.ts';
import type { SplitArgs } from '../data/splits.ts';
import type { ExecPrice } from '../data/labels.ts';

export class MineConfigError extends Error {
  constructor(readonly field: string, message: string) {
    super(`${field}: ${message}`);
    this.name = 'MineConfigError';
  }
}

export interface MutationRates {
  subtree: number;
  hoist: number;
  point: number;
  window: number;
}

export interface MineConfig {
  seed: number;
  population: number;
  generations: number;
  /** Seconds; null: no budget. A run stops after the generation during which the budget ran out. */
  timeBudget: number | null;
  /** Stop once the pool holds this many factors (the report collected 100). */
  poolSize: number;
  selection: 'tournament' | 'roulette';
  tournamentSize: number;
  /** Best individuals copied unchanged into the next generation. */
  elitism: number;
  crossover: number;
  mutation: MutationRates;
  /** Selection fitness = fitness - parsimony x tree size (gplearn's parsimony coefficient). */
  parsimony: number;
  /**
   * Novelty pressure: selection fitness also loses novelty x |fitness| x (largest |correlation| with a pool
   * member), so a population that has filled the pool with one family looks elsewhere. 0 turns it off.
   */
  novelty: number;
  /** A name in the fitness registry. */
  fitness: string;
  thresholds: PassThresholds;
  /** A candidate whose |factor correlation| with a pool member exceeds this competes with it. */
  correlation: number;
  /** Most new candidates checked on the validation segment per generation (the fittest first). */
  candidates: number;
  /** A factor scored on fewer than this share of the training days counts as invalid (worst fitness). */
  minDays: number;
  primitives: PrimitiveOptions;
  /** Segments as on the command line (`split` fractions or `train`/`valid`/`test` date ranges). */
  split: SplitArgs;
  horizon: number;
  groups: number;
  /** Execution price of the labels; null: the data's default (first-30-minute vwap intraday, vwap daily). */
  price: ExecPrice | null;
}

export const DEFAULT_CONFIG: MineConfig = Object.freeze({
  seed: 1,
  population: 500,
  generations: 10,
  timeBudget: null,
  poolSize: 100,
  selection: 'tournament',
  tournamentSize: 7,
  elitism: 5,
  crossover: 0.6,
  mutation: Object.freeze({ subtree: 0.12, hoist: 0.06, point: 0.1, window: 0.08 }),
  parsimony: 0.0005,
  novelty: 1,
  fitness: 'composite',
  thresholds: REPORT_THRESHOLDS,
  correlation: 0.7,
  candidates: 20,
  minDays: 0.5,
  primitives: Object.freeze({}),
  split: Object.freeze({ split: '0.5,0.25,0.25' }),
  horizon: 1,
  groups: 5,
  price: null,
}) as MineConfig;

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkKeys(obj: Json, known: readonly string[], prefix: string): void {
  for (const k of Object.keys(obj)) {
    if (!known.includes(k)) {
      const near = nearest(k, known);
      throw new MineConfigError(prefix + k, `unknown setting${near ? `; did you mean '${prefix}${near}'?` : ''}`);
    }
  }
}

function int(v: unknown, field: string, lo: number, hi = Number.MAX_SAFE_INTEGER): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) {
    throw new MineConfigError(field, `must be a whole number in ${lo}..${hi === Number.MAX_SAFE_INTEGER ? '' : hi}, got ${JSON.stringify(v)}`);
  }
  return v;
}

function num(v: unknown, field: string, lo: number, hi: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < lo || v > hi) throw new MineConfigError(field, `must be a number in [${lo}, ${hi}], got ${JSON.stringify(v)}`);
  return v;
}

/**
 * Defaults overlaid with `partial` (a parsed config file and/or command-line values), checked. Nested objects
 * (`mutation`, `thresholds`) merge key by key; `primitives` is checked later by resolvePrimitives.
 */
export function resolveConfig(partial: unknown = {}): MineConfig {
  if (!isObject(partial)) throw new MineConfigError('config', `must be a JSON object, got ${JSON.stringify(partial)}`);
  checkKeys(partial, Object.keys(DEFAULT_CONFIG), '');
  const p = partial as Partial<Record<keyof MineConfig, unknown>>;
  const sub = <T extends object>(key: keyof MineConfig, def: T): T => {
    const v = p[key];
    if (v === undefined) return { ...def };
    if (!isObject(v)) throw new MineConfigError(key, `must be an object, got ${JSON.stringify(v)}`);
    checkKeys(v, Object.keys(def), `${key}.`);
    return { ...def, ...v } as T;
  };
  const c: MineConfig = {
    ...DEFAULT_CONFIG,
    ...(partial as Partial<MineConfig>),
    mutation: sub('mutation', DEFAULT_CONFIG.mutation),
    thresholds: sub('thresholds', DEFAULT_CONFIG.thresholds),
    primitives: p.primitives === undefined ? {} : (p.primitives as PrimitiveOptions),
    split: p.split === undefined ? { ...DEFAULT_CONFIG.split } : (p.split as SplitArgs),
  };
  int(c.seed, 'seed', 0, 2 ** 32 - 1);
  int(c.population, 'population', 2);
  int(c.generations, 'generations', 1);
  if (c.timeBudget !== null) num(c.timeBudget, 'timeBudget', 0, Number.MAX_VALUE);
  int(c.poolSize, 'poolSize', 1);
  if (c.selection !== 'tournament' && c.selection !== 'roulette') throw new MineConfigError('selection', `must be 'tournament' or 'roulette', got ${JSON.stringify(c.selection)}`);
  int(c.tournamentSize, 'tournamentSize', 1);
  int(c.elitism, 'elitism', 0, c.population - 1);
  num(c.crossover, 'crossover', 0, 1);
  let total = c.crossover;
  for (const k of Object.keys(DEFAULT_CONFIG.mutation) as (keyof MutationRates)[]) total += num(c.mutation[k], `mutation.${k}`, 0, 1);
  if (total > 1 + 1e-12) throw new MineConfigError('mutation', `crossover plus the mutation rates must be at most 1 (the rest is reproduction), got ${total}`);
  num(c.parsimony, 'parsimony', 0, 1);
  num(c.novelty, 'novelty', 0, 10);
  if (typeof c.fitness !== 'string') throw new MineConfigError('fitness', `must be a fitness name, got ${JSON.stringify(c.fitness)}`);
  for (const k of Object.keys(REPORT_THRESHOLDS) as (keyof PassThresholds)[]) num(c.thresholds[k], `thresholds.${k}`, -1e9, 1e9);
  num(c.correlation, 'correlation', 0, 1);
  int(c.candidates, 'candidates', 1);
  num(c.minDays, 'minDays', 0, 1);
  if (!isObject(c.primitives)) throw new MineConfigError('primitives', 'must be an object');
  if (!isObject(c.split)) throw new MineConfigError('split', 'must be an object such as {"split": "0.5,0.25,0.25"}');
  checkKeys(c.split as Json, ['split', 'train', 'valid', 'test'], 'split.');
  int(c.horizon, 'horizon', 1, 20);
  int(c.groups, 'groups', 2, 100);
  return c;
}
