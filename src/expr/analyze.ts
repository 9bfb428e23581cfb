/**
 * Facts about a tree derived from the operator table: how many bars of history it needs, its depth and size.
 * The GP miner uses these for limits; the evaluator for nothing (every cell is computed, NaN where short).
 */
import type { Node } from './ast.ts';
import { getOp } from '../ops/table.ts';

/** Bars before t that the expression reads at t (its total lookback). */
export function lookback(node: Node): number {
  if (node.kind !== 'call') return 0;
  const own = getOp(node.op).lookback(node.window ?? 0);
  let inner = 0;
  for (const a of node.args) inner = Math.max(inner, lookback(a));
  return own + inner;
}

export function depth(node: Node): number {
  if (node.kind !== 'call') return 1;
  let d = 0;
  for (const a of node.args) d = Math.max(d, depth(a));
  return d + 1;
}

export function size(node: Node): number {
  if (node.kind !== 'call') return 1;
  let s = 1;
  for (const a of node.args) s += size(a);
  return s;
}

/** Field names the expression reads. */
export function fieldsOf(node: Node, into: Set<string> = new Set()): Set<string> {
  if (node.kind === 'field') into.add(node.name);
  else if (node.kind === 'call') for (const a of node.args) fieldsOf(a, into);
  return into;
}
