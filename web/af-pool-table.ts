/**
 * <af-pool-table>: the factor pool, one row per member, with each metric's training, validation and test values
 * side by side so a factor that only held in sample stands out. Any column sorts (click or Enter/Space on its
 * header; again to reverse; `aria-sort` tells screen readers), NaN always last. Which metrics are shown is a
 * choice of checkboxes: all of them at once would not fit beside the expression at 1280 pixels. The test segment
 * is only reported, as in the miner: nothing here feeds back into the run. A row opens its factor's tear sheet:
 * a click anywhere on it, or Enter/Space on its expression (a button, so keyboard and screen reader users reach
 * it with Tab), dispatches `af-select-factor` with the expression; the chosen row stays marked.
 */
import { LitElement, css, html, nothing } from 'lit';
import type { PoolMember } from '../src/mine/miner.ts';
import type { FactorSummary } from '../src/fitness/metrics.ts';
import type { SegmentName } from '../src/data/splits.ts';
import { formatMetric } from '../src/report/table.ts';

type Metric = Exclude<keyof FactorSummary, 'direction'>;

/** Metrics offered, in display order, with a short header and what they mean (the header's tooltip). */
const METRICS: { key: Metric; label: string; title: string }[] = [
  { key: 'rank_ic', label: 'rank IC', title: 'mean daily Spearman IC' },
  { key: 'ic', label: 'IC', title: 'mean daily Pearson IC' },
  { key: 'icir', label: 'ICIR', title: 'mean IC / its std, annualised' },
  { key: 'rank_icir', label: 'rank ICIR', title: 'mean rank IC / its std, annualised' },
  { key: 'ic_t', label: 'IC t', title: 't statistic of the mean IC' },
  { key: 'ic_positive_share', label: 'IC>0', title: 'share of days with IC in the factor direction' },
  { key: 'long_excess', label: 'long excess', title: 'annualised top-group return over the market' },
  { key: 'long_short', label: 'long-short', title: 'annualised top-minus-bottom group return' },
  { key: 'long_short_ir', label: 'L-S IR', title: 'information ratio of the long-short return' },
  { key: 'monotonicity', label: 'monotonicity', title: 'monotonicity of the group returns' },
  { key: 'turnover', label: 'turnover', title: 'mean daily turnover of the top and bottom groups' },
  { key: 'coverage', label: 'coverage', title: 'share of stock-days with a value' },
  { key: 'days', label: 'days', title: 'days scored' },
];
const DEFAULT_SHOWN: Metric[] = ['rank_ic', 'ic', 'long_excess', 'monotonicity'];
const SEGMENTS: { key: SegmentName; label: string; long: string }[] = [
  { key: 'train', label: 'train', long: 'training' },
  { key: 'valid', label: 'valid', long: 'validation' },
  { key: 'test', label: 'test', long: 'test' },
];

type SortKey = { kind: 'expr' | 'generation' | 'fitness' | 'size' } | { kind: 'metric'; metric: Metric; segment: SegmentName };

function keyId(k: SortKey): string {
  return k.kind === 'metric' ? `${k.metric}.${k.segment}` : k.kind;
}

export class AfPoolTable extends LitElement {
  static override properties = {
    pool: { attribute: false },
    shown: { state: true },
    sort: { state: true },
    descending: { state: true },
    selected: { state: true },
  };

  declare pool: PoolMember[];
  declare shown: Metric[];
  declare sort: SortKey;
  declare descending: boolean;
  /** The expression whose tear sheet was asked for last. */
  declare selected: string | undefined;

  constructor() {
    super();
    this.pool = [];
    this.shown = DEFAULT_SHOWN;
    this.sort = { kind: 'fitness' };
    this.descending = true;
    this.selected = undefined;
  }

  static override styles = css`
    :host { display: block; background: #fff; border: 1px solid #d0d7de; border-radius: 6px; padding: 8px 10px; min-width: 0; }
    h2 { font-size: 14px; margin: 0; }
    .head { display: flex; gap: 12px; align-items: baseline; flex-wrap: wrap; }
    fieldset { border: 0; padding: 0; margin: 4px 0 6px; display: flex; flex-wrap: wrap; gap: 2px 10px; font-size: 12px; }
    legend { float: left; margin-right: 6px; color: #57606a; padding: 0; }
    .scroll { overflow: auto; max-height: 360px; border-top: 1px solid #d0d7de; }
    table { border-collapse: collapse; font-size: 12px; font-variant-numeric: tabular-nums; width: 100%; }
    th, td { padding: 3px 6px; border-bottom: 1px solid #eaeef2; white-space: nowrap; }
    thead th { position: sticky; background: #f6f8fa; z-index: 1; }
    thead tr:first-child th { top: 0; }
    thead tr:nth-child(2) th { top: 23px; }
    th.group { text-align: center; border-left: 1px solid #d0d7de; }
    td.num, th.num { text-align: right; }
    td.seg0, th.seg0 { border-left: 1px solid #d0d7de; }
    td.test { color: #57606a; }
    td.expr { font-family: ui-monospace, 'SFMono-Regular', Menlo, Consolas, monospace; white-space: normal; word-break: break-all; min-width: 180px; max-width: 300px; }
    th button { font: inherit; font-weight: 600; border: 0; background: none; padding: 0; cursor: pointer; color: inherit; }
    th button:focus-visible, input:focus-visible { outline: 2px solid #0969da; outline-offset: 1px; }
    .arrow { display: inline-block; width: 1em; color: #0969da; }
    .empty { color: #57606a; font-size: 13px; padding: 8px 0; margin: 0; }
    tbody tr { cursor: pointer; }
    tbody tr:hover { background: #f6f8fa; }
    tbody tr[aria-current='true'] { background: #ddf4ff; }
    button.pick { font: inherit; text-align: left; border: 0; background: none; padding: 0; margin: 0; color: #0969da; cursor: pointer; word-break: break-all; }
    button.pick:hover { text-decoration: underline; }
    button.pick:focus-visible { outline: 2px solid #0969da; outline-offset: 1px; }
  `;

  private value(m: PoolMember, k: SortKey): number | string {
    switch (k.kind) {
      case 'expr':
        return m.expr;
      case 'generation':
        return m.generation;
      case 'fitness':
        return m.fitness;
      case 'size':
        return m.size;
      case 'metric':
        return m.metrics[k.segment]?.[k.metric] ?? NaN;
    }
  }

  /** Members in the chosen order; NaN last in either direction, ties by expression for a stable view. */
  sorted(): PoolMember[] {
    const k = this.sort;
    const sign = this.descending ? -1 : 1;
    return [...this.pool].sort((a, b) => {
      const va = this.value(a, k);
      const vb = this.value(b, k);
      if (typeof va === 'string' || typeof vb === 'string') return sign * String(va).localeCompare(String(vb));
      const na = Number.isNaN(va);
      const nb = Number.isNaN(vb);
      if (na || nb) return na === nb ? a.expr.localeCompare(b.expr) : na ? 1 : -1;
      return sign * (va - vb) || a.expr.localeCompare(b.expr);
    });
  }

  private sortBy(k: SortKey): void {
    if (keyId(k) === keyId(this.sort)) this.descending = !this.descending;
    else {
      this.sort = k;
      this.descending = k.kind !== 'expr';
    }
  }

  private sortState(k: SortKey): 'ascending' | 'descending' | 'none' {
    return keyId(k) === keyId(this.sort) ? (this.descending ? 'descending' : 'ascending') : 'none';
  }

  private header(k: SortKey, label: string, title: string, cls = '') {
    const active = keyId(k) === keyId(this.sort);
    return html`<th scope="col" class=${cls} aria-sort=${this.sortState(k)} title=${title}>
      <button type="button" data-sort=${keyId(k)} @click=${() => this.sortBy(k)}>${label}<span class="arrow" aria-hidden="true">${active ? (this.descending ? '▼' : '▲') : ''}</span></button>
    </th>`;
  }

  private select(expr: string): void {
    this.selected = expr;
    this.dispatchEvent(new CustomEvent('af-select-factor', { detail: { expr }, bubbles: true, composed: true }));
  }

  private toggle(metric: Metric, on: boolean): void {
    const set = new Set(this.shown);
    if (on) set.add(metric);
    else set.delete(metric);
    this.shown = METRICS.map((m) => m.key).filter((m) => set.has(m));
  }

  override render() {
    const metrics = METRICS.filter((m) => this.shown.includes(m.key));
    const rows = this.sorted();
    return html`<div class="head">
        <h2 id="pool-title">Factor pool (${this.pool.length})</h2>
      </div>
      <fieldset>
        <legend>Metrics shown:</legend>
        ${METRICS.map((m) => html`<label title=${m.title}><input type="checkbox" .checked=${this.shown.includes(m.key)} @change=${(e: Event) => this.toggle(m.key, (e.target as HTMLInputElement).checked)} /> ${m.label}</label>`)}
      </fieldset>
      ${rows.length === 0
        ? html`<p class="empty">No factor has joined the pool yet: members must pass the report's rule (|IC| ≥ 0.03, long excess ≥ 0.15, monotonicity ≥ 0.8) on training and validation.</p>`
        : html`<div class="scroll" tabindex="0" role="region" aria-labelledby="pool-title">
            <table aria-labelledby="pool-title">
              <thead>
                <tr>
                  ${this.header({ kind: 'expr' }, 'expression', 'canonical expression', '')}
                  ${this.header({ kind: 'generation' }, 'gen', 'generation it joined', 'num')}
                  ${this.header({ kind: 'fitness' }, 'fitness', 'training fitness (the selection measure)', 'num')}
                  ${this.header({ kind: 'size' }, 'size', 'tree nodes', 'num')}
                  ${metrics.map((m) => html`<th scope="colgroup" colspan="3" class="group" title=${m.title}>${m.label}</th>`)}
                </tr>
                <tr>
                  <td colspan="4"></td>
                  ${metrics.map((m) => SEGMENTS.map((s, i) => this.header({ kind: 'metric', metric: m.key, segment: s.key }, s.label, `${m.label} on the ${s.long} days`, `num${i === 0 ? ' seg0' : ''}`)))}
                </tr>
              </thead>
              <tbody>
                ${rows.map((r) => html`<tr aria-current=${r.expr === this.selected ? 'true' : 'false'} @click=${() => this.select(r.expr)}>
                  <td class="expr"><button type="button" class="pick" title="Open the tear sheet of this factor" @click=${(e: Event) => {
                    // The row's own handler would select it a second time.
                    e.stopPropagation();
                    this.select(r.expr);
                  }}>${r.expr}</button></td>
                  <td class="num">${r.generation}</td>
                  <td class="num">${formatMetric(r.fitness)}</td>
                  <td class="num">${r.size}</td>
                  ${metrics.map((m) => SEGMENTS.map((s, i) => {
                    const v = r.metrics[s.key]?.[m.key];
                    return html`<td class="num ${i === 0 ? 'seg0' : ''} ${s.key}" data-col="${m.key}.${s.key}">${v === undefined ? nothing : m.key === 'days' ? String(v) : formatMetric(v)}</td>`;
                  }))}
                </tr>`)}
              </tbody>
            </table>
          </div>`}`;
  }
}

customElements.define('af-pool-table', AfPoolTable);

declare global {
  interface HTMLElementTagNameMap {
    'af-pool-table': AfPoolTable;
  }
}
