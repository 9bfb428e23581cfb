/**
 * <af-series-chart>: a small uPlot line (or bar) chart for the tear sheet, generic over its series: one x axis
 * (dates as Unix seconds, or plain numbers such as horizons) and any number of series on a left axis and an
 * optional right one. The tear sheet draws a dozen of these, so each is plain: no legend table beyond uPlot's
 * own, a fixed height, and its width follows its container. The canvas is an image to assistive technology; the
 * chart's `summary` says in words what it shows.
 */
import { LitElement, css, html, unsafeCSS, type PropertyValues } from 'lit';
import uPlot from 'uplot';
import uPlotCss from 'uplot/dist/uPlot.min.css?inline';

export interface ChartSeries {
  label: string;
  /** One value per x; NaN or null is a gap. */
  values: ArrayLike<number | null>;
  color: string;
  width?: number;
  dash?: number[];
  /** The right axis (`right`) or the left (default). */
  axis?: 'left' | 'right';
  /** Drawn as bars (daily ICs, decay by horizon) instead of a line. */
  bars?: boolean;
}

let charts = 0;

export class AfSeriesChart extends LitElement {
  static override properties = {
    heading: { type: String },
    summary: { type: String },
    x: { attribute: false },
    time: { type: Boolean },
    series: { attribute: false },
    leftLabel: { attribute: false },
    rightLabel: { attribute: false },
    xLabel: { attribute: false },
    height: { type: Number },
  };

  declare heading: string;
  declare summary: string;
  declare x: ArrayLike<number>;
  /** x holds Unix seconds (dates) rather than plain numbers. */
  declare time: boolean;
  declare series: ChartSeries[];
  declare leftLabel: string;
  declare rightLabel: string;
  /** The x value's name in the legend; default "date" for dates. */
  declare xLabel: string;
  declare height: number;
  private plot: uPlot | undefined;
  private resize: ResizeObserver | undefined;
  /** Ids unique on the page: several charts sit in one shadow root of the tear sheet. */
  private readonly uid = `chart${++charts}`;

  constructor() {
    super();
    this.heading = '';
    this.summary = '';
    this.x = [];
    this.time = false;
    this.series = [];
    this.leftLabel = '';
    this.rightLabel = '';
    this.xLabel = '';
    this.height = 150;
  }

  static override styles = [
    unsafeCSS(uPlotCss),
    css`
      :host { display: block; min-width: 0; }
      h4 { font-size: 12px; margin: 0 0 2px; font-weight: 600; }
      .plot { min-width: 0; overflow: hidden; }
      .uplot { font-family: inherit; font-size: 11px; }
      .u-legend { font-size: 11px; }
      .summary { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
    `,
  ];

  private data(): uPlot.AlignedData {
    const clean = (a: ArrayLike<number | null>) => Array.from(a, (v) => (v === null || !Number.isFinite(v) ? null : v));
    return [Array.from(this.x), ...this.series.map((s) => clean(s.values))];
  }

  private build(): void {
    const host = this.renderRoot.querySelector<HTMLElement>('.plot');
    if (!host) return;
    this.plot?.destroy();
    const right = this.series.some((s) => s.axis === 'right');
    const bars = uPlot.paths.bars!({ size: [0.8, 12] });
    // Bars grow from zero, so their axis must show it; a curve's axis may sit wherever its values are.
    const fromZero: uPlot.Scale['range'] = (_u, lo, hi) => {
      const a = Math.min(0, lo ?? 0);
      const b = Math.max(0, hi ?? 0);
      const pad = (b - a) * 0.06 || 0.01;
      return [a < 0 ? a - pad : 0, b > 0 ? b + pad : 0];
    };
    const leftBars = this.series.some((s) => s.bars && s.axis !== 'right');
    const opts: uPlot.Options = {
      width: Math.max(160, host.clientWidth),
      height: this.height,
      scales: {
        // Plain x values are categories (horizons): half a step of room keeps the end bars whole.
        x: this.time ? { time: true } : { time: false, range: (_u, lo, hi) => [(lo ?? 0) - 0.5, (hi ?? 0) + 0.5] },
        ...(leftBars ? { y: { range: fromZero } } : {}),
        ...(right ? { right: {} } : {}),
      },
      axes: [
        { size: 28, ...(this.time ? {} : { incrs: [1, 2, 5, 10, 20, 50] }) },
        { label: this.leftLabel, size: 52, labelSize: 14 },
        ...(right ? [{ scale: 'right', side: 1, label: this.rightLabel, size: 52, labelSize: 14, grid: { show: false } } as uPlot.Axis] : []),
      ],
      series: [
        this.time
          ? { label: this.xLabel || 'date', value: (_u, v) => (v == null ? '--' : new Date(v * 1000).toISOString().slice(0, 10)) }
          : { label: this.xLabel || 'x' },
        ...this.series.map((s): uPlot.Series => ({
          label: s.label,
          stroke: s.color,
          width: s.bars ? 0 : s.width ?? 1.5,
          ...(s.dash ? { dash: s.dash } : {}),
          ...(s.axis === 'right' ? { scale: 'right' } : {}),
          ...(s.bars ? { paths: bars, fill: s.color, points: { show: false } } : { points: { show: false } }),
        })),
      ],
      legend: { live: true },
      cursor: { drag: { x: false, y: false } },
      // Without a pointer over it uPlot's legend reads "--": show the last point's values instead.
      hooks: {
        draw: [(u) => (u.cursor.idx == null ? this.showLast(u) : undefined)],
        setCursor: [(u) => (u.cursor.idx == null ? this.showLast(u) : undefined)],
      },
    };
    this.plot = new uPlot(opts, this.data(), host);
  }

  private showLast(u: uPlot): void {
    if (this.x.length > 0) u.setLegend({ idx: this.x.length - 1 });
  }

  override firstUpdated(): void {
    const host = this.renderRoot.querySelector<HTMLElement>('.plot')!;
    this.build();
    this.resize = new ResizeObserver(() => {
      const w = Math.max(160, host.clientWidth);
      if (this.plot && Math.abs(this.plot.width - w) > 1) this.plot.setSize({ width: w, height: this.height });
    });
    this.resize.observe(host);
  }

  override updated(changed: PropertyValues<this>): void {
    if (!this.plot) return;
    // Series, axes and sizes all shape the options: rebuilding a chart this small costs less than diffing them.
    if (changed.has('series') || changed.has('x') || changed.has('time') || changed.has('height') || changed.has('leftLabel') || changed.has('rightLabel')) this.build();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.resize?.disconnect();
    this.plot?.destroy();
    this.plot = undefined;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // Moved in the DOM (or re-attached): the plot was destroyed on disconnect.
    if (this.hasUpdated && !this.plot) {
      void this.updateComplete.then(() => {
        this.build();
        this.resize?.observe(this.renderRoot.querySelector<HTMLElement>('.plot')!);
      });
    }
  }

  override render() {
    return html`<h4 id="${this.uid}-title">${this.heading}</h4>
      <div class="plot" role="img" aria-labelledby="${this.uid}-title" aria-describedby="${this.uid}-summary"></div>
      <p class="summary" id="${this.uid}-summary">${this.summary}</p>`;
  }
}

customElements.define('af-series-chart', AfSeriesChart);

declare global {
  interface HTMLElementTagNameMap {
    'af-series-chart': AfSeriesChart;
  }
}
