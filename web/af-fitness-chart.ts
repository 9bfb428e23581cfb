/**
 * <af-fitness-chart>: the run's learning curve, drawn with uPlot: best and mean training fitness per generation on
 * the left axis, pool size (a step line) on the right. It redraws from the whole history on every update (a run
 * has at most a few hundred generations, so that costs nothing) and follows its container's width. The canvas
 * is an image to assistive technology; the latest figures are repeated as text beside it. "Save PNG" downloads
 * the canvas as drawn (web/download.ts).
 */
import { LitElement, css, html, unsafeCSS, type PropertyValues } from 'lit';
import uPlot from 'uplot';
import uPlotCss from 'uplot/dist/uPlot.min.css?inline';
import type { GenerationRecord } from '../src/mine/miner.ts';
import { canvasPng, downloadBlob } from './download.ts';

const HEIGHT = 220;

export class AfFitnessChart extends LitElement {
  static override properties = {
    history: { attribute: false },
    fitnessName: { attribute: false },
    exportError: { state: true },
  };

  declare history: GenerationRecord[];
  declare fitnessName: string;
  declare exportError: string | undefined;
  private plot: uPlot | undefined;
  private resize: ResizeObserver | undefined;

  constructor() {
    super();
    this.history = [];
    this.fitnessName = 'fitness';
  }

  static override styles = [
    unsafeCSS(uPlotCss),
    css`
      :host { display: block; background: #fff; border: 1px solid #d0d7de; border-radius: 6px; padding: 8px 10px; }
      h2 { font-size: 14px; margin: 0 0 4px; }
      .head { display: flex; justify-content: space-between; align-items: baseline; gap: 8px; }
      .head button { font: inherit; font-size: 12px; padding: 2px 10px; border-radius: 6px; border: 1px solid #8c959f; background: #f6f8fa; cursor: pointer; }
      .head button:disabled { opacity: 0.5; cursor: default; }
      .head button:focus-visible { outline: 2px solid #0969da; outline-offset: 1px; }
      .error { color: #cf222e; font-size: 12px; margin: 2px 0 0; }
      .plot { height: ${HEIGHT + 30}px; min-width: 0; overflow: hidden; }
      .summary { font-size: 12px; color: #57606a; margin: 2px 0 0; min-height: 1.4em; }
      .uplot { font-family: inherit; }
    `,
  ];

  private data(): uPlot.AlignedData {
    const h = this.history;
    const nan = (v: number) => (Number.isFinite(v) ? v : null);
    return [h.map((r) => r.generation), h.map((r) => nan(r.best)), h.map((r) => nan(r.mean)), h.map((r) => r.pool)];
  }

  private build(width: number): void {
    const host = this.renderRoot.querySelector<HTMLElement>('.plot');
    if (!host) return;
    this.plot?.destroy();
    const opts: uPlot.Options = {
      width,
      height: HEIGHT,
      scales: { x: { time: false }, pool: { range: (_u, _lo, hi) => [0, Math.max(1, hi)] } },
      axes: [
        { label: 'generation', incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500] },
        { label: this.fitnessName, size: 60 },
        { scale: 'pool', side: 1, label: 'pool size', grid: { show: false }, incrs: [1, 2, 5, 10, 20, 50, 100] },
      ],
      series: [
        { label: 'generation' },
        { label: 'best', stroke: '#1f883d', width: 2, points: { show: true, size: 5 } },
        { label: 'mean', stroke: '#0969da', width: 1.5, dash: [5, 3], points: { show: true, size: 4 } },
        { label: 'pool', scale: 'pool', stroke: '#bf3989', width: 1.5, paths: uPlot.paths.stepped!({ align: 1 }), points: { show: true, size: 4 } },
      ],
      legend: { live: true },
      // uPlot resets the legend when it (re)draws with no pointer over the plot; put the latest values back.
      hooks: {
        draw: [(u) => (u.cursor.idx == null ? this.showLatest(u) : undefined)],
        setCursor: [(u) => (u.cursor.idx == null ? this.showLatest(u) : undefined)],
      },
    };
    this.plot = new uPlot(opts, this.data(), host);
    this.showLatest();
  }

  override firstUpdated(): void {
    const host = this.renderRoot.querySelector<HTMLElement>('.plot')!;
    this.build(Math.max(200, host.clientWidth));
    this.resize = new ResizeObserver(() => {
      const w = Math.max(200, host.clientWidth);
      if (this.plot && Math.abs(this.plot.width - w) > 1) this.plot.setSize({ width: w, height: HEIGHT });
    });
    this.resize.observe(host);
  }

  override updated(changed: PropertyValues<this>): void {
    if (!this.plot) return;
    if (changed.has('fitnessName')) this.build(this.plot.width);
    else if (changed.has('history')) this.plot.setData(this.data());
    this.showLatest();
  }

  /** Without a pointer over the chart the legend would read "--": show the latest generation's values instead. */
  private showLatest(u = this.plot): void {
    const n = this.history.length;
    if (u && n > 0) u.setLegend({ idx: n - 1 });
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.resize?.disconnect();
    this.plot?.destroy();
    this.plot = undefined;
  }

  /** The chart as a PNG image (white background), as it is drawn now. */
  async png(): Promise<Blob> {
    const canvases = [...this.renderRoot.querySelectorAll<HTMLCanvasElement>('.plot canvas')];
    return canvasPng(canvases);
  }

  private async savePng(): Promise<void> {
    this.exportError = undefined;
    try {
      downloadBlob(await this.png(), 'alphaflow-fitness.png');
    } catch (e) {
      this.exportError = `Could not save the chart: ${(e as Error).message ?? String(e)}`;
    }
  }

  private summary(): string {
    const last = this.history[this.history.length - 1];
    if (!last) return 'No generation yet.';
    const f = (v: number) => (Number.isFinite(v) ? v.toFixed(4) : 'n/a');
    return `Generation ${last.generation}: best ${f(last.best)}, mean ${f(last.mean)}, pool ${last.pool}. Best expression: ${last.best_expr}`;
  }

  override render() {
    const summary = this.summary();
    return html`<div class="head"><h2 id="chart-title">Fitness per generation</h2>
        <button type="button" @click=${this.savePng} ?disabled=${this.history.length === 0} aria-label="Save the fitness chart as PNG">Save PNG</button></div>
      <div class="plot" role="img" aria-labelledby="chart-title" aria-describedby="chart-summary"></div>
      <p class="summary" id="chart-summary">${summary}</p>
      ${this.exportError ? html`<p class="error" role="alert">${this.exportError}</p>` : ''}`;
  }
}

customElements.define('af-fitness-chart', AfFitnessChart);

declare global {
  interface HTMLElementTagNameMap {
    'af-fitness-chart': AfFitnessChart;
  }
}
