/**
 * <af-corr-heatmap>: the pool's factor-to-factor correlation (the research report's figure 14) as a canvas
 * heatmap, blue for -1 through white to red for +1, factors numbered in pool order with a key. Pointing at a
 * cell, or moving over the cells with the arrow keys once the heatmap has focus, reads out that pair's value and
 * expressions (a live region, so screen readers hear it too); the full matrix is also a plain table. The matrix
 * is computed in the worker (web/tear-sheet-data.ts) on all days, the `correlation` of `eval --report`; this
 * element only asks for it (`af-request-corr`) and draws what comes back for the pool it was asked about.
 */
import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import type { PoolMember } from '../src/mine/miner.ts';
import type { PoolCorrelation } from './tear-sheet-data.ts';
import type { FromWorker } from './protocol.ts';

const TOP = 22;
const LEFT = 34;

/** Diverging colour for a correlation in [-1, 1]; grey where undefined. */
export function corrColor(v: number): string {
  if (!Number.isFinite(v)) return '#d0d7de';
  const t = Math.max(-1, Math.min(1, v));
  // White at 0 towards #b2182b (positive) or #2166ac (negative).
  const [r, g, b] = t >= 0 ? [178, 24, 43] : [33, 102, 172];
  const a = Math.abs(t);
  const mix = (c: number) => Math.round(255 + (c - 255) * a);
  return `rgb(${mix(r)}, ${mix(g)}, ${mix(b)})`;
}

export class AfCorrHeatmap extends LitElement {
  static override properties = {
    pool: { attribute: false },
    corr: { state: true },
    busy: { state: true },
    error: { state: true },
    cell: { state: true },
  };

  /** The pool as the app holds it: a matrix for another set of factors is shown as out of date. */
  declare pool: PoolMember[];
  declare corr: PoolCorrelation | undefined;
  declare busy: boolean;
  declare error: string | undefined;
  /** The cell pointed at or focused, [row, column]. */
  declare cell: [number, number] | undefined;
  private pendingId = -1;
  private resize: ResizeObserver | undefined;
  private size = 0;

  constructor() {
    super();
    this.pool = [];
    this.corr = undefined;
    this.busy = false;
    this.error = undefined;
    this.cell = undefined;
  }

  static override styles = css`
    :host { display: block; background: #fff; border: 1px solid #d0d7de; border-radius: 6px; padding: 8px 10px; min-width: 0; }
    .head { display: flex; gap: 10px; align-items: baseline; flex-wrap: wrap; }
    h2 { font-size: 14px; margin: 0; }
    .note { color: #57606a; font-size: 12px; margin: 0; }
    .body { display: flex; gap: 14px; flex-wrap: wrap; align-items: flex-start; margin-top: 6px; }
    .plot { flex: 0 1 auto; min-width: 0; }
    canvas { display: block; max-width: 100%; }
    canvas:focus-visible { outline: 2px solid #0969da; outline-offset: 2px; }
    .scale { display: flex; align-items: center; gap: 4px; font-size: 11px; color: #57606a; margin-top: 4px; }
    .bar { width: 140px; height: 10px; background: linear-gradient(to right, rgb(33,102,172), #fff, rgb(178,24,43)); border: 1px solid #d0d7de; }
    .readout { font-size: 12px; min-height: 2.6em; margin: 4px 0 0; max-width: 520px; word-break: break-all; }
    ol { margin: 0; padding-left: 2.6em; font: 11px/1.5 ui-monospace, Menlo, Consolas, monospace; max-height: 260px; overflow: auto; flex: 1 1 240px; min-width: 0; word-break: break-all; }
    details { margin-top: 6px; font-size: 12px; }
    summary { cursor: pointer; color: #0969da; }
    summary:focus-visible, button:focus-visible { outline: 2px solid #0969da; outline-offset: 1px; }
    .scroll { overflow: auto; max-height: 300px; }
    table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
    th, td { padding: 2px 5px; border: 1px solid #eaeef2; text-align: right; white-space: nowrap; }
    th[scope='row'] { text-align: left; font-weight: normal; font-family: ui-monospace, Menlo, Consolas, monospace; max-width: 260px; overflow: hidden; text-overflow: ellipsis; }
    button { font: inherit; font-size: 12px; padding: 2px 10px; border-radius: 6px; border: 1px solid #8c959f; background: #f6f8fa; cursor: pointer; }
    .error { color: #cf222e; }
  `;

  /** The app sends a request with this id; only its answer is drawn. */
  pending(id: number): void {
    this.pendingId = id;
    this.busy = true;
    this.error = undefined;
  }

  /** A worker answer (pool-corr or analysis-error); others' and stale ones are ignored. */
  receive(m: FromWorker): void {
    if ((m.type !== 'pool-corr' && m.type !== 'analysis-error') || m.id !== this.pendingId) return;
    this.busy = false;
    if (m.type === 'pool-corr') {
      this.corr = m.corr;
      this.cell = undefined;
    } else this.error = m.message;
  }

  /** Pool order: fittest first, as the miner keeps it. */
  private poolExprs(): string[] {
    return this.pool.map((p) => p.expr);
  }

  private current(): boolean {
    const c = this.corr;
    if (!c) return false;
    const want = this.poolExprs();
    return c.exprs.length === want.length && c.exprs.every((e, i) => e === want[i]);
  }

  private request(): void {
    this.dispatchEvent(new CustomEvent('af-request-corr', { detail: { exprs: this.poolExprs() }, bubbles: true, composed: true }));
  }

  override firstUpdated(): void {
    this.resize = new ResizeObserver(() => {
      if (Math.abs(this.clientWidth - this.size) > 8) this.draw();
    });
    this.resize.observe(this);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.resize?.disconnect();
  }

  override updated(_changed: PropertyValues<this>): void {
    this.draw();
  }

  private cellSize(F: number): number {
    const avail = Math.min(560, Math.max(200, this.clientWidth - 40)) - LEFT;
    return Math.max(6, Math.min(40, Math.floor(avail / Math.max(1, F))));
  }

  private draw(): void {
    const canvas = this.renderRoot.querySelector('canvas');
    const c = this.corr;
    if (!canvas || !c || !this.current()) return;
    this.size = this.clientWidth;
    const F = c.exprs.length;
    const s = this.cellSize(F);
    const w = LEFT + F * s + 2;
    const h = TOP + F * s + 2;
    const dpr = window.devicePixelRatio || 1;
    canvas.width = Math.round(w * dpr);
    canvas.height = Math.round(h * dpr);
    canvas.style.width = `${w}px`;
    canvas.style.height = `${h}px`;
    const ctx = canvas.getContext('2d')!;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, w, h);
    ctx.font = '10px system-ui, sans-serif';
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    // Numbers on the axes only where they fit; the key and the readout name every factor anyway.
    const every = Math.max(1, Math.ceil(16 / s));
    for (let i = 0; i < F; i++) {
      if (i % every !== 0) continue;
      ctx.fillStyle = '#57606a';
      ctx.fillText(String(i + 1), LEFT + i * s + s / 2, TOP / 2);
      ctx.textAlign = 'right';
      ctx.fillText(String(i + 1), LEFT - 4, TOP + i * s + s / 2);
      ctx.textAlign = 'center';
    }
    for (let i = 0; i < F; i++) {
      for (let j = 0; j < F; j++) {
        const v = c.matrix[i]![j]!;
        ctx.fillStyle = corrColor(v);
        ctx.fillRect(LEFT + j * s, TOP + i * s, s, s);
        if (s >= 30) {
          ctx.fillStyle = Math.abs(v) > 0.6 ? '#fff' : '#1b1f24';
          ctx.fillText(Number.isFinite(v) ? v.toFixed(2) : '–', LEFT + j * s + s / 2, TOP + i * s + s / 2);
        }
      }
    }
    const cell = this.cell;
    if (cell) {
      ctx.strokeStyle = '#1b1f24';
      ctx.lineWidth = 2;
      ctx.strokeRect(LEFT + cell[1] * s + 1, TOP + cell[0] * s + 1, s - 2, s - 2);
    }
  }

  private cellAt(e: MouseEvent): [number, number] | undefined {
    const F = this.corr?.exprs.length ?? 0;
    const s = this.cellSize(F);
    const r = (e.target as HTMLCanvasElement).getBoundingClientRect();
    const col = Math.floor((e.clientX - r.left - LEFT) / s);
    const row = Math.floor((e.clientY - r.top - TOP) / s);
    return row >= 0 && col >= 0 && row < F && col < F ? [row, col] : undefined;
  }

  private onKey(e: KeyboardEvent): void {
    const F = this.corr?.exprs.length ?? 0;
    if (!F) return;
    const [r, c] = this.cell ?? [0, 0];
    const moves: Record<string, [number, number]> = {
      ArrowUp: [r - 1, c], ArrowDown: [r + 1, c], ArrowLeft: [r, c - 1], ArrowRight: [r, c + 1],
      Home: [r, 0], End: [r, F - 1], PageUp: [0, c], PageDown: [F - 1, c],
    };
    const next = moves[e.key];
    if (!next) return;
    e.preventDefault();
    this.cell = [Math.max(0, Math.min(F - 1, next[0])), Math.max(0, Math.min(F - 1, next[1]))];
  }

  private readout(): string {
    const c = this.corr;
    const cell = this.cell;
    if (!c || !cell) return 'Point at a cell, or focus the heatmap and use the arrow keys, to read a pair.';
    const v = c.matrix[cell[0]]![cell[1]]!;
    return `#${cell[0] + 1} × #${cell[1] + 1}: ${Number.isFinite(v) ? v.toFixed(3) : 'undefined'} — ${c.exprs[cell[0]]} / ${c.exprs[cell[1]]}`;
  }

  private renderMatrix(c: PoolCorrelation) {
    const F = c.exprs.length;
    return html`<div class="body">
        <div class="plot">
          <canvas tabindex="0" role="img" aria-label="Correlation heatmap of ${F} pool factors; arrow keys move between cells"
            aria-describedby="corr-readout"
            @mousemove=${(e: MouseEvent) => (this.cell = this.cellAt(e) ?? this.cell)}
            @focus=${() => (this.cell ??= [0, 0])}
            @keydown=${this.onKey}></canvas>
          <div class="scale" aria-hidden="true"><span>−1</span><span class="bar"></span><span>+1</span></div>
          <p class="readout" id="corr-readout" role="status" aria-live="polite">${this.readout()}</p>
        </div>
        <ol aria-label="Factors of the heatmap">${c.exprs.map((e) => html`<li>${e}</li>`)}</ol>
      </div>
      <details>
        <summary>Correlation table</summary>
        <div class="scroll" tabindex="0" role="region" aria-label="Correlation table">
          <table>
            <caption class="note">Mean daily cross-sectional rank correlation over ${c.days} days</caption>
            <thead><tr><th scope="col">factor</th>${c.exprs.map((_, j) => html`<th scope="col">#${j + 1}</th>`)}</tr></thead>
            <tbody>${c.matrix.map((row, i) => html`<tr><th scope="row" title=${c.exprs[i]!}>#${i + 1} ${c.exprs[i]}</th>${row.map((v) => html`<td>${Number.isFinite(v) ? v.toFixed(3) : '–'}</td>`)}</tr>`)}</tbody>
          </table>
        </div>
      </details>`;
  }

  override render() {
    const n = this.pool.length;
    const c = this.current() ? this.corr : undefined;
    const note = this.busy ? 'Computing…'
      : c ? `Mean daily cross-sectional rank correlation over all ${c.days} days, ${c.exprs.length} factors (${(c.ms / 1000).toFixed(1)} s).`
      : n < 2 ? 'Needs at least two pool factors.'
      : this.corr ? 'The pool has changed since this was computed.' : 'Computed when the run ends.';
    return html`<div class="head">
        <h2 id="corr-title">Pool correlation</h2>
        <p class="note" role="status">${note}</p>
        ${n >= 2 && !c && !this.busy ? html`<button type="button" @click=${this.request}>Compute now</button>` : nothing}
      </div>
      ${this.error ? html`<p class="error" role="alert">Could not compute the correlation: ${this.error}</p>` : nothing}
      ${c && n >= 2 ? this.renderMatrix(c) : nothing}`;
  }
}

customElements.define('af-corr-heatmap', AfCorrHeatmap);

declare global {
  interface HTMLElementTagNameMap {
    'af-corr-heatmap': AfCorrHeatmap;
  }
}
