/**
 * Random trees for the GP miner and the validity rules every tree it handles must meet. Generation is
 * budget-aware: a tree is built within the size and depth limits instead of being drawn freely and rejected,
 * so even tight limits never make generation spin. All randomness comes from the Rng passed in.
 *
 * Validity (`isValidTree`): the root is a call; every operator, field, window and constant comes from the
 * primitive set; windows are at least the operator's `minWindow`; constants appear only as direct operands of
 * elementwise operators and never as all of a call's operands (so no `add(1,2)`: every call reads a field);
 * depth and size are within the limits.
 */
import { type Node, call, constant, field } from '../expr/ast.ts';
import { size } from '../expr/analyze.ts';
import { print } from '../expr/print.ts';
import type { Rng } from '../util/rng.ts';
import { type GpPrimitives, primIndex, windowsFor } from './primitives.ts';

export type GenMethod = 'grow' | 'full';

function pick<T>(rng: Rng, xs: readonly T[]): T {
  return xs[Math.floor(rng() * xs.length)];
}

export function isValidTree(node: Node, prims: GpPrimitives): boolean {
  if (node.kind !== 'call') return false;
  const idx = primIndex(prims);
  let nodes = 0;
  const ok = (n: Node, depth: number): boolean => {
    if (depth > prims.maxDepth || ++nodes > prims.maxSize) return false;
    if (n.kind === 'field') return idx.fields.has(n.name);
    if (n.kind === 'const') return idx.constants.has(n.value);
    const op = idx.ops.get(n.op);
    if (!op || n.args.length !== op.args.length) return false;
    if (op.windowed) {
      if (n.window === undefined || !idx.windows.has(n.window) || n.window < op.minWindow) return false;
    } else if (n.window !== undefined) return false;
    let consts = 0;
    for (const a of n.args) {
      if (a.kind === 'const') {
        if (op.kind !== 'elementwise') return false;
        consts++;
      }
    }
    if (consts === n.args.length) return false;
    return n.args.every((a) => ok(a, depth + 1));
  };
  return ok(node, 1);
}

/**
 * One random subtree of depth at most `depth` and at most `budget` nodes. With `mustCall` the top is a call
 * (roots must be); otherwise it may be a bare field. 'full' keeps adding calls until the depth is reached
 * where the size budget allows; 'grow' stops at a leaf with gplearn's odds (fields against operators).
 * The top is never a constant: constants are only placed as operands, where the parent's kind is known.
 */
export function randomSubtree(
  rng: Rng,
  prims: GpPrimitives,
  method: GenMethod,
  depth: number,
  budget: number,
  mustCall: boolean,
): Node {
  const idx = primIndex(prims);
  if (!Number.isInteger(depth) || depth < 1 || !Number.isInteger(budget) || budget < 1) {
    throw new RangeError(`randomSubtree: depth ${depth} and budget ${budget} must be positive integers`);
  }
  if (mustCall && (depth < 2 || budget < 1 + idx.minArity)) {
    throw new RangeError(`randomSubtree: no call fits depth ${depth} and ${budget} nodes`);
  }
  const gen = (depthLeft: number, left: number, top: boolean): Node => {
    const fitting = depthLeft >= 2 ? prims.ops.filter((op) => op.args.length + 1 <= left) : [];
    if (fitting.length === 0) return field(pick(rng, prims.fields));
    if (!(top && mustCall) && method === 'grow') {
      const nf = prims.fields.length;
      if (rng() * (nf + fitting.length) < nf) return field(pick(rng, prims.fields));
    }
    const op = pick(rng, fitting);
    const window = op.windowed ? pick(rng, windowsFor(prims, op)) : undefined;
    const k = op.args.length;
    // One anchor operand is never a constant, so the call always reads some field.
    const anchor = Math.floor(rng() * k);
    const useConsts = op.kind === 'elementwise' && prims.constants.length > 0 && k >= 2;
    let remaining = left - 1;
    const args: Node[] = [];
    for (let i = 0; i < k; i++) {
      if (useConsts && i !== anchor && rng() < prims.constProb) {
        args.push(constant(pick(rng, prims.constants)));
        remaining -= 1;
        continue;
      }
      // Leave at least one node for every operand still to come.
      const child = gen(depthLeft - 1, remaining - (k - 1 - i), false);
      args.push(child);
      remaining -= size(child);
    }
    return call(op.name, args, window);
  };
  return gen(depth, budget, true);
}

/** A random whole tree (a call at the root) of depth at most `depth`, within `prims.maxSize` nodes. */
export function randomTree(rng: Rng, prims: GpPrimitives, method: GenMethod, depth: number): Node {
  if (!Number.isInteger(depth) || depth < 2 || depth > prims.maxDepth) {
    throw new RangeError(`randomTree: depth must be an integer in [2, ${prims.maxDepth}], got ${depth}`);
  }
  return randomSubtree(rng, prims, method, depth, prims.maxSize, true);
}

/** Attempts per requested tree before giving up on finding more distinct ones. */
const ATTEMPTS_PER_TREE = 50;

/**
 * gplearn's initial population: depths ramped over `initDepth`, alternating grow and full at each depth, all
 * canonical texts distinct (duplicates would only cost evaluations). Returns fewer than `count` trees only
 * when the primitive set cannot produce that many distinct ones within a bounded number of attempts.
 */
export function rampedHalfAndHalf(rng: Rng, prims: GpPrimitives, count: number): Node[] {
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`count must be a non-negative integer, got ${count}`);
  const [lo, hi] = prims.initDepth;
  const span = hi - lo + 1;
  const out: Node[] = [];
  const seen = new Set<string>();
  const limit = count * ATTEMPTS_PER_TREE + 100;
  for (let attempt = 0; out.length < count && attempt < limit; attempt++) {
    // Ramp on attempts, not on accepted trees, so a setting that keeps repeating itself cannot stall the rest.
    const depth = lo + (attempt % span);
    const method: GenMethod = Math.floor(attempt / span) % 2 === 0 ? 'grow' : 'full';
    const tree = randomTree(rng, prims, method, depth);
    const text = print(tree);
    if (seen.has(text)) continue;
    seen.add(text);
    out.push(tree);
  }
  return out;
}
