/**
 * <af-app>: the page. It owns the mining worker (web/mine-worker.ts) and the run's state (market, backend,
 * progress, history, pool), hands them to the panels as properties and turns the panels' events into worker
 * messages. The run state is reflected in the `state` attribute (idle, running, paused, stopping, done, error) so that
 * styles and end-to-end tests can wait on it without reading text. A restored run's settings are put back into
 * the panels (`showSettings`, called by web/run-keeper.ts), so Start after a reload reruns that run.
 */
import { LitElement, css, html, nothing } from 'lit';
import type { GenerationRecord, PoolMember, StopReason } from '../src/mine/miner.ts';
import type { BackendReport, FromWorker, MarketInfo, MarketSettings, ToWorker } from './protocol.ts';
import type { DataFileInfo, DataLoadError, DataSource, OpInfo } from './protocol.ts';
import { DEFAULT_MARKET, type DataFileDetail, type LoadingFile } from './af-data-panel.ts';
import './af-data-panel.ts';
import type { FitnessOption, StartDetail } from './af-run-panel.ts';
import './af-run-panel.ts';
import './af-fitness-chart.ts';
import './af-pool-table.ts';
import './af-expr-box.ts';
import './af-tear-sheet.ts';
import './af-corr-heatmap.ts';
import { RunKeeper } from './run-keeper.ts';
import type { SavedRun } from './run-store.ts';

type RunState = 'idle' | 'running' | 'paused' | 'stopping' | 'done' | 'error';

const STOP_TEXT: Record<StopReason, string> = {
  generations: 'all generations done',
  pool: 'the pool is full',
  time: 'time budget spent',
  aborted: 'stopped',
};

export class AfApp extends LitElement {
  static override properties = {
    state: { type: String, reflect: true },
    fitness: { state: true },
    market: { state: true },
    marketError: { state: true },
    source: { state: true },
    dataFile: { state: true },
    dataError: { state: true },
    loading: { state: true },
    ops: { state: true },
    windows: { state: true },
    backend: { state: true },
    history: { state: true },
    pool: { state: true },
    progress: { state: true },
    message: { state: true },
    fitnessName: { state: true },
    generations: { state: true },
  };

  declare state: RunState;
  declare fitness: FitnessOption[];
  declare market: MarketInfo | undefined;
  declare marketError: string | undefined;
  /** What a run mines (web/af-data-panel.ts): the synthetic market or the last file loaded into the worker. */
  declare source: DataSource;
  declare dataFile: DataFileInfo | undefined;
  declare dataError: DataLoadError | undefined;
  declare loading: LoadingFile | undefined;
  /** The operator table and default windows, for the run panel's primitives. */
  declare ops: OpInfo[];
  declare windows: number[];
  declare backend: BackendReport | undefined;
  declare history: GenerationRecord[];
  declare pool: PoolMember[];
  declare progress: { generation: number; done: number; total: number } | undefined;
  /** The last run's outcome or error, for the status line. */
  declare message: string;
  declare fitnessName: string;
  declare generations: number;

  private worker: Worker | undefined;
  private marketTimer: ReturnType<typeof setTimeout> | undefined;
  /** Pause/resume, the run saved in this browser and the pool downloads (web/run-keeper.ts). */
  private keeper = new RunKeeper(this, (m) => this.send(m));

  constructor() {
    super();
    this.state = 'idle';
    this.fitness = [];
    this.market = undefined;
    this.marketError = undefined;
    this.source = 'synthetic';
    this.dataFile = undefined;
    this.dataError = undefined;
    this.loading = undefined;
    this.ops = [];
    this.windows = [];
    this.backend = undefined;
    this.history = [];
    this.pool = [];
    this.progress = undefined;
    this.message = '';
    this.fitnessName = 'rank_ic';
    this.generations = 0;
  }

  static override styles = css`
    :host { display: block; max-width: 1600px; margin: 0 auto; padding: 12px 16px; box-sizing: border-box; }
    header { display: flex; align-items: baseline; gap: 16px; flex-wrap: wrap; margin-bottom: 10px; }
    h1 { font-size: 20px; margin: 0; }
    .tagline { color: #57606a; margin: 0; flex: 1 1 auto; }
    .backend { font-size: 13px; position: relative; }
    .backend strong { font-family: ui-monospace, Menlo, Consolas, monospace; }
    .backend details { display: inline-block; }
    .backend summary { cursor: pointer; color: #0969da; }
    .backend ul { position: absolute; right: 0; z-index: 5; background: #fff; border: 1px solid #d0d7de; border-radius: 6px; padding: 6px 10px 6px 24px; margin: 4px 0 0; max-width: 520px; font-size: 12px; box-shadow: 0 4px 12px rgba(0,0,0,.12); }
    .layout { display: grid; grid-template-columns: minmax(320px, 400px) minmax(0, 1fr); gap: 12px; align-items: start; }
    .side, .main { display: grid; gap: 12px; min-width: 0; }
    .status { background: #fff; border: 1px solid #d0d7de; border-radius: 6px; padding: 8px 10px; display: flex; gap: 12px; align-items: center; flex-wrap: wrap; min-height: 24px; }
    .status p { margin: 0; }
    .status progress { width: 160px; }
    .error { color: #cf222e; }
    @media (max-width: 900px) { .layout { grid-template-columns: 1fr; } }
  `;

  override connectedCallback(): void {
    super.connectedCallback();
    this.worker = new Worker(new URL('./mine-worker.ts', import.meta.url), { type: 'module', name: 'alphaflow-miner' });
    this.worker.addEventListener('message', (e: MessageEvent<FromWorker>) => this.onWorker(e.data));
    this.worker.addEventListener('error', (e) => {
      this.state = 'error';
      this.message = `The mining worker failed: ${e.message || 'it could not be loaded'}`;
    });
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.worker?.terminate();
    this.worker = undefined;
  }

  private send(m: ToWorker): void {
    this.keeper.sent(m);
    this.worker?.postMessage(m);
  }

  private runPanel() {
    return this.renderRoot.querySelector('af-run-panel');
  }

  private dataPanel() {
    return this.renderRoot.querySelector('af-data-panel');
  }

  private onSourceChange(e: CustomEvent<DataSource>): void {
    this.source = e.detail;
    this.clearNotReady();
  }

  /** A refused Start's reason is out of date once the data changes. */
  private clearNotReady(): void {
    if (this.message.startsWith('Cannot start:')) this.message = '';
  }

  private onDataFile(e: CustomEvent<DataFileDetail>): void {
    const { name, bytes } = e.detail;
    this.loading = { name, size: bytes.byteLength };
    this.dataFile = undefined;
    this.dataError = undefined;
    this.clearNotReady();
    // Transferred, not copied: a file of hundreds of MB would otherwise be held twice while the worker parses it.
    this.worker?.postMessage({ type: 'load', name, bytes } satisfies ToWorker, [bytes]);
  }

  override async firstUpdated(): Promise<void> {
    // The panel renders its form after this element's first render: wait for it before reading the settings.
    const panel = this.dataPanel();
    await panel?.updateComplete;
    const m = panel?.marketSettings();
    if (m) this.requestMarket(m);
  }

  /** web/run-keeper.ts calls this when it restores a saved run. */
  async showSettings(run: SavedRun): Promise<void> {
    await this.updateComplete;
    const source: DataSource = run.data.kind === 'file' ? 'file' : 'synthetic';
    this.source = source;
    await this.updateComplete;
    await Promise.all([
      this.dataPanel()?.setSettings({ source, market: run.market }),
      this.runPanel()?.setSettings({ run: run.run, config: run.setup ?? {}, backend: run.backend }),
    ]);
    // The market the panel shows (and a rerun mines) is the saved run's, not the default generated at load.
    if (run.market) {
      clearTimeout(this.marketTimer);
      this.requestMarket(run.market);
    }
  }

  private requestMarket(m: MarketSettings): void {
    this.market = undefined;
    this.marketError = undefined;
    this.send({ type: 'market', market: m });
  }

  private onMarketChange(e: CustomEvent<MarketSettings>): void {
    // Typing "500" passes through "5" and "50": wait until the user pauses before regenerating.
    clearTimeout(this.marketTimer);
    this.marketTimer = setTimeout(() => this.requestMarket(e.detail), 350);
  }

  private onStart(e: CustomEvent<StartDetail>): void {
    if (this.state === 'running' || this.state === 'paused' || this.state === 'stopping') return;
    // The data panel is outside the run form, so its readiness is checked here rather than by the browser.
    const market = this.dataPanel()?.marketSettings();
    const notReady = this.source === 'file'
      ? (this.loading ? 'the data file is still loading' : this.dataFile ? '' : 'choose a bar file first, or the synthetic market')
      : (market ? '' : 'the synthetic market settings are out of range');
    if (notReady) {
      this.message = `Cannot start: ${notReady}.`;
      return;
    }
    clearTimeout(this.marketTimer);
    const d = e.detail;
    this.history = [];
    this.pool = [];
    this.progress = undefined;
    this.message = '';
    this.fitnessName = d.run.fitness;
    this.generations = d.run.generations;
    this.state = 'running';
    if (this.source === 'synthetic' && this.market && JSON.stringify(this.market.settings) !== JSON.stringify(market)) this.market = undefined;
    // A file run ignores the market, but the message always names one (the hidden fields may be mid-edit).
    this.send({ type: 'start-setup', source: this.source, market: market ?? this.market?.settings ?? DEFAULT_MARKET, run: d.run, config: d.config, backend: d.backend });
  }

  private onStop(): void {
    if (this.state !== 'running' && this.state !== 'paused') return;
    this.state = 'stopping';
    this.send({ type: 'stop' });
  }

  /** Tear-sheet and heatmap requests share one counter: each element keeps only the answer to its latest. */
  private analysisId = 0;

  private requestTearSheet(e: CustomEvent<{ expr: string }>): void {
    const id = ++this.analysisId;
    void this.renderRoot.querySelector('af-tear-sheet')?.open(id, e.detail.expr);
    this.send({ type: 'tear-sheet', id, expr: e.detail.expr, source: this.source });
  }

  private requestCorrelation(exprs: string[]): void {
    if (exprs.length < 2) return;
    const id = ++this.analysisId;
    this.renderRoot.querySelector('af-corr-heatmap')?.pending(id);
    this.send({ type: 'pool-corr', id, exprs, source: this.source });
  }

  private onWorker(m: FromWorker): void {
    this.keeper.received(m);
    switch (m.type) {
      case 'setup':
        this.ops = m.ops;
        this.windows = m.windows;
        return;
      case 'loaded':
        this.loading = undefined;
        this.dataFile = m.info;
        this.dataError = undefined;
        return;
      case 'load-error':
        this.loading = undefined;
        this.dataFile = undefined;
        this.dataError = m.error;
        return;
      case 'ready':
        this.fitness = m.fitness;
        return;
      case 'market':
        this.market = m.info;
        this.marketError = undefined;
        return;
      case 'backend':
        this.backend = m.report;
        return;
      case 'progress':
        this.progress = { generation: m.generation, done: m.done, total: m.total };
        return;
      case 'generation':
        this.history = [...this.history, m.record];
        this.pool = m.pool;
        return;
      case 'done':
        this.state = 'done';
        this.progress = undefined;
        this.requestCorrelation(this.pool.map((p) => p.expr));
        this.message = `Finished: ${STOP_TEXT[m.stop]} after ${this.history.length} generation${this.history.length === 1 ? '' : 's'} in ${m.seconds.toFixed(1)} s.`;
        return;
      case 'tear-sheet':
      case 'pool-corr':
      case 'analysis-error':
        this.renderRoot.querySelector('af-tear-sheet')?.receive(m);
        this.renderRoot.querySelector('af-corr-heatmap')?.receive(m);
        return;
      case 'error':
        if (m.during === 'market') {
          this.marketError = m.message;
          return;
        }
        this.state = 'error';
        this.progress = undefined;
        this.message = `Run failed: ${m.message}`;
        return;
    }
  }

  private renderBackend() {
    const b = this.backend;
    if (!b) return html`<span class="backend">Backend: <strong>chosen when a run starts</strong></span>`;
    return html`<span class="backend" id="backend">Backend: <strong data-backend=${b.name}>${b.name}</strong>
      ${b.skipped.length
        ? html`<details><summary>why not others</summary><ul>${b.skipped.map((s) => html`<li>${s}</li>`)}</ul></details>`
        : nothing}</span>`;
  }

  private renderStatus() {
    const last = this.history[this.history.length - 1];
    const busy = this.state === 'running' || this.state === 'paused' || this.state === 'stopping';
    const p = this.progress;
    const parts: string[] = [];
    if (busy) parts.push(p ? `Generation ${p.generation + 1} of ${this.generations}` : 'Preparing (market, backend)…');
    if (last) {
      parts.push(`${Number.isFinite(last.evals_per_second) ? Math.round(last.evals_per_second) : '–'} evaluations/s`);
      parts.push(`pool ${last.pool}`);
    }
    if (this.state === 'stopping') parts.push('stopping after this generation');
    if (this.state === 'paused') parts.push(this.keeper.pausedText());
    const line = parts.join(' · ');
    return html`<div class="status">
      ${busy && p ? html`<progress max=${Math.max(1, p.total)} .value=${p.done} aria-label="Expressions scored in this generation"></progress>` : nothing}
      <p role="status" id="progress">${line}${line && this.message ? ' · ' : ''}<span class=${this.state === 'error' ? 'error' : ''}>${this.message || (line ? '' : 'Set up a run and press Start.')}</span></p>
    </div>`;
  }

  override render() {
    const busy = this.state === 'running' || this.state === 'paused' || this.state === 'stopping';
    return html`<header>
        <h1>alphaflow</h1>
        <p class="tagline">Genetic-programming factor mining on a synthetic market or your own bars, computed in this browser.</p>
        ${this.renderBackend()}
      </header>
      <main class="layout">
        <section class="side" aria-label="Set-up">
          <af-data-panel
            .source=${this.source} .market=${this.market} .marketError=${this.marketError} .file=${this.dataFile} .fileError=${this.dataError}
            .loading=${this.loading} .restoredFile=${this.keeper.restoredFile()} ?disabled=${busy}
            @af-source-change=${this.onSourceChange} @af-market-change=${this.onMarketChange} @af-data-file=${this.onDataFile}></af-data-panel>
          <af-run-panel
            .fitness=${this.fitness} .ops=${this.ops} .windows=${this.windows}
            ?running=${busy} ?stopping=${this.state === 'stopping'}
            @af-market-change=${this.onMarketChange} @af-start=${this.onStart} @af-stop=${this.onStop}></af-run-panel>
          <af-expr-box @af-evaluate=${this.requestTearSheet}></af-expr-box>
        </section>
        <section class="main" aria-label="Results">
          ${this.renderStatus()}
          ${this.keeper.controls()}
          <af-fitness-chart .history=${this.history} .fitnessName=${this.fitnessName}></af-fitness-chart>
          <af-pool-table .pool=${this.pool} @af-select-factor=${this.requestTearSheet}></af-pool-table>
          <af-corr-heatmap .pool=${this.pool} @af-request-corr=${(e: CustomEvent<{ exprs: string[] }>) => this.requestCorrelation(e.detail.exprs)}></af-corr-heatmap>
          <af-tear-sheet></af-tear-sheet>
        </section>
      </main>`;
  }
}

customElements.define('af-app', AfApp);

declare global {
  interface HTMLElementTagNameMap {
    'af-app': AfApp;
  }
}
