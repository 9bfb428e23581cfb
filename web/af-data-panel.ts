/**
 * <af-data-panel>: what a run mines. Either the built-in synthetic market (stocks, days, seed, with the alphas
 * planted in it) or the user's own bars: a long CSV, CSV.gz or Parquet file dropped on the panel or chosen with
 * the file input. The panel never parses anything: it reads the file's bytes and hands them to <af-app> in
 * `af-data-file`, which transfers them to the mining worker, so a large file never freezes the page. It shows
 * what the app tells it back: loading, the loaded panel's summary, or the loader's error with its file, line and
 * column and the offending line's text. Events: `af-source-change`, `af-market-change` (as the run panel used to
 * send it) and `af-data-file`. `setSettings()` shows a restored run's source and market (web/run-keeper.ts); a
 * restored run's file is only named (`restoredFile`): the page does not keep files, so it asks for it again.
 */
import { LitElement, css, html, nothing } from 'lit';
import { MARKET_LIMITS, type DataFileInfo, type DataLoadError, type DataSource, type MarketInfo, type MarketSettings } from './protocol.ts';
import { lineCellSpans } from '../src/data/csv_cells.ts';

/** The market the page opens with. */
export const DEFAULT_MARKET: Readonly<MarketSettings> = Object.freeze({ stocks: 300, days: 500, seed: 1 });

export interface DataFileDetail {
  name: string;
  bytes: ArrayBuffer;
}

export interface LoadingFile {
  name: string;
  size: number;
}

function sizeText(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GB`;
}

/** `file, line 3, column 6 (close)`: the CLI's FILE:LINE location, spelled out for people who do not read it daily. */
export function errorLocation(e: DataLoadError): string {
  const parts = [e.file];
  if (e.line) parts.push(`line ${e.line}`);
  if (e.column !== undefined) parts.push(`column ${e.column}${e.columnName ? ` (${e.columnName})` : ''}`);
  return parts.join(', ');
}

export class AfDataPanel extends LitElement {
  static override properties = {
    source: { type: String, reflect: true },
    market: { attribute: false },
    marketError: { attribute: false },
    file: { attribute: false },
    fileError: { attribute: false },
    loading: { attribute: false },
    disabled: { type: Boolean },
    restoredFile: { attribute: false },
    dragging: { state: true },
  };

  declare source: DataSource;
  /** The synthetic market as generated for the current settings (undefined while it is being generated). */
  declare market: MarketInfo | undefined;
  declare marketError: string | undefined;
  declare file: DataFileInfo | undefined;
  declare fileError: DataLoadError | undefined;
  /** The file being parsed in the worker, if any. */
  declare loading: LoadingFile | undefined;
  /** Set while a run is in progress: the data cannot change under it. */
  declare disabled: boolean;
  /** The file a restored run mined, which has to be loaded again to rerun it or to see its tear sheets. */
  declare restoredFile: string | undefined;
  declare dragging: boolean;

  constructor() {
    super();
    this.source = 'synthetic';
    this.market = undefined;
    this.marketError = undefined;
    this.file = undefined;
    this.fileError = undefined;
    this.loading = undefined;
    this.disabled = false;
    this.restoredFile = undefined;
    this.dragging = false;
  }

  /** Shows a saved run's source and market settings; no event is sent (the page asks for the market itself). */
  async setSettings(s: { source: DataSource; market?: MarketSettings }): Promise<void> {
    this.source = s.source;
    await this.updateComplete;
    const m = s.market;
    if (!m) return;
    for (const [name, value] of [['stocks', m.stocks], ['days', m.days], ['marketSeed', m.seed]] as const) {
      const el = this.renderRoot.querySelector<HTMLInputElement>(`input[name="${name}"]`);
      if (el) el.value = String(value);
    }
  }

  static override styles = css`
    :host { display: block; }
    fieldset { border: 1px solid #d0d7de; border-radius: 6px; padding: 8px 12px 12px; margin: 0; background: #fff; display: grid; gap: 8px; min-width: 0; }
    legend { font-weight: 600; padding: 0 4px; }
    .sources { display: flex; gap: 16px; flex-wrap: wrap; border: 0; padding: 0; margin: 0; }
    .sources label { font-size: 14px; color: inherit; display: inline-flex; gap: 4px; align-items: center; cursor: pointer; }
    .grid { display: grid; grid-template-columns: 1fr 1fr 1fr; gap: 8px 10px; }
    .field { display: grid; gap: 2px; min-width: 0; }
    label { font-size: 12px; color: #424a53; }
    input[type='number'] { font: inherit; font-size: 14px; padding: 4px 6px; border: 1px solid #8c959f; border-radius: 4px; min-width: 0; background: #fff; color: inherit; }
    input:invalid { border-color: #cf222e; }
    input:focus-visible, .drop:focus-within { outline: 2px solid #0969da; outline-offset: 1px; }
    [hidden] { display: none !important; }
    .planted { grid-column: 1 / -1; font-size: 12px; margin: 0; }
    .planted ul { margin: 4px 0 0; padding-left: 18px; }
    code { font-size: 12px; }
    .file { display: grid; gap: 8px; min-width: 0; }
    .drop { border: 2px dashed #8c959f; border-radius: 6px; padding: 12px; display: grid; gap: 6px; justify-items: start; background: #f6f8fa; }
    .drop.over { border-color: #0969da; background: #ddf4ff; }
    .drop p { margin: 0; font-size: 13px; }
    .drop input[type='file'] { font: inherit; font-size: 13px; max-width: 100%; }
    .hint { color: #57606a; font-size: 12px; margin: 0; }
    .restored-file { margin: 0; font-size: 13px; padding: 6px 8px; border: 1px solid #d4a72c; background: #fff8c5; border-radius: 6px; }
    .loading { display: flex; gap: 8px; align-items: center; margin: 0; font-size: 13px; }
    .loading progress { width: 100px; }
    dl.summary { display: grid; grid-template-columns: auto minmax(0, 1fr); gap: 2px 10px; margin: 0; font-size: 13px; }
    dl.summary dt { color: #57606a; }
    dl.summary dd { margin: 0; overflow-wrap: anywhere; }
    .error { color: #cf222e; }
    .load-error { border: 1px solid #ff8182; background: #ffebe9; border-radius: 6px; padding: 8px 10px; font-size: 13px; display: grid; gap: 4px; min-width: 0; }
    .load-error p { margin: 0; }
    .load-error pre { margin: 0; padding: 4px 6px; background: #fff; border-radius: 4px; overflow-x: auto; font-size: 12px; }
    .load-error mark { background: #ffd8b5; color: #82071e; font-weight: 600; outline: 1px solid #cf222e; }
  `;

  /** The synthetic market's fields, or undefined while one is out of range. */
  marketSettings(): MarketSettings | undefined {
    const el = (name: string) => this.renderRoot.querySelector<HTMLInputElement>(`input[name="${name}"]`);
    const inputs = [el('stocks'), el('days'), el('marketSeed')];
    if (inputs.some((i) => !i || !i.checkValidity())) return undefined;
    const [stocks, days, seed] = inputs.map((i) => i!.valueAsNumber) as [number, number, number];
    return { stocks, days, seed };
  }

  private emit<T>(type: string, detail: T): void {
    this.dispatchEvent(new CustomEvent<T>(type, { detail, bubbles: true, composed: true }));
  }

  private onSource(e: Event): void {
    const value = (e.target as HTMLInputElement).value as DataSource;
    this.source = value;
    this.emit<DataSource>('af-source-change', value);
  }

  private onMarketChange(): void {
    const market = this.marketSettings();
    if (market) this.emit<MarketSettings>('af-market-change', market);
  }

  private async take(file: File | undefined): Promise<void> {
    if (!file || this.disabled) return;
    try {
      // Reading is asynchronous and the parse happens in the worker: nothing here blocks the page.
      const bytes = await file.arrayBuffer();
      this.emit<DataFileDetail>('af-data-file', { name: file.name, bytes });
    } catch (err) {
      this.fileError = { file: file.name, message: (err as Error).message, reason: `the browser could not read the file (${(err as Error).message})` };
    }
  }

  private onPick(e: Event): void {
    const input = e.target as HTMLInputElement;
    void this.take(input.files?.[0]);
    // Choosing the same file again (after fixing it on disk) must fire `change` again.
    input.value = '';
  }

  private onDragOver(e: DragEvent): void {
    if (this.disabled || !e.dataTransfer?.types.includes('Files')) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'copy';
    this.dragging = true;
  }

  private onDrop(e: DragEvent): void {
    e.preventDefault();
    this.dragging = false;
    void this.take(e.dataTransfer?.files[0]);
  }

  private renderPlanted() {
    if (this.marketError) return html`<p class="planted error" role="alert">Market: ${this.marketError}</p>`;
    const m = this.market;
    if (!m) return html`<p class="planted" aria-busy="true">Generating the market…</p>`;
    return html`<div class="planted">
      ${m.stocks} stocks × ${m.days} days (${m.firstDay} to ${m.lastDay}), ${m.bars / m.days} bars a day. Planted alphas (realised rank IC):
      <ul aria-label="Planted alphas">
        ${m.planted.map((p) => html`<li><code>${p.expr}</code> ${p.realisedRankIC.toFixed(3)}</li>`)}
      </ul>
    </div>`;
  }

  private renderErrorLine(e: DataLoadError) {
    if (e.text === undefined) return nothing;
    const label = `Line ${e.line} of ${e.file}`;
    if (e.column === undefined) return html`<pre aria-label=${label}>${e.text}</pre>`;
    const span = lineCellSpans(e.text)[e.column - 1];
    if (!span) return html`<pre aria-label=${label}>${e.text}</pre>`;
    const [a, b] = span;
    return html`<pre aria-label=${label}>${e.text.slice(0, a)}<mark>${e.text.slice(a, b) || ' '}</mark>${e.text.slice(b)}</pre>`;
  }

  private renderFileState() {
    if (this.loading) {
      return html`<p class="loading" role="status" aria-busy="true"><progress aria-label="Loading the file"></progress>
        Loading ${this.loading.name} (${sizeText(this.loading.size)})…</p>`;
    }
    const e = this.fileError;
    if (e) {
      return html`<div class="load-error" role="alert" id="data-error">
        <p><strong>Could not load ${e.file}</strong></p>
        <p>${errorLocation(e)}: ${e.reason}</p>
        ${this.renderErrorLine(e)}
      </div>`;
    }
    const f = this.file;
    if (!f && this.restoredFile) {
      return html`<p class="restored-file" role="status" id="restored-file">The restored run mined <strong>${this.restoredFile}</strong>.
        This page does not keep data files: load it again to rerun the run or to open its factors' tear sheets.</p>`;
    }
    if (!f) return html`<p class="hint" role="status">No file loaded yet.</p>`;
    const perDay = f.days ? f.bars / f.days : 0;
    return html`<dl class="summary" aria-label="Loaded data" id="data-summary">
      <dt>File</dt><dd>${f.name} (${f.format}, ${sizeText(f.size)}, parsed in ${(f.ms / 1000).toFixed(1)} s)</dd>
      <dt>Panel</dt><dd>${f.bars.toLocaleString('en')} bars × ${f.stocks.toLocaleString('en')} stocks</dd>
      <dt>Days</dt><dd>${f.days.toLocaleString('en')} (${f.firstDay} to ${f.lastDay})${Number.isInteger(perDay) ? `, ${perDay} bar${perDay === 1 ? '' : 's'} a day` : ''}</dd>
      <dt>Fields</dt><dd>${f.fields.join(', ')}</dd>
      <dt>Coverage</dt><dd>${(f.coverage * 100).toFixed(1)} % of cells have a close</dd>
    </dl>`;
  }

  override render() {
    const [sLo, sHi] = MARKET_LIMITS.stocks;
    const [dLo, dHi] = MARKET_LIMITS.days;
    const synthetic = this.source === 'synthetic';
    return html`<fieldset ?disabled=${this.disabled}>
      <legend>Data</legend>
      <div class="sources" role="radiogroup" aria-label="Data source">
        <label><input type="radio" name="source" value="synthetic" .checked=${synthetic} @change=${this.onSource} />Synthetic market</label>
        <label><input type="radio" name="source" value="file" .checked=${!synthetic} @change=${this.onSource} />Bar file</label>
      </div>
      <div class="grid" ?hidden=${!synthetic} @change=${this.onMarketChange}>
        <div class="field"><label for="stocks">Stocks</label><input id="stocks" name="stocks" type="number" required min=${sLo} max=${sHi} step="1" value=${DEFAULT_MARKET.stocks} /></div>
        <div class="field"><label for="days">Days</label><input id="days" name="days" type="number" required min=${dLo} max=${dHi} step="1" value=${DEFAULT_MARKET.days} /></div>
        <div class="field"><label for="marketSeed">Market seed</label><input id="marketSeed" name="marketSeed" type="number" required min="0" max="4294967295" step="1" value=${DEFAULT_MARKET.seed} /></div>
        ${this.renderPlanted()}
      </div>
      <div class="file" ?hidden=${synthetic}>
        <div class="drop ${this.dragging ? 'over' : ''}" @dragover=${this.onDragOver} @dragleave=${() => (this.dragging = false)} @drop=${this.onDrop}>
          <p>Drop a bar file here, or choose one:</p>
          <label for="file">Bar file (CSV, CSV.gz or Parquet)</label>
          <input id="file" name="file" type="file" accept=".csv,.gz,.parquet,text/csv,application/gzip" aria-describedby="file-hint" @change=${this.onPick} />
        </div>
        <p class="hint" id="file-hint">Long format: one row per stock and bar, a <code>code</code> column, a <code>datetime</code> or <code>date</code> column and numeric fields (open, high, low, close, volume, amount, vwap…). It is parsed in the background and stays in this browser.</p>
        ${this.renderFileState()}
      </div>
    </fieldset>`;
  }
}

customElements.define('af-data-panel', AfDataPanel);

declare global {
  interface HTMLElementTagNameMap {
    'af-data-panel': AfDataPanel;
  }
  interface HTMLElementEventMap {
    'af-source-change': CustomEvent<DataSource>;
    'af-data-file': CustomEvent<DataFileDetail>;
  }
}
