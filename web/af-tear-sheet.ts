/**
 * <af-tear-sheet>: one factor's tear sheet in a modal dialog, as the research report's figures show a factor:
 * the expression tree, the metrics on training, validation and test days side by side with the report's
 * pass rule, IC decay over label horizons, and per segment (train, valid, test in three columns) the daily IC
 * and rank IC with their running sums, each quantile group's net value (figures 8-13) and the long-short net
 * value. Everything arrives computed from the worker (web/tear-sheet-data.ts, the library's buildReport);
 * this element only lays it out. A native <dialog>: focus moves in and returns on close, Escape closes it.
 * The app calls `open(id, expr)` when it sends a request and hands every answer to `receive`; only the answer
 * to the latest request is shown, so a quick second click never shows the first factor under the second's name.
 */
import { LitElement, css, html, nothing } from 'lit';
import type { SegmentName } from '../src/data/splits.ts';
import { formatMetric } from '../src/report/table.ts';
import type { FromWorker } from './protocol.ts';
import type { TearSheet } from './tear-sheet-data.ts';
import type { ChartSeries } from './af-series-chart.ts';
import './af-series-chart.ts';
import './af-expr-tree.ts';

/** Rows of the metrics table, in the report's order; long names in the tooltip. */
const ROWS: { key: string; label: string; title: string }[] = [
  { key: 'ic', label: 'IC', title: 'mean daily Pearson IC' },
  { key: 'rank_ic', label: 'rank IC', title: 'mean daily Spearman IC' },
  { key: 'icir', label: 'ICIR', title: 'mean IC / its std, annualised' },
  { key: 'rank_icir', label: 'rank ICIR', title: 'mean rank IC / its std, annualised' },
  { key: 'ic_t', label: 'IC t', title: 't statistic of the mean IC' },
  { key: 'ic_positive_share', label: 'IC > 0', title: 'share of days with a positive IC' },
  { key: 'long_excess', label: 'long excess', title: 'annualised top-group return over the market' },
  { key: 'long_short', label: 'long-short', title: 'annualised top-minus-bottom group return' },
  { key: 'long_short_ir', label: 'long-short IR', title: 'information ratio of the long-short return' },
  { key: 'monotonicity', label: 'monotonicity', title: 'Spearman correlation of group number and group return' },
  { key: 'turnover', label: 'turnover', title: 'mean daily turnover of the top group' },
  { key: 'coverage', label: 'coverage', title: 'share of stock-days with a value' },
  { key: 'direction', label: 'direction', title: '+1 when a higher factor predicts a higher return' },
  { key: 'days', label: 'days', title: 'days scored' },
  { key: 'skipped_days', label: 'skipped days', title: 'days with too few stocks or a constant factor' },
];
/** Whole numbers: shown as they are, not to four decimals. */
const COUNTS = new Set(['direction', 'days', 'skipped_days']);

const SEGMENT_LONG: Record<SegmentName, string> = { train: 'training', valid: 'validation', test: 'test' };

/** Group colours from the worst group (red) to the best (green), for up to 10 groups. */
function groupColor(g: number, q: number): string {
  const t = q <= 1 ? 1 : g / (q - 1);
  const hue = Math.round(t * 130);
  return `hsl(${hue}, 70%, ${42 - Math.abs(t - 0.5) * 8}%)`;
}

function unixDay(date: string): number {
  const [y, m, d] = date.split('-').map(Number);
  return Date.UTC(y!, (m ?? 1) - 1, d ?? 1) / 1000;
}

type Failure = Extract<FromWorker, { type: 'analysis-error' }>;

export class AfTearSheet extends LitElement {
  static override properties = {
    sheet: { state: true },
    loading: { state: true },
    failure: { state: true },
  };

  declare sheet: TearSheet | undefined;
  /** The expression being computed, if any. */
  declare loading: string | undefined;
  declare failure: Failure | undefined;
  private pendingId = -1;

  constructor() {
    super();
    this.sheet = undefined;
    this.loading = undefined;
    this.failure = undefined;
  }

  static override styles = css`
    dialog { width: min(1500px, 96vw); max-height: 94vh; box-sizing: border-box; padding: 0; border: 1px solid #d0d7de; border-radius: 8px; box-shadow: 0 8px 32px rgba(0,0,0,.25); color: #1b1f24; }
    dialog::backdrop { background: rgba(27,31,36,.45); }
    .bar { position: sticky; top: 0; z-index: 3; background: #f6f8fa; border-bottom: 1px solid #d0d7de; display: flex; gap: 12px; align-items: center; padding: 8px 14px; }
    h2 { font-size: 16px; margin: 0; flex: 1 1 auto; min-width: 0; overflow-wrap: anywhere; }
    h2 code { font: 600 14px ui-monospace, 'SFMono-Regular', Menlo, Consolas, monospace; }
    h3 { font-size: 14px; margin: 0 0 6px; }
    button { font: inherit; padding: 4px 14px; border-radius: 6px; border: 1px solid #8c959f; background: #fff; cursor: pointer; }
    button:focus-visible { outline: 2px solid #0969da; outline-offset: 1px; }
    .content { padding: 10px 14px 14px; display: grid; gap: 14px; }
    .meta { font-size: 12px; color: #57606a; margin: 0; }
    .top { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1.1fr); gap: 14px; align-items: start; }
    .left { display: grid; gap: 14px; min-width: 0; }
    .card { border: 1px solid #d0d7de; border-radius: 6px; padding: 8px 10px; min-width: 0; }
    table { border-collapse: collapse; font-size: 12px; font-variant-numeric: tabular-nums; width: 100%; }
    th, td { padding: 2px 8px; border-bottom: 1px solid #eaeef2; white-space: nowrap; }
    td { text-align: right; }
    thead th { text-align: right; background: #f6f8fa; }
    th[scope='row'] { text-align: left; font-weight: normal; }
    .pass { color: #1a7f37; font-weight: 600; }
    .fail { color: #cf222e; font-weight: 600; }
    .segs { display: grid; grid-template-columns: repeat(var(--segs, 3), minmax(0, 1fr)); gap: 14px; }
    .seg { display: grid; gap: 10px; align-content: start; min-width: 0; }
    .seg h3 span { font-weight: normal; color: #57606a; font-size: 12px; }
    .status { font-size: 14px; margin: 0; }
    .error { color: #cf222e; }
    pre { margin: 4px 0 0; font: 13px/1.3 ui-monospace, 'SFMono-Regular', Menlo, Consolas, monospace; overflow-x: auto; }
    .caret { color: #cf222e; font-weight: 700; }
    @media (max-width: 1100px) { .top { grid-template-columns: 1fr; } }
    @media (max-width: 900px) { .segs { grid-template-columns: 1fr; } }
  `;

  private dialog(): HTMLDialogElement | null {
    return this.renderRoot.querySelector('dialog');
  }

  /** Shows the dialog for request `id` of `expr`, computing. */
  async open(id: number, expr: string): Promise<void> {
    this.pendingId = id;
    this.loading = expr;
    this.failure = undefined;
    await this.updateComplete;
    const d = this.dialog();
    if (d && !d.open) d.showModal();
  }

  close(): void {
    this.dialog()?.close();
  }

  /** A worker answer; anything but the answer to the latest request is ignored. */
  receive(m: FromWorker): void {
    if ((m.type !== 'tear-sheet' && m.type !== 'analysis-error') || m.id !== this.pendingId) return;
    this.loading = undefined;
    if (m.type === 'tear-sheet') {
      this.sheet = m.sheet;
      this.failure = undefined;
    } else this.failure = m;
  }

  private renderMetrics(s: TearSheet) {
    const segs = s.segments;
    const t = s.thresholds;
    return html`<table>
      <caption class="meta" style="text-align:left">Metrics per segment (${s.groups} groups, horizon ${s.horizon} day${s.horizon === 1 ? '' : 's'}, price ${s.price})</caption>
      <thead><tr><th scope="col" style="text-align:left">metric</th>${segs.map((g) => html`<th scope="col">${g.name}</th>`)}</tr></thead>
      <tbody>
        ${ROWS.map((r) => html`<tr>
          <th scope="row" title=${r.title}>${r.label}</th>
          ${segs.map((g) => {
            const v = (s.factor.segments[g.name]?.metrics as Record<string, number> | undefined)?.[r.key];
            return html`<td data-metric="${r.key}.${g.name}">${v === undefined ? '' : COUNTS.has(r.key) ? (Number.isFinite(v) ? String(v) : '–') : formatMetric(v)}</td>`;
          })}
        </tr>`)}
        <tr>
          <th scope="row" title="|IC| ≥ ${t.ic}, long excess ≥ ${t.longExcess}, monotonicity ≥ ${t.monotonicity}">passes the report's rule</th>
          ${segs.map((g) => {
            const p = s.factor.segments[g.name]?.passes;
            return html`<td class=${p ? 'pass' : 'fail'} data-pass=${g.name}>${p ? 'yes' : 'no'}</td>`;
          })}
        </tr>
      </tbody>
    </table>`;
  }

  private renderSegment(s: TearSheet, name: SegmentName) {
    const seg = s.factor.segments[name];
    const curves = s.curves[name];
    const info = s.segments.find((g) => g.name === name)!;
    if (!seg || !curves) return nothing;
    const x = seg.daily.date.map(unixDay);
    const q = curves.groups.length;
    const icSeries: ChartSeries[] = [
      { label: 'daily rank IC', values: seg.daily.rank_ic, color: 'rgba(9,105,218,0.35)', bars: true },
      { label: 'cum. IC', values: curves.ic, color: '#bf3989', axis: 'right', width: 1.8 },
      { label: 'cum. rank IC', values: curves.rankIc, color: '#0969da', axis: 'right', width: 1.8 },
    ];
    const groupSeries: ChartSeries[] = curves.groups.map((g, i) => ({ label: `G${i + 1}`, values: g, color: groupColor(i, q), width: i === 0 || i === q - 1 ? 2 : 1.2 }));
    const last = (a: number[]) => (a.length ? a[a.length - 1]! : NaN);
    const long = SEGMENT_LONG[name];
    return html`<section class="seg" aria-labelledby="seg-${name}" data-segment=${name}>
      <h3 id="seg-${name}">${name} <span>${info.from} .. ${info.to}, ${info.days} days</span></h3>
      <af-series-chart time heading="IC and rank IC (${long})" .x=${x} .series=${icSeries} leftLabel="daily" rightLabel="cumulative"
        summary="Cumulative IC ${formatMetric(last(curves.ic))}, cumulative rank IC ${formatMetric(last(curves.rankIc))} over ${x.length} days."></af-series-chart>
      <af-series-chart time heading="Group net value, ${q} groups (${long})" .x=${x} .series=${groupSeries} leftLabel="net value"
        summary="Final net values, group 1 to ${q}: ${curves.groups.map((g) => last(g).toFixed(3)).join(', ')}."></af-series-chart>
      <af-series-chart time heading="Long-short net value (${long})" .x=${x} .series=${[{ label: `G${q} − G1`, values: curves.longShort, color: '#1f883d', width: 2 }]} leftLabel="net value"
        summary="Final long-short net value ${last(curves.longShort).toFixed(3)}."></af-series-chart>
    </section>`;
  }

  private renderSheet(s: TearSheet) {
    const decay = s.factor.ic_decay;
    return html`<p class="meta">
        On ${s.dataLabel || 'the loaded data'}: ${s.data.stocks} stocks, ${s.data.days} days (${s.data.first} .. ${s.data.last}), ${s.data.bars} bars.
        Split ${s.split} (${s.settingsFrom === 'run' ? "the last run's settings" : 'the default; no run yet'}). Size ${s.size}, depth ${s.depth},
        lookback ${s.lookback} bars. Computed in ${(s.ms / 1000).toFixed(2)} s.
      </p>
      <div class="top">
        <div class="left">
          <div class="card">
            <h3>Expression tree</h3>
            <af-expr-tree .tree=${s.tree} expr=${s.expr}></af-expr-tree>
          </div>
          <div class="card">
            <af-series-chart heading="IC decay: mean daily rank IC by label horizon, 1 to ${decay.length} days (all days)"
              .x=${decay.map((_, i) => i + 1)} .series=${[{ label: 'rank IC', values: decay, color: '#8250df', bars: true }]} leftLabel="rank IC" .xLabel=${'horizon (days)'} .height=${150}
              summary="Rank IC by horizon 1 to ${decay.length}: ${decay.map((v) => formatMetric(v)).join(', ')}."></af-series-chart>
          </div>
        </div>
        <div class="card">${this.renderMetrics(s)}</div>
      </div>
      <div class="segs" style="--segs: ${Math.max(1, s.segments.length)}">
        ${s.segments.map((g) => this.renderSegment(s, g.name))}
      </div>`;
  }

  private renderFailure(f: Failure) {
    if (f.column !== undefined && f.source !== undefined) {
      return html`<div role="alert"><p class="status error">Column ${f.column}: ${f.message}</p>
        <pre aria-hidden="true">${f.source}\n<span class="caret">${' '.repeat(f.column - 1)}${'^'.repeat(f.length ?? 1)}</span></pre></div>`;
    }
    return html`<p class="status error" role="alert">Could not compute the tear sheet: ${f.message}</p>`;
  }

  override render() {
    const s = this.sheet;
    const title = this.loading ?? this.failure?.source ?? s?.expr ?? '';
    return html`<dialog aria-labelledby="ts-title">
      <div class="bar">
        <h2 id="ts-title">Tear sheet: <code>${title}</code></h2>
        <button type="button" @click=${() => this.close()}>Close</button>
      </div>
      <div class="content" aria-busy=${this.loading ? 'true' : 'false'}>
        ${this.loading ? html`<p class="status" role="status">Computing the tear sheet of <code>${this.loading}</code>…</p>`
          : this.failure ? this.renderFailure(this.failure)
          : s ? this.renderSheet(s) : nothing}
      </div>
    </dialog>`;
  }
}

customElements.define('af-tear-sheet', AfTearSheet);

declare global {
  interface HTMLElementTagNameMap {
    'af-tear-sheet': AfTearSheet;
  }
}
