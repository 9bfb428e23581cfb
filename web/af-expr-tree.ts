/**
 * <af-expr-tree>: a factor's expression tree drawn as SVG from its parsed AST (src/expr/ast.ts): operators (with
 * their window) as blue boxes, fields green, constants grey, the root on top. Each subtree gets the width of its
 * widest row, so long operator names never overlap; a large tree scrolls sideways inside its box rather than
 * shrinking to unreadable text. The same tree is also a nested list for screen readers, which the drawing is
 * not.
 */
import { LitElement, css, html, svg, nothing, type TemplateResult } from 'lit';
import type { Node } from '../src/expr/ast.ts';
import { formatNumber } from '../src/expr/print.ts';

const ROW = 44;
const BOX_H = 24;
const GAP = 10;
const CHAR = 7.2;

interface Placed {
  node: Node;
  label: string;
  x: number;
  y: number;
  w: number;
  children: Placed[];
}

function label(n: Node): string {
  if (n.kind === 'field') return n.name;
  if (n.kind === 'const') return formatNumber(n.value);
  return n.window === undefined ? n.op : `${n.op} ${n.window}`;
}

function boxWidth(text: string): number {
  return Math.ceil(text.length * CHAR) + 14;
}

/** Lays a tree out: x is the centre of each box, widths in pixels. */
export function layoutTree(root: Node): { nodes: Placed[]; width: number; height: number } {
  const span = new Map<Node, number>();
  const measure = (n: Node): number => {
    const own = boxWidth(label(n)) + GAP;
    const kids = n.kind === 'call' ? n.args.reduce((s, c) => s + measure(c), 0) : 0;
    const w = Math.max(own, kids);
    span.set(n, w);
    return w;
  };
  const width = measure(root);
  const all: Placed[] = [];
  let maxDepth = 0;
  const place = (n: Node, left: number, depth: number): Placed => {
    maxDepth = Math.max(maxDepth, depth);
    const sub = span.get(n)!;
    const children: Placed[] = [];
    if (n.kind === 'call') {
      const kids = n.args.reduce((s, c) => s + span.get(c)!, 0);
      let at = left + (sub - kids) / 2;
      for (const c of n.args) {
        children.push(place(c, at, depth + 1));
        at += span.get(c)!;
      }
    }
    const x = children.length ? (children[0]!.x + children[children.length - 1]!.x) / 2 : left + sub / 2;
    const p: Placed = { node: n, label: label(n), x, y: depth * ROW + 4, w: boxWidth(label(n)), children };
    all.push(p);
    return p;
  };
  place(root, 0, 0);
  return { nodes: all, width, height: maxDepth * ROW + BOX_H + 8 };
}

export class AfExprTree extends LitElement {
  static override properties = {
    tree: { attribute: false },
    expr: { type: String },
  };

  declare tree: Node | undefined;
  declare expr: string;

  constructor() {
    super();
    this.tree = undefined;
    this.expr = '';
  }

  static override styles = css`
    :host { display: block; min-width: 0; }
    .scroll { overflow-x: auto; max-width: 100%; }
    svg { display: block; margin: 0 auto; }
    rect.call { fill: #ddf4ff; stroke: #0969da; }
    rect.field { fill: #dafbe1; stroke: #1a7f37; }
    rect.const { fill: #f6f8fa; stroke: #8c959f; }
    text { font: 12px ui-monospace, 'SFMono-Regular', Menlo, Consolas, monospace; fill: #1b1f24; dominant-baseline: central; text-anchor: middle; }
    line { stroke: #8c959f; stroke-width: 1.2; }
    .sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
  `;

  private list(n: Node): TemplateResult {
    return html`<li>${label(n)}${n.kind === 'call' ? html`<ul>${n.args.map((c) => this.list(c))}</ul>` : nothing}</li>`;
  }

  override render() {
    if (!this.tree) return nothing;
    const { nodes, width, height } = layoutTree(this.tree);
    const edges = nodes.flatMap((p) => p.children.map((c) => svg`<line x1=${p.x} y1=${p.y + BOX_H} x2=${c.x} y2=${c.y}></line>`));
    const boxes = nodes.map((p) => svg`<g data-kind=${p.node.kind}>
        <rect class=${p.node.kind} x=${p.x - p.w / 2} y=${p.y} width=${p.w} height=${BOX_H} rx="5"></rect>
        <text x=${p.x} y=${p.y + BOX_H / 2}>${p.label}</text>
      </g>`);
    return html`<div class="scroll">
        <svg width=${Math.ceil(width)} height=${height} viewBox="0 0 ${Math.ceil(width)} ${height}" role="img" aria-label="Expression tree of ${this.expr}">
          ${edges}${boxes}
        </svg>
      </div>
      <ul class="sr" aria-label="Expression tree">${this.list(this.tree)}</ul>`;
  }
}

customElements.define('af-expr-tree', AfExprTree);

declare global {
  interface HTMLElementTagNameMap {
    'af-expr-tree': AfExprTree;
  }
}
