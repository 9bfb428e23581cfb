/**
 * The GP variation operators (gplearn's set plus a window mutation). Each takes valid parents and returns a new
 * valid tree (`isValidTree`), or the first parent itself (same object) when no valid offspring turns up within
 * a few tries; callers can test `child === parent`. Parents are never modified: trees are readonly plain data,
 * so offspring share every unchanged subtree with them.
 */
import { type CallNode, type Node, call, constant, field } from '../expr/ast.ts';
import { depth, size } from '../expr/analyze.ts';
import { lookupOp } from '../ops/table.ts';
import type { OpSpec } from '../ops/types.ts';
import type { Rng } from '../util/rng.ts';
import { type GpPrimitives, primIndex, windowsFor } from './primitives.ts';
import { isValidTree, randomSubtree } from './generate.ts';

/** A subtree and where it sits: `path` indexes `args` from the root; `depth` is 1 at the root. */
export interface SubtreeRef {
  readonly node: Node;
  readonly path: readonly number[];
  readonly depth: number;
  /** The call whose operand it is; undefined at the root. */
  readonly parent: CallNode | undefined;
}

/** Every subtree in preorder (root first). */
export function subtrees(root: Node): SubtreeRef[] {
  const out: SubtreeRef[] = [];
  const walk = (node: Node, path: number[], d: number, parent: CallNode | undefined): void => {
    out.push({ node, path, depth: d, parent });
    if (node.kind === 'call') node.args.forEach((a, i) => walk(a, [...path, i], d + 1, node));
  };
  walk(root, [], 1, undefined);
  return out;
}

/** A copy of `root` with the subtree at `path` replaced; only the nodes along the path are new. */
export function replaceAt(root: Node, path: readonly number[], replacement: Node): Node {
  const go = (node: Node, i: number): Node => {
    if (i === path.length) return replacement;
    if (node.kind !== 'call' || path[i] < 0 || path[i] >= node.args.length) {
      throw new RangeError(`replaceAt: path [${path.join(',')}] leaves the tree`);
    }
    const args = node.args.slice();
    args[path[i]] = go(node.args[path[i]], i + 1);
    return call(node.op, args, node.window);
  };
  return go(root, 0);
}

/** gplearn's bias: calls are picked with weight 0.9, leaves with 0.1, so variation mostly moves real structure. */
const CALL_WEIGHT = 0.9;
const LEAF_WEIGHT = 0.1;

/** One of `refs` (non-empty) with the 90% call / 10% leaf bias. */
export function chooseSubtree(rng: Rng, refs: readonly SubtreeRef[]): SubtreeRef {
  let total = 0;
  for (const r of refs) total += r.node.kind === 'call' ? CALL_WEIGHT : LEAF_WEIGHT;
  let u = rng() * total;
  for (const r of refs) {
    u -= r.node.kind === 'call' ? CALL_WEIGHT : LEAF_WEIGHT;
    if (u < 0) return r;
  }
  return refs[refs.length - 1];
}

/** Whether `node` may stand where `at` stands, as far as the root and constant rules go. */
function placeable(at: SubtreeRef, node: Node): boolean {
  if (at.parent === undefined) return node.kind === 'call';
  if (node.kind !== 'const') return true;
  const parentOp = lookupOp(at.parent.op);
  if (!parentOp || parentOp.kind !== 'elementwise') return false;
  const i = at.path[at.path.length - 1];
  return at.parent.args.some((a, j) => j !== i && a.kind !== 'const');
}

/** Targets tried before a variation gives up and returns the parent. */
const TRIES = 5;

/** The child if valid; a final guard, since parents built elsewhere (parsed seeds) may break the rules. */
function checked(child: Node, prims: GpPrimitives): Node | undefined {
  return isValidTree(child, prims) ? child : undefined;
}

/**
 * Subtree crossover: a random subtree of `a` (90/10 biased) is replaced by a random subtree of `b` among those
 * that keep the child within the depth and size limits and the placement rules.
 */
export function crossover(rng: Rng, a: Node, b: Node, prims: GpPrimitives): Node {
  const ra = subtrees(a);
  const rb = subtrees(b).map((r) => ({ ref: r, size: size(r.node), depth: depth(r.node) }));
  const sizeA = size(a);
  for (let t = 0; t < TRIES; t++) {
    const target = chooseSubtree(rng, ra);
    const room = prims.maxSize - sizeA + size(target.node);
    const depthRoom = prims.maxDepth - target.depth + 1;
    const donors = rb.filter((d) => d.size <= room && d.depth <= depthRoom && placeable(target, d.ref.node));
    if (donors.length === 0) continue;
    const donor = chooseSubtree(rng, donors.map((d) => d.ref));
    const child = checked(replaceAt(a, target.path, donor.node), prims);
    if (child) return child;
  }
  return a;
}

/**
 * Subtree mutation: a random subtree is replaced by a fresh 'grow' tree that fits the limits, at most
 * `initDepth[1]` deep so mutation does not bloat trees faster than the initial population.
 */
export function subtreeMutation(rng: Rng, a: Node, prims: GpPrimitives): Node {
  const refs = subtrees(a);
  const sizeA = size(a);
  const minCall = 1 + primIndex(prims).minArity;
  for (let t = 0; t < TRIES; t++) {
    const target = chooseSubtree(rng, refs);
    const isRoot = target.parent === undefined;
    const budget = prims.maxSize - sizeA + size(target.node);
    const d = Math.min(prims.maxDepth - target.depth + 1, prims.initDepth[1]);
    if (d < 1 || budget < 1 || (isRoot && (d < 2 || budget < minCall))) continue;
    const fresh = randomSubtree(rng, prims, 'grow', d, budget, isRoot);
    const child = checked(replaceAt(a, target.path, fresh), prims);
    if (child) return child;
  }
  return a;
}

/** Operators that may replace `node`'s operator in place: same operand count, same windowed-ness. */
function opAlternatives(node: CallNode, prims: GpPrimitives): OpSpec[] {
  const cur = lookupOp(node.op);
  if (!cur) return [];
  const hasConst = node.args.some((x) => x.kind === 'const');
  return prims.ops.filter(
    (op) =>
      op.name !== cur.name &&
      op.args.length === cur.args.length &&
      op.windowed === cur.windowed &&
      (!hasConst || op.kind === 'elementwise') &&
      (!op.windowed || windowsFor(prims, op).length > 0),
  );
}

function hasAlternative(node: Node, prims: GpPrimitives): boolean {
  if (node.kind === 'field') return prims.fields.some((f) => f !== node.name);
  if (node.kind === 'const') return prims.constants.some((c) => c !== node.value);
  return opAlternatives(node, prims).length > 0;
}

function pick<T>(rng: Rng, xs: readonly T[]): T {
  return xs[Math.floor(rng() * xs.length)];
}

/** Default chance per node of a point mutation (gplearn's `p_point_replace` default is 0.05; trees here are small). */
export const DEFAULT_POINT_RATE = 0.1;

/**
 * Point mutation: each node is replaced with chance `rate` by one of the same kind and shape: a call by another
 * operator with as many operands and the same windowed-ness (keeping its window when still valid, else drawing
 * one), a field by another field, a constant by another constant. If the draw picks no node, one node is
 * mutated anyway, so the offspring differs whenever any node has an alternative. Size and depth never change.
 */
export function pointMutation(rng: Rng, a: Node, prims: GpPrimitives, rate: number = DEFAULT_POINT_RATE): Node {
  if (!(rate >= 0 && rate <= 1)) throw new RangeError(`rate must be in [0, 1], got ${rate}`);
  const refs = subtrees(a);
  const chosen = new Set<number>();
  const candidates: number[] = [];
  refs.forEach((r, i) => {
    if (!hasAlternative(r.node, prims)) return;
    candidates.push(i);
    if (rng() < rate) chosen.add(i);
  });
  if (candidates.length === 0) return a;
  if (chosen.size === 0) chosen.add(pick(rng, candidates));

  let counter = 0;
  const rebuild = (node: Node): Node => {
    const me = counter++;
    const hit = chosen.has(me);
    if (node.kind === 'field') return hit ? field(pick(rng, prims.fields.filter((f) => f !== node.name))) : node;
    if (node.kind === 'const') return hit ? constant(pick(rng, prims.constants.filter((c) => c !== node.value))) : node;
    let op = node.op;
    let window = node.window;
    if (hit) {
      const next = pick(rng, opAlternatives(node, prims));
      op = next.name;
      if (next.windowed) {
        const ws = windowsFor(prims, next);
        if (window === undefined || !ws.includes(window)) window = pick(rng, ws);
      }
    }
    let changed = hit;
    const args = node.args.map((x) => {
      const y = rebuild(x);
      if (y !== x) changed = true;
      return y;
    });
    return changed ? call(op, args, window) : node;
  };
  const child = rebuild(a);
  return checked(child, prims) ?? a;
}

/**
 * Hoist mutation: a random call subtree is replaced by one of its own proper subtrees, shrinking the tree
 * (gplearn's answer to bloat). Constants are never hoisted, and at the root only a call is.
 */
export function hoistMutation(rng: Rng, a: Node, prims: GpPrimitives): Node {
  const calls = subtrees(a).filter((r) => r.node.kind === 'call');
  for (let t = 0; t < TRIES && calls.length > 0; t++) {
    const outer = pick(rng, calls);
    const inner = subtrees(outer.node)
      .slice(1)
      .filter((r) => placeable(outer, r.node));
    if (inner.length === 0) continue;
    const lift = chooseSubtree(rng, inner);
    const child = checked(replaceAt(a, outer.path, lift.node), prims);
    if (child) return child;
  }
  return a;
}

/** Chance that a window mutation steps to a neighbouring allowed window rather than jumping anywhere. */
const NEIGHBOUR_PROB = 0.75;

/**
 * Window mutation: one windowed call gets another allowed window (>= its minWindow), usually a neighbouring
 * one in the sorted list, so evolution can tune a window without rebuilding the tree.
 */
export function windowMutation(rng: Rng, a: Node, prims: GpPrimitives): Node {
  const idx = primIndex(prims);
  const refs = subtrees(a).filter((r) => {
    if (r.node.kind !== 'call' || r.node.window === undefined) return false;
    const ws = idx.windowsFor.get(r.node.op);
    return ws !== undefined && ws.some((w) => w !== (r.node as CallNode).window);
  });
  if (refs.length === 0) return a;
  const target = pick(rng, refs);
  const node = target.node as CallNode;
  const ws = idx.windowsFor.get(node.op)!;
  const cur = node.window!;
  const i = ws.indexOf(cur);
  let next: number;
  const neighbours = i < 0 ? [] : [ws[i - 1], ws[i + 1]].filter((w) => w !== undefined);
  if (neighbours.length > 0 && rng() < NEIGHBOUR_PROB) next = pick(rng, neighbours);
  else next = pick(rng, ws.filter((w) => w !== cur));
  const child = checked(replaceAt(a, target.path, call(node.op, node.args, next)), prims);
  return child ?? a;
}
