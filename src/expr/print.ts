/**
 * The canonical printer. `print(parse(s))` is the one spelling of a factor: no spaces, canonical operator names,
 * numbers in their shortest round-trip form. Canonical text is identity: it keys evaluation caches and shared
 * subtrees, so it must never depend on how the tree was built.
 */
import type { Node } from './ast.ts';

/** Shortest text that parses back to the same float64 (JS `String`), with -0 written as 0. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) throw new RangeError(`constant ${value} is not finite`);
  return Object.is(value, -0) ? '0' : String(value);
}

const memo = new WeakMap<Node, string>();

export function print(node: Node): string {
  const hit = memo.get(node);
  if (hit !== undefined) return hit;
  let text: string;
  switch (node.kind) {
    case 'field':
      text = node.name;
      break;
    case 'const':
      text = formatNumber(node.value);
      break;
    case 'call': {
      const parts = node.args.map(print);
      if (node.window !== undefined) parts.unshift(String(node.window));
      text = `${node.op}(${parts.join(',')})`;
      break;
    }
  }
  memo.set(node, text);
  return text;
}
