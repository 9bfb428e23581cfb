/**
 * The fitness registry: built-in values on a hand-written summary, the report's pass rule at and around its
 * thresholds, the composite's documented penalty, and registration checks with their error messages.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FactorSummary } from '../src/fitness/metrics.ts';
import {
  compositeFitness, createFitnessRegistry, getFitness, passes, REPORT_THRESHOLDS, registerFitness, type FitnessEntry,
} from '../src/fitness/registry.ts';

function summary(over: Partial<FactorSummary> = {}): FactorSummary {
  return {
    ic: -0.049, rank_ic: -0.062, icir: -0.71, rank_icir: -0.8, ic_t: -11, ic_positive_share: 0.22,
    long_excess: 0.156, long_short: 0.522, long_short_ir: 6.74, monotonicity: 0.9, turnover: 0.5, coverage: 0.97,
    direction: -1, days: 242, skipped_days: 0, ...over,
  } as FactorSummary;
}

test('built-in fitness values: absolute ICs, raw long-side measures', () => {
  const s = summary();
  assert.equal(getFitness('rank_ic').fn(s), 0.062);
  assert.equal(getFitness('ic').fn(s), 0.049);
  assert.equal(getFitness('icir').fn(s), 0.71);
  assert.equal(getFitness('long_excess').fn(s), 0.156);
  assert.equal(getFitness('long_short_ir').fn(s), 6.74);
  for (const n of ['rank_ic', 'ic', 'icir', 'long_excess', 'long_short_ir', 'composite']) assert.equal(getFitness(n).greaterIsBetter, true, n);
  assert.deepEqual(createFitnessRegistry().names(), ['rank_ic', 'ic', 'icir', 'long_excess', 'long_short_ir', 'composite']);
});

test('passes: the report rule |IC| >= 0.03, long excess >= 0.15, monotonicity >= 0.8, each inclusive', () => {
  assert.deepEqual(REPORT_THRESHOLDS, { ic: 0.03, longExcess: 0.15, monotonicity: 0.8 });
  assert.equal(passes(summary()), true);
  assert.equal(passes(summary({ ic: 0.03, long_excess: 0.15, monotonicity: 0.8 })), true);
  assert.equal(passes(summary({ ic: -0.03 })), true);
  assert.equal(passes(summary({ ic: 0.0299 })), false);
  assert.equal(passes(summary({ long_excess: 0.1499 })), false);
  assert.equal(passes(summary({ monotonicity: 0.7999 })), false);
  assert.equal(passes(summary({ ic: NaN })), false);
  assert.equal(passes(summary({ monotonicity: NaN })), false);
  // Configurable: a looser IC bar lets a weak factor through, a stricter excess bar stops a strong one.
  assert.equal(passes(summary({ ic: 0.02 }), { ic: 0.02 }), true);
  assert.equal(passes(summary(), { longExcess: 0.2 }), false);
  assert.throws(() => passes(summary(), { ic: NaN }), /threshold 'ic' must be a finite number/);
});

test('composite: |rank IC| when passing, |rank IC| - 1 when not; thresholds configurable', () => {
  const c = getFitness('composite');
  assert.equal(c.fn(summary()), 0.062);
  assert.equal(c.fn(summary({ monotonicity: 0.5 })), 0.062 - 1);
  assert.equal(c.fn(summary({ rank_ic: NaN })), NaN);
  // Every passing factor ranks above every failing one, however strong the failing one's rank IC.
  assert.ok(c.fn(summary({ rank_ic: 0.001 })) > c.fn(summary({ rank_ic: 0.5, long_excess: 0 })));
  const strict = compositeFitness({ longExcess: 0.2 }, 'strict');
  assert.equal(strict.name, 'strict');
  assert.equal(strict.fn(summary()), 0.062 - 1);
  assert.equal(strict.fn(summary({ long_excess: 0.25 })), 0.062);
  assert.match(strict.description, /long_excess >= 0.2/);
});

test('registerFitness validates name, kinds and the function, with clear errors', () => {
  const r = createFitnessRegistry();
  const ok: FitnessEntry = { name: 'half_ic', greaterIsBetter: true, description: '|IC| / 2', fn: (s) => Math.abs(s.ic) / 2 };
  const stored = r.register(ok);
  assert.equal(r.get('half_ic').fn(summary()), 0.0245);
  assert.ok(Object.isFrozen(stored));
  assert.throws(() => r.register(ok), /fitness 'half_ic' is already registered/);
  assert.throws(() => r.register({ ...ok, name: 'rank_ic' }), /already registered/);
  assert.throws(() => r.register({ ...ok, name: '2fast' }), TypeError);
  assert.throws(() => r.register({ ...ok, name: 'has space' }), /must be an identifier/);
  assert.throws(() => r.register({ ...ok, name: '' }), /must be an identifier/);
  const bad = (x: unknown) => x as FitnessEntry;
  assert.throws(() => r.register(bad({ ...ok, name: 'a1', greaterIsBetter: 'yes' })), /greaterIsBetter must be a boolean, got string/);
  assert.throws(() => r.register(bad({ ...ok, name: 'a2', fn: 3 })), /fn must be a function/);
  assert.throws(() => r.register(bad({ ...ok, name: 'a3', fn: () => 'x' })), /fn must return a number, returned string/);
  assert.throws(() => r.register(bad({ ...ok, name: 'a4', fn: () => { throw new Error('boom'); } })), /fn threw on a sample summary: boom/);
  assert.throws(() => r.register(bad({ ...ok, name: 'a5', description: undefined })), /description must be a string/);
  assert.throws(() => r.register(bad(null)), /fitness entry must be an object/);
  // A failed registration leaves nothing behind.
  assert.deepEqual(r.names().slice(-1), ['half_ic']);
});

test('getFitness suggests the nearest name on a typo', () => {
  assert.throws(() => getFitness('rank_icc'), /unknown fitness 'rank_icc'; did you mean 'rank_ic'\?/);
  assert.throws(() => getFitness('Composite'), /did you mean 'composite'/);
  assert.throws(() => getFitness('sharpe_ratio_of_everything'), (e: Error) => !/did you mean/.test(e.message) && /known: rank_ic, ic/.test(e.message));
});

test('the global registry accepts new entries through registerFitness', () => {
  registerFitness({ name: 'test_only_turnover', greaterIsBetter: false, description: 'turnover', fn: (s) => s.turnover });
  const e = getFitness('test_only_turnover');
  assert.equal(e.greaterIsBetter, false);
  assert.equal(e.fn(summary()), 0.5);
});
