/**
 * <af-run-panel>: the run's settings, one form: the synthetic market (stocks, days, seed) with the alphas planted
 * in it, the search (population, generations, seed, fitness measure from the fitness registry) and the backend,
 * with Start and Stop. It owns no state beyond its inputs: it announces `af-market-change` when the market
 * settings change (so the app can regenerate the market and list what is planted), `af-start` with every
 * setting, and `af-stop`. A native form, so Enter starts a run and the browser checks the ranges.
 */
import { LitElement, css, html, nothing } from 'lit';
import { MARKET_LIMITS, type MarketInfo, type MarketSettings, type RunSettings, type WebBackendChoice } from './protocol.ts';

export interface StartDetail {
  market: MarketSettings;
  run: RunSettings;
  backend: WebBackendChoice;
}

export interface FitnessOption {
  name: string;
  description: string;
}

const BACKEND_LABELS: [WebBackendChoice, string][] = [
  ['auto', 'auto (GPU: WebGPU → WebGL, else CPU)'],
  ['webgpu', 'WebGPU'],
  ['webgl', 'WebGL'],
  ['wasm', 'wasm'],
  ['cpu', 'CPU (JavaScript)'],
];

export class AfRunPanel extends LitElement {
  static override properties = {
    fitness: { attribute: false },
    market: { attribute: false },
    marketError: { attribute: false },
    running: { type: Boolean },
    stopping: { type: Boolean },
  };

  declare fitness: FitnessOption[];
  /** The market as generated for the current settings (undefined while it is being generated). */
  declare market: MarketInfo | undefined;
  declare marketError: string | undefined;
  declare running: boolean;
  declare stopping: boolean;

  constructor() {
    super();
    this.fitness = [];
    this.market = undefined;
    this.marketError = undefined;
    this.running = false;
    this.stopping = false;
  }

  static override styles = css`
    :host { display: block; }
    form { display: grid; gap: 12px; }
    fieldset { border: 1px solid #d0d7de; border-radius: 6px; padding: 8px 12px 12px; margin: 0; background: #fff; display: grid; grid-template-columns: 1fr 1fr 1fr; gap: 8px 10px; }
    fieldset.run { grid-template-columns: 1fr 1fr 1fr; }
    legend { font-weight: 600; padding: 0 4px; }
    .field { display: grid; gap: 2px; min-width: 0; }
    .field.wide { grid-column: 1 / -1; }
    label { font-size: 12px; color: #424a53; }
    input, select { font: inherit; font-size: 14px; padding: 4px 6px; border: 1px solid #8c959f; border-radius: 4px; min-width: 0; background: #fff; color: inherit; }
    input:invalid { border-color: #cf222e; }
    input:focus-visible, select:focus-visible, button:focus-visible { outline: 2px solid #0969da; outline-offset: 1px; }
    .planted { grid-column: 1 / -1; font-size: 12px; margin: 0; }
    .planted ul { margin: 4px 0 0; padding-left: 18px; }
    .planted code { font-size: 12px; }
    .hint { color: #57606a; font-size: 12px; grid-column: 1 / -1; margin: 0; }
    .error { color: #cf222e; }
    .buttons { display: flex; gap: 8px; }
    button { font: inherit; padding: 6px 16px; border-radius: 6px; border: 1px solid #8c959f; background: #f6f8fa; cursor: pointer; }
    button.primary { background: #1f883d; border-color: #1a7f37; color: #fff; font-weight: 600; }
    button:disabled { opacity: 0.5; cursor: default; }
  `;

  /** The market fieldset's values, or undefined while one is out of range. */
  marketSettings(): MarketSettings | undefined {
    const v = this.values();
    return v?.market;
  }

  private values(): StartDetail | undefined {
    const form = this.renderRoot.querySelector('form');
    if (!form) return undefined;
    const num = (name: string) => (form.elements.namedItem(name) as HTMLInputElement).valueAsNumber;
    const str = (name: string) => (form.elements.namedItem(name) as HTMLSelectElement).value;
    const market = { stocks: num('stocks'), days: num('days'), seed: num('marketSeed') };
    const marketOk = ['stocks', 'days', 'marketSeed'].every((n) => (form.elements.namedItem(n) as HTMLInputElement).checkValidity());
    if (!marketOk) return undefined;
    return {
      market,
      run: { population: num('population'), generations: num('generations'), seed: num('runSeed'), fitness: str('fitness') },
      backend: str('backend') as WebBackendChoice,
    };
  }

  private onMarketChange(): void {
    const market = this.marketSettings();
    if (market) this.dispatchEvent(new CustomEvent<MarketSettings>('af-market-change', { detail: market, bubbles: true, composed: true }));
  }

  private onSubmit(e: SubmitEvent): void {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    if (this.running || !form.reportValidity()) return;
    const detail = this.values();
    if (detail) this.dispatchEvent(new CustomEvent<StartDetail>('af-start', { detail, bubbles: true, composed: true }));
  }

  private onStop(): void {
    this.dispatchEvent(new CustomEvent('af-stop', { bubbles: true, composed: true }));
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

  override render() {
    const fitness = this.fitness.length ? this.fitness : [{ name: 'rank_ic', description: '|mean daily rank IC|' }];
    const [sLo, sHi] = MARKET_LIMITS.stocks;
    const [dLo, dHi] = MARKET_LIMITS.days;
    const locked = this.running;
    return html`<form @submit=${this.onSubmit} aria-label="Run settings">
      <fieldset @change=${this.onMarketChange} ?disabled=${locked}>
        <legend>Synthetic market</legend>
        <div class="field"><label for="stocks">Stocks</label><input id="stocks" name="stocks" type="number" required min=${sLo} max=${sHi} step="1" value="300" /></div>
        <div class="field"><label for="days">Days</label><input id="days" name="days" type="number" required min=${dLo} max=${dHi} step="1" value="500" /></div>
        <div class="field"><label for="marketSeed">Market seed</label><input id="marketSeed" name="marketSeed" type="number" required min="0" max="4294967295" step="1" value="1" /></div>
        ${this.renderPlanted()}
      </fieldset>
      <fieldset class="run" ?disabled=${locked}>
        <legend>Search</legend>
        <div class="field"><label for="population">Population</label><input id="population" name="population" type="number" required min="2" max="20000" step="1" value="200" /></div>
        <div class="field"><label for="generations">Generations</label><input id="generations" name="generations" type="number" required min="1" max="1000" step="1" value="10" /></div>
        <div class="field"><label for="runSeed">Run seed</label><input id="runSeed" name="runSeed" type="number" required min="0" max="4294967295" step="1" value="1" /></div>
        <div class="field wide"><label for="fitness">Fitness</label>
          <select id="fitness" name="fitness" aria-describedby="fitness-hint">
            ${fitness.map((f) => html`<option value=${f.name} ?selected=${f.name === 'rank_ic'} title=${f.description}>${f.name}: ${f.description}</option>`)}
          </select>
        </div>
        <div class="field wide"><label for="backend">Backend</label>
          <select id="backend" name="backend">
            ${BACKEND_LABELS.map(([v, text]) => html`<option value=${v}>${text}</option>`)}
          </select>
        </div>
        <p class="hint" id="fitness-hint">Fitness ranks the population on the training days; the pool always needs the report's rule on training and validation.</p>
      </fieldset>
      <div class="buttons">
        <button class="primary" type="submit" ?disabled=${this.running}>Start</button>
        <button type="button" @click=${this.onStop} ?disabled=${!this.running || this.stopping}>${this.stopping ? 'Stopping…' : 'Stop'}</button>
      </div>
      ${this.running ? html`<p class="hint">Stop ends the run after the generation in progress.</p>` : nothing}
    </form>`;
  }
}

customElements.define('af-run-panel', AfRunPanel);

declare global {
  interface HTMLElementTagNameMap {
    'af-run-panel': AfRunPanel;
  }
  interface HTMLElementEventMap {
    'af-start': CustomEvent<StartDetail>;
    'af-market-change': CustomEvent<MarketSettings>;
    'af-stop': CustomEvent<void>;
  }
}
