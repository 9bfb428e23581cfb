/**
 * The GP primitive set and tree generation: option checking with the offending option named, seeded
 * determinism, ramped half-and-half populations that are distinct, valid, within depth and round-trip through
 * canonical text, and `isValidTree` rejecting each kind of broken tree.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type Node, call, constant, field } from '../src/expr/ast.ts';
import { depth, size } from '../src/expr/analyze.ts';
import { parse } from '../src/expr/parse.ts';
import { print } from '../src/expr/print.ts';
import { OPS } from '../src/ops/table.ts';
import { MAX_WINDOW } from '../src/ops/types.ts';
import { mulberry32 } from '../src/util/rng.ts';
import { GpConfigError, resolvePrimitives, type PrimitiveOptions } from '../src/gp/primitives.ts';
import { isValidTree, rampedHalfAndHalf, randomSubtree, randomTree } from '../src/gp/generate.ts';

function configError(opts: PrimitiveOptions): GpConfigError {
  try {
    resolvePrimitives(opts);
  } catch (e) {
    assert.ok(e instanceof GpConfigError, `expected GpConfigError, got ${String(e)}`);
    return e;
  }
  assert.fail(`no error for ${JSON.stringify(opts)}`);
}

function windowsOf(node: Node, out: number[] = []): number[] {
  if (node.kind === 'call') {
    if (node.window !== undefined) out.push(node.window);
    for (const a of node.args) windowsOf(a, out);
  }
  return out;
}

test('defaults: every table op, standard fields, windows 1..15, no constants', () => {
  const p = resolvePrimitives();
  assert.deepEqual(p.ops.map((o) => o.name), OPS.map((o) => o.name));
  assert.deepEqual(p.fields, ['open', 'high', 'low', 'close', 'volume', 'amount', 'vwap']);
  assert.deepEqual(p.windows, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
  assert.deepEqual(p.constants, []);
  assert.equal(p.maxDepth, 6);
  assert.equal(p.maxSize, 30);
  assert.deepEqual(p.initDepth, [2, 4]);
  assert.deepEqual(p.dropped, []);
});

test('ops resolve aliases, deduplicate and come out in table order', () => {
  const p = resolvePrimitives({ ops: ['ts_Mean', 'actan', 'add', 'arctan'] });
  assert.deepEqual(p.ops.map((o) => o.name), ['add', 'arctan', 'ts_Mean']);
  const q = resolvePrimitives({ windows: [9, 3, 3, 1] });
  assert.deepEqual(q.windows, [1, 3, 9]);
});

test('unknown operator names the option and suggests the nearest op', () => {
  const e = configError({ ops: ['add', 'rank', 'delay', 'ts_mean2'] });
  assert.equal(e.field, 'ops[3]');
  assert.equal(e.suggestion, 'ts_Mean');
  assert.match(e.message, /unknown operator 'ts_mean2'; did you mean 'ts_Mean'\?/);
  const far = configError({ ops: ['zzzzzzzzzzzz'] });
  assert.equal(far.field, 'ops[0]');
  assert.equal(far.suggestion, undefined);
});

test('bad options each throw GpConfigError naming the option', () => {
  const cases: Array<[PrimitiveOptions, string]> = [
    [{ ops: [] }, 'ops'],
    [{ fields: [] }, 'fields'],
    [{ fields: ['close', 'bad name'] }, 'fields[1]'],
    [{ fields: ['close', 'close_Lag5'] }, 'fields[1]'],
    [{ windows: [] }, 'windows'],
    [{ windows: [5, 0] }, 'windows[1]'],
    [{ windows: [2.5] }, 'windows[0]'],
    [{ windows: [-3] }, 'windows[0]'],
    [{ windows: [MAX_WINDOW + 1] }, 'windows[0]'],
    [{ constants: [1, Number.NaN] }, 'constants[1]'],
    [{ constProb: 1.5 }, 'constProb'],
    [{ maxDepth: 1 }, 'maxDepth'],
    [{ maxDepth: 0 }, 'maxDepth'],
    [{ maxSize: 1 }, 'maxSize'],
    [{ initDepth: [4, 3] }, 'initDepth'],
    [{ initDepth: [1, 3] }, 'initDepth'],
    [{ initDepth: [2, 7] }, 'initDepth'],
    [{ maxDepth: 3, initDepth: [2, 4] }, 'initDepth'],
    [{ ops: ['stddev', 'ts_Skew'], windows: [1] }, 'windows'],
  ];
  for (const [opts, fieldName] of cases) assert.equal(configError(opts).field, fieldName, JSON.stringify(opts));
});

test('ops that no allowed window fits are dropped, and get no window below their minimum', () => {
  const p = resolvePrimitives({ ops: ['ts_Mean', 'stddev', 'ts_Skew'], windows: [1, 2] });
  assert.deepEqual(p.ops.map((o) => o.name), ['ts_Mean', 'stddev']);
  assert.deepEqual(p.dropped, ['ts_Skew']);
  const rng = mulberry32(3);
  for (const t of rampedHalfAndHalf(rng, p, 100)) {
    const check = (n: Node): void => {
      if (n.kind !== 'call') return;
      if (n.op === 'stddev') assert.equal(n.window, 2);
      n.args.forEach(check);
    };
    check(t);
  }
});

test('same seed, same population; different seed, different population', () => {
  const p = resolvePrimitives();
  const texts = (seed: number) => rampedHalfAndHalf(mulberry32(seed), p, 200).map(print);
  assert.deepEqual(texts(42), texts(42));
  const a = texts(42);
  const b = texts(43);
  assert.notDeepEqual(a, b);
  const overlap = b.filter((t) => a.includes(t)).length;
  assert.ok(overlap < 50, `${overlap} shared trees between seeds`);
});

test('ramped half-and-half: 500 distinct valid trees that round-trip, depths within initDepth', () => {
  for (const opts of [{}, { constants: [0.5, 1, 2, -1], constProb: 0.4 }, { maxSize: 8, maxDepth: 4 }] as PrimitiveOptions[]) {
    const p = resolvePrimitives(opts);
    const pop = rampedHalfAndHalf(mulberry32(1), p, 500);
    assert.equal(pop.length, 500);
    const texts = pop.map(print);
    assert.equal(new Set(texts).size, 500);
    const depths = new Set<number>();
    for (const t of pop) {
      const text = print(t);
      assert.ok(isValidTree(t, p), text);
      assert.equal(t.kind, 'call');
      const d = depth(t);
      depths.add(d);
      assert.ok(d >= p.initDepth[0] && d <= p.initDepth[1], `${text} has depth ${d}`);
      assert.ok(size(t) <= p.maxSize);
      assert.equal(print(parse(text)), text);
    }
    // The ramp really reaches both ends of the depth range.
    assert.ok(depths.has(p.initDepth[0]) && depths.has(p.initDepth[1]), [...depths].join(','));
  }
});

test('constants appear when configured, only under elementwise ops, never as all operands', () => {
  const p = resolvePrimitives({ constants: [0.5, 2], constProb: 0.5 });
  let seen = 0;
  for (const t of rampedHalfAndHalf(mulberry32(9), p, 300)) {
    const walk = (n: Node): void => {
      if (n.kind !== 'call') return;
      const op = OPS.find((o) => o.name === n.op)!;
      const consts = n.args.filter((a) => a.kind === 'const').length;
      if (consts > 0) assert.equal(op.kind, 'elementwise', print(n));
      assert.ok(consts < n.args.length, print(n));
      seen += consts;
      n.args.forEach(walk);
    };
    walk(t);
  }
  assert.ok(seen > 20, `only ${seen} constants`);
});

test('full trees reach the requested depth when the size budget allows; grow trees stay within it', () => {
  const p = resolvePrimitives({ ops: ['neg', 'abs', 'rank', 'ts_Mean'], maxSize: 30 });
  const rng = mulberry32(5);
  for (let d = 2; d <= 6; d++) {
    for (let i = 0; i < 50; i++) {
      assert.equal(depth(randomTree(rng, p, 'full', d)), d);
      const g = randomTree(rng, p, 'grow', d);
      assert.ok(depth(g) <= d && isValidTree(g, p));
    }
  }
  assert.throws(() => randomTree(rng, p, 'grow', 1), RangeError);
  assert.throws(() => randomTree(rng, p, 'grow', 7), RangeError);
});

test('tight size limits never break generation', () => {
  const p = resolvePrimitives({ ops: ['add', 'correlation', 'covariance'], maxSize: 3, maxDepth: 6, initDepth: [2, 6] });
  const rng = mulberry32(11);
  for (let i = 0; i < 200; i++) {
    const t = randomTree(rng, p, 'full', 6);
    assert.ok(isValidTree(t, p) && size(t) === 3, print(t));
    const s = randomSubtree(rng, p, 'grow', 3, 1, false);
    assert.equal(s.kind, 'field');
  }
});

test('rampedHalfAndHalf returns fewer trees when uniqueness is impossible, without looping forever', () => {
  const p = resolvePrimitives({ ops: ['neg'], fields: ['close'], maxDepth: 3, initDepth: [2, 3] });
  const pop = rampedHalfAndHalf(mulberry32(2), p, 10);
  assert.deepEqual(pop.map(print).sort(), ['neg(close)', 'neg(neg(close))']);
  assert.deepEqual(rampedHalfAndHalf(mulberry32(2), p, 0), []);
});

test('isValidTree rejects each broken rule', () => {
  const p = resolvePrimitives({ constants: [1, 2], windows: [1, 2, 3, 5, 10] });
  const c = field('close');
  const ok = call('add', [c, constant(1)]);
  assert.ok(isValidTree(ok, p));
  const bad: Array<[Node, string]> = [
    [c, 'bare field root'],
    [call('add', [constant(1), constant(2)]), 'constant-only call'],
    [call('neg', [constant(1)]), 'constant-only unary call'],
    [call('ts_Mean', [constant(1)], 5), 'constant under a time-series op'],
    [call('rank', [call('add', [c, constant(3)])]), 'constant outside the set'],
    [call('ts_Mean', [c], 4), 'window outside the set'],
    [call('stddev', [c], 1), 'window below minWindow'],
    [call('ts_Mean', [c]), 'missing window'],
    [call('neg', [c], 3), 'window on an unwindowed op'],
    [call('add', [c]), 'wrong arity'],
    [call('rank', [field('turnover')]), 'unknown field'],
    [call('nope', [c]), 'unknown op'],
  ];
  for (const [t, why] of bad) assert.equal(isValidTree(t, p), false, why);
  const narrow = resolvePrimitives({ ops: ['neg'], maxDepth: 3, maxSize: 3 });
  assert.ok(isValidTree(call('neg', [call('neg', [c])]), narrow));
  assert.equal(isValidTree(call('neg', [call('neg', [call('neg', [c])])]), narrow), false, 'too deep/large');
  assert.equal(isValidTree(call('rank', [c]), narrow), false, 'op outside the set');
  assert.deepEqual(windowsOf(call('ts_Mean', [call('delay', [c], 2)], 5)), [5, 2]);
});
