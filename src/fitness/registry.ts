/**
 * The fitness registry: named ways of turning one factor's `FactorSummary` into the single number a search
 * ranks factors by, in the spirit of gplearn's `make_fitness` (a validated extension point, so a mistake in a
 * user-supplied measure fails when it is registered, not generations into a run). Built in: `rank_ic`, `ic`,
 * `icir`, `long_excess`, `long_short_ir` and `composite`, the research report's screening rule (|IC| >= 0.03,
 * long excess >= 0.15, monotonicity >= 0.8; seeds/002 section 3). `passes` applies that rule on its own.
 * Pure (no node:), and independent of the report and CLI layers that use it.
 */
import type { FactorSummary } from './metrics.ts';
import { nearest } from '../expr/suggest.ts';

export interface FitnessEntry {
  /** Identifier-like and unique in its registry: it is typed on command lines and stored in results. */
  readonly name: string;
  /** Whether larger values are better; a search negates the others before ranking. */
  readonly greaterIsBetter: boolean;
  readonly description: string;
  /** The fitness of one summary; NaN when the summary cannot say (no usable days). */
  readonly fn: (summary: FactorSummary) => number;
}

/** The report's screening thresholds, each compared with `>=`. */
export interface PassThresholds {
  /** Minimum |IC| (mean daily Pearson IC, either sign: the factor's direction is chosen afterwards). */
  readonly ic: number;
  /** Minimum long excess: `FactorSummary.long_excess`, annualised (0.15 = 15 % a year, as the report states it). */
  readonly longExcess: number;
  /** Minimum monotonicity of the group returns. */
  readonly monotonicity: number;
}

export const REPORT_THRESHOLDS: PassThresholds = Object.freeze({ ic: 0.03, longExcess: 0.15, monotonicity: 0.8 });

/**
 * The report's rule: |IC| >= ic, long_excess >= longExcess and monotonicity >= monotonicity. A NaN anywhere
 * fails (a factor nobody could measure has not shown anything). Missing threshold fields take the report's.
 */
export function passes(summary: FactorSummary, thresholds: Partial<PassThresholds> = {}): boolean {
  const t = checkThresholds(thresholds);
  return Math.abs(summary.ic) >= t.ic && summary.long_excess >= t.longExcess && summary.monotonicity >= t.monotonicity;
}

function checkThresholds(thresholds: Partial<PassThresholds>): PassThresholds {
  const t = { ...REPORT_THRESHOLDS, ...thresholds };
  for (const [k, v] of Object.entries(t)) {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new TypeError(`fitness threshold '${k}' must be a finite number, got ${String(v)}`);
  }
  return t;
}

/**
 * The `composite` fitness with the given thresholds: |rank IC| when `passes` holds, else |rank IC| - 1.
 * |rank IC| <= 1, so every passing factor (value in [0, 1]) outranks every failing one (value in [-1, 0)),
 * while failing factors are still ordered by |rank IC| and a search keeps a gradient towards the rule. NaN
 * rank IC gives NaN.
 */
export function compositeFitness(thresholds: Partial<PassThresholds> = {}, name = 'composite'): FitnessEntry {
  const t = checkThresholds(thresholds);
  return {
    name,
    greaterIsBetter: true,
    description: `|rank IC| if |IC| >= ${t.ic}, long_excess >= ${t.longExcess} and monotonicity >= ${t.monotonicity}, else |rank IC| - 1`,
    fn: (s) => {
      const r = Math.abs(s.rank_ic);
      if (r !== r) return NaN;
      return passes(s, t) ? r : r - 1;
    },
  };
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A plausible summary to probe a new entry with: an fn that throws or returns a non-number on it is broken. */
const PROBE: FactorSummary = {
  ic: -0.04, rank_ic: -0.05, icir: -0.5, rank_icir: -0.6, ic_t: -4, ic_positive_share: 0.3,
  long_excess: 0.2, long_short: 0.5, long_short_ir: 3, monotonicity: 0.9, turnover: 0.4, coverage: 0.95,
  direction: -1, days: 100, skipped_days: 0,
} as FactorSummary;

export class FitnessRegistry {
  readonly #entries = new Map<string, FitnessEntry>();

  /** Adds an entry after checking it; throws TypeError (wrong kinds) or Error (duplicate name) naming the fault. */
  register(entry: FitnessEntry): FitnessEntry {
    if (entry === null || typeof entry !== 'object') throw new TypeError(`fitness entry must be an object, got ${String(entry)}`);
    const { name, greaterIsBetter, description, fn } = entry;
    if (typeof name !== 'string' || !IDENTIFIER.test(name)) {
      throw new TypeError(`fitness name must be an identifier (letters, digits, _; not starting with a digit), got ${JSON.stringify(name)}`);
    }
    if (this.#entries.has(name)) throw new Error(`fitness '${name}' is already registered`);
    if (typeof greaterIsBetter !== 'boolean') throw new TypeError(`fitness '${name}': greaterIsBetter must be a boolean, got ${typeof greaterIsBetter}`);
    if (typeof description !== 'string') throw new TypeError(`fitness '${name}': description must be a string, got ${typeof description}`);
    if (typeof fn !== 'function') throw new TypeError(`fitness '${name}': fn must be a function of a FactorSummary, got ${typeof fn}`);
    let probe: unknown;
    try {
      probe = fn(PROBE);
    } catch (e) {
      throw new TypeError(`fitness '${name}': fn threw on a sample summary: ${(e as Error).message}`);
    }
    if (typeof probe !== 'number') throw new TypeError(`fitness '${name}': fn must return a number, returned ${typeof probe} on a sample summary`);
    // Frozen copy: a caller mutating its object later must not change what a running search uses.
    const stored = Object.freeze({ name, greaterIsBetter, description, fn });
    this.#entries.set(name, stored);
    return stored;
  }

  /** The entry called `name`; an unknown name throws, suggesting the nearest registered one. */
  get(name: string): FitnessEntry {
    const e = this.#entries.get(name);
    if (e) return e;
    const near = nearest(name, this.#entries.keys());
    throw new Error(`unknown fitness '${name}'${near ? `; did you mean '${near}'?` : ''} (known: ${this.names().join(', ')})`);
  }

  has(name: string): boolean {
    return this.#entries.has(name);
  }

  /** Registered names in registration order. */
  names(): string[] {
    return [...this.#entries.keys()];
  }
}

/** A registry holding the built-in entries. */
export function createFitnessRegistry(): FitnessRegistry {
  const r = new FitnessRegistry();
  // Absolute values: a factor's sign is chosen after the fact (FactorSummary.direction), so -0.05 is as good as 0.05.
  r.register({ name: 'rank_ic', greaterIsBetter: true, description: '|mean daily rank IC|', fn: (s) => Math.abs(s.rank_ic) });
  r.register({ name: 'ic', greaterIsBetter: true, description: '|mean daily Pearson IC|', fn: (s) => Math.abs(s.ic) });
  r.register({ name: 'icir', greaterIsBetter: true, description: '|ICIR|: |mean daily IC| / its std, annualised (x sqrt 242)', fn: (s) => Math.abs(s.icir) });
  r.register({ name: 'long_excess', greaterIsBetter: true, description: 'annualised (x242) mean daily return of the top group over the mean of all stocks, direction-adjusted', fn: (s) => s.long_excess });
  r.register({ name: 'long_short_ir', greaterIsBetter: true, description: 'annualised (x sqrt 242) IR of the daily top-minus-bottom group return, direction-adjusted', fn: (s) => s.long_short_ir });
  r.register(compositeFitness());
  return r;
}

/** The process-wide registry that `registerFitness` and `getFitness` use. */
export const FITNESS: FitnessRegistry = createFitnessRegistry();

export function registerFitness(entry: FitnessEntry): FitnessEntry {
  return FITNESS.register(entry);
}

export function getFitness(name: string): FitnessEntry {
  return FITNESS.get(name);
}
