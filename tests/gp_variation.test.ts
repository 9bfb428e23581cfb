/**
 * The GP variation operators over many random parents: every offspring is valid and round-trips through
 * canonical text, parents are never modified, and each operator keeps its own promise (crossover only reuses
 * parent material, hoist never grows a tree, point mutation keeps the shape, window mutation moves one window).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type CallNode, type Node, call, constant, field } from '../src/expr/ast.ts';
import { depth, size } from '../src/expr/analyze.ts';
import { parse } from '../src/expr/parse.ts';
import { print } from '../src/expr/print.ts';
import { mulberry32, type Rng } from '../src/util/rng.ts';
import { type GpPrimitives, resolvePrimitives } from '../src/gp/primitives.ts';
import { isValidTree, rampedHalfAndHalf } from '../src/gp/generate.ts';
import {
  chooseSubtree, crossover, hoistMutation, pointMutation, replaceAt, subtreeMutation, subtrees, windowMutation,
} from '../src/gp/variation.ts';

const PRIMS: GpPrimitives[] = [
  resolvePrimitives(),
  resolvePrimitives({ constants: [0.5, 1, 2, -1], constProb: 0.3, maxSize: 20, maxDepth: 5 }),
  resolvePrimitives({ ops: ['add', 'mul', 'rank', 'ts_Mean', 'stddev', 'correlation'], windows: [1, 2, 5, 10, 20] }),
];
const TRIALS = 400;

/** Everything a tree is made of: fields, ops, windows and constants, as tagged strings. */
function material(node: Node, out: Set<string> = new Set()): Set<string> {
  if (node.kind === 'field') out.add(`f:${node.name}`);
  else if (node.kind === 'const') out.add(`c:${node.value}`);
  else {
    out.add(`o:${node.op}`);
    if (node.window !== undefined) out.add(`w:${node.op}:${node.window}`);
    node.args.forEach((a) => material(a, out));
  }
  return out;
}

function windowsOf(node: Node, out: number[] = []): number[] {
  if (node.kind === 'call') {
    if (node.window !== undefined) out.push(node.window);
    node.args.forEach((a) => windowsOf(a, out));
  }
  return out;
}

function shape(node: Node): string {
  return node.kind === 'call' ? `(${node.args.map(shape).join(' ')})` : '.';
}

function assertGood(child: Node, prims: GpPrimitives, what: string): void {
  const text = print(child);
  assert.ok(isValidTree(child, prims), `${what} produced invalid ${text}`);
  assert.equal(print(parse(text)), text, `${what}: ${text} does not round-trip`);
}

/** Runs `body` on many random parent pairs from each primitive set, checking parents stay untouched. */
function trials(seed: number, body: (rng: Rng, prims: GpPrimitives, a: Node, b: Node) => void): void {
  for (const prims of PRIMS) {
    const rng = mulberry32(seed);
    const pop = rampedHalfAndHalf(rng, prims, 100);
    for (let i = 0; i < TRIALS; i++) {
      const a = pop[Math.floor(rng() * pop.length)];
      const b = pop[Math.floor(rng() * pop.length)];
      const before = [print(a), print(b), JSON.stringify(a), JSON.stringify(b)];
      body(rng, prims, a, b);
      assert.deepEqual([print(a), print(b), JSON.stringify(a), JSON.stringify(b)], before, 'a parent was modified');
    }
  }
}

test('subtrees lists every node in preorder with paths; replaceAt rebuilds only the spine', () => {
  const t = parse('add(rank(close),ts_Mean(5,mul(open,volume)))');
  const refs = subtrees(t);
  assert.deepEqual(refs.map((r) => print(r.node)), [
    'add(rank(close),ts_Mean(5,mul(open,volume)))', 'rank(close)', 'close', 'ts_Mean(5,mul(open,volume))',
    'mul(open,volume)', 'open', 'volume',
  ]);
  assert.deepEqual(refs.map((r) => r.path.join('.')), ['', '0', '0.0', '1', '1.0', '1.0.0', '1.0.1']);
  assert.deepEqual(refs.map((r) => r.depth), [1, 2, 3, 2, 3, 4, 4]);
  const u = replaceAt(t, [1, 0, 1], field('high'));
  assert.equal(print(u), 'add(rank(close),ts_Mean(5,mul(open,high)))');
  assert.equal(print(t), 'add(rank(close),ts_Mean(5,mul(open,volume)))');
  assert.equal((u as CallNode).args[0], (t as CallNode).args[0], 'unchanged subtree is shared');
  assert.equal(replaceAt(t, [], field('low')).kind, 'field');
  assert.throws(() => replaceAt(t, [0, 0, 0], field('low')), RangeError);
});

test('chooseSubtree picks calls about 90% of the weight, leaves 10%', () => {
  const refs = subtrees(parse('neg(add(close,open))')); // 2 calls, 2 leaves
  const rng = mulberry32(4);
  let calls = 0;
  const n = 20000;
  for (let i = 0; i < n; i++) if (chooseSubtree(rng, refs).node.kind === 'call') calls++;
  assert.ok(Math.abs(calls / n - 0.9) < 0.01, `calls ${calls / n}`);
});

test('crossover: valid children made only of parent material', () => {
  let changed = 0;
  trials(1, (rng, prims, a, b) => {
    const child = crossover(rng, a, b, prims);
    assertGood(child, prims, 'crossover');
    const have = new Set([...material(a), ...material(b)]);
    for (const m of material(child)) assert.ok(have.has(m), `${m} in ${print(child)} is from neither parent`);
    assert.ok(size(child) <= prims.maxSize && depth(child) <= prims.maxDepth);
    if (child !== a) changed++;
  });
  assert.ok(changed > PRIMS.length * TRIALS * 0.8, `only ${changed} crossovers happened`);
});

test('crossover respects tight limits by returning the parent when nothing fits', () => {
  const prims = resolvePrimitives({ maxSize: 3, maxDepth: 3 });
  const a = parse('neg(close)');
  const b = parse('add(rank(close),open)');
  const rng = mulberry32(8);
  for (let i = 0; i < 200; i++) {
    const c = crossover(rng, a, b, prims);
    assertGood(c, prims, 'crossover');
  }
  assert.equal(crossover(mulberry32(1), parse('neg(close)'), parse('neg(close)'), resolvePrimitives({ ops: ['neg'], fields: ['close'] })).kind, 'call');
});

test('subtree mutation: valid children within the limits, usually different', () => {
  let changed = 0;
  trials(2, (rng, prims, a) => {
    const child = subtreeMutation(rng, a, prims);
    assertGood(child, prims, 'subtreeMutation');
    if (print(child) !== print(a)) changed++;
  });
  assert.ok(changed > PRIMS.length * TRIALS * 0.8, `only ${changed} changed`);
});

test('point mutation keeps the shape and changes at least one node', () => {
  trials(3, (rng, prims, a) => {
    const child = pointMutation(rng, a, prims);
    assertGood(child, prims, 'pointMutation');
    assert.equal(shape(child), shape(a));
    assert.equal(size(child), size(a));
    assert.notEqual(print(child), print(a));
  });
});

test('point mutation at rate 1 replaces every node that has an alternative', () => {
  const prims = resolvePrimitives({ ops: ['add', 'sub', 'neg', 'abs', 'ts_Mean', 'ts_Sum'], fields: ['close', 'open'] });
  const a = parse('add(neg(close),ts_Mean(3,open))');
  const child = pointMutation(mulberry32(6), a, prims, 1);
  assert.equal(print(child), 'sub(abs(open),ts_Sum(3,close))');
  assert.throws(() => pointMutation(mulberry32(6), a, prims, 2), RangeError);
});

test('point mutation keeps constants under elementwise ops and redraws windows below the new minimum', () => {
  const prims = resolvePrimitives({ ops: ['add', 'covariance', 'correlation', 'REGbeta_ts'], constants: [1, 2], windows: [1, 2, 3] });
  const rng = mulberry32(12);
  for (let i = 0; i < 200; i++) {
    const a = call('add', [call('correlation', [field('close'), field('open')], 2), constant(1)]);
    const c = pointMutation(rng, a, prims, 0.5);
    assertGood(c, prims, 'pointMutation');
  }
  const sd = resolvePrimitives({ ops: ['ts_Mean', 'stddev'], fields: ['close'], windows: [1, 2, 3] });
  const redrawn = new Set<string>();
  for (let i = 0; i < 50; i++) redrawn.add(print(pointMutation(rng, parse('ts_Mean(1,close)'), sd, 1)));
  assert.deepEqual([...redrawn].sort(), ['stddev(2,close)', 'stddev(3,close)']);
  assert.equal(print(pointMutation(rng, parse('ts_Mean(3,close)'), sd, 1)), 'stddev(3,close)', 'a valid window is kept');
  const noAlt = resolvePrimitives({ ops: ['neg'], fields: ['close'] });
  const t = parse('neg(neg(close))');
  assert.equal(pointMutation(mulberry32(1), t, noAlt), t, 'nothing to change: parent returned');
});

test('hoist mutation never grows a tree and yields valid children', () => {
  let shrunk = 0;
  trials(4, (rng, prims, a) => {
    const child = hoistMutation(rng, a, prims);
    assertGood(child, prims, 'hoistMutation');
    assert.ok(size(child) <= size(a), `${print(a)} -> ${print(child)}`);
    assert.ok(depth(child) <= depth(a));
    if (size(child) < size(a)) shrunk++;
    else assert.equal(child, a);
  });
  assert.ok(shrunk > PRIMS.length * TRIALS * 0.5, `only ${shrunk} hoists`);
  const tiny = parse('rank(close)');
  assert.equal(hoistMutation(mulberry32(1), tiny, PRIMS[0]), tiny);
});

test('window mutation changes exactly one window, to a valid one, usually a neighbour', () => {
  let changed = 0;
  let neighbour = 0;
  trials(5, (rng, prims, a) => {
    const child = windowMutation(rng, a, prims);
    assertGood(child, prims, 'windowMutation');
    const wa = windowsOf(a);
    const wc = windowsOf(child);
    if (child === a) return;
    changed++;
    assert.equal(shape(child), shape(a));
    assert.equal(print(child).replace(/\d+/g, 'N'), print(a).replace(/\d+/g, 'N'), 'only a window changed');
    const diff = wa.map((w, i) => i).filter((i) => wa[i] !== wc[i]);
    assert.equal(diff.length, 1, `${print(a)} -> ${print(child)}`);
    const [i] = diff;
    const k = prims.windows.indexOf(wa[i]);
    if (Math.abs(prims.windows.indexOf(wc[i]) - k) === 1) neighbour++;
  });
  assert.ok(changed > 500, `only ${changed} window mutations`);
  assert.ok(neighbour / changed > 0.6, `neighbour share ${neighbour / changed}`);
  const noWindows = parse('add(rank(close),open)');
  assert.equal(windowMutation(mulberry32(1), noWindows, PRIMS[0]), noWindows);
});

test('variation is deterministic for a seed', () => {
  const prims = PRIMS[1];
  const run = (seed: number): string[] => {
    const rng = mulberry32(seed);
    const pop = rampedHalfAndHalf(rng, prims, 20);
    return pop.flatMap((a, i) => [
      crossover(rng, a, pop[(i + 1) % pop.length], prims),
      subtreeMutation(rng, a, prims),
      pointMutation(rng, a, prims),
      hoistMutation(rng, a, prims),
      windowMutation(rng, a, prims),
    ].map(print));
  };
  assert.deepEqual(run(77), run(77));
  assert.notDeepEqual(run(77), run(78));
});
