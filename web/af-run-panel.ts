/**
 * <af-run-panel>: the run's settings, one form: the search (population, generations, seed, fitness measure from
 * the fitness registry, backend), the pool's rule (the report's thresholds, the correlation limit, the pool size),
 * the train/valid/test shares, and the primitives (windows, and the operators as checkboxes from the operator
 * table, each with its documentation as its description). The data (synthetic market or a file) is
 * <af-data-panel>'s. It owns no state beyond its inputs: it announces `af-start` with every setting, mapped onto
 * the miner's MineConfig and checked with the miner's own resolveConfig first, so a bad value is pointed at in
 * its field rather than failing in the worker, and `af-stop`. A native form, so Enter starts a run and the browser
 * checks the ranges. `setSettings()` fills the form from a saved run's settings (web/run-keeper.ts restores them
 * after a reload), so Start reruns exactly that run.
 */
import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { DEFAULT_CONFIG, MineConfigError, resolveConfig } from '../src/mine/config.ts';
import { MAX_WINDOW } from '../src/ops/types.ts';
import type { OpKind } from '../src/ops/types.ts';
import type { OpInfo, RunSettings, RunSetup, WebBackendChoice } from './protocol.ts';

export interface StartDetail {
  run: RunSettings;
  /** The other MineConfig settings, checked with resolveConfig. */
  config: RunSetup;
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

const KIND_LABELS: [OpKind, string][] = [
  ['elementwise', 'Elementwise'],
  ['cross_section', 'Cross-sectional'],
  ['time_series', 'Time series (windowed)'],
];

/** MineConfigError fields → the input that sets them, so the browser can point at it. */
const FIELD_INPUTS: Record<string, string> = {
  population: 'population', generations: 'generations', seed: 'runSeed', poolSize: 'poolSize', correlation: 'correlation',
  'thresholds.ic': 'thIc', 'thresholds.longExcess': 'thLongExcess', 'thresholds.monotonicity': 'thMonotonicity',
  split: 'trainShare', fitness: 'fitness',
};

/** "1-5, 10, 20" → [1, 2, 3, 4, 5, 10, 20]; throws a message for the windows field. */
export function parseWindows(text: string): number[] {
  const out = new Set<number>();
  for (const part of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = /^(\d+)(?:\s*-\s*(\d+))?$/.exec(part);
    if (!m) throw new Error(`'${part}' is not a window or a range such as 1-15`);
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (lo < 1 || hi > MAX_WINDOW || lo > hi) throw new Error(`'${part}': windows are whole numbers in 1..${MAX_WINDOW}, low to high`);
    for (let n = lo; n <= hi; n++) out.add(n);
  }
  if (out.size === 0) throw new Error('give at least one window, e.g. 1-15');
  return [...out].sort((a, b) => a - b);
}

/** [1, 2, 3, 5, 10, 11] → "1-3, 5, 10-11": the form the windows field is typed in. */
export function formatWindows(ws: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < ws.length; ) {
    let j = i;
    while (j + 1 < ws.length && ws[j + 1] === ws[j]! + 1) j++;
    parts.push(j > i ? `${ws[i]}-${ws[j]}` : `${ws[i]}`);
    i = j + 1;
  }
  return parts.join(', ');
}

/** `ts_Mean(n,x)`: as the parser reads it (a windowed operator's table row lists its operands only). */
function signature(op: OpInfo): string {
  return `${op.name}(${[...(op.minWindow > 0 ? ['n'] : []), ...op.args].join(',')})`;
}

const DEFAULT_SHARES = (DEFAULT_CONFIG.split.split ?? '0.5,0.25,0.25').split(',').map(Number);

export class AfRunPanel extends LitElement {
  static override properties = {
    fitness: { attribute: false },
    ops: { attribute: false },
    windows: { attribute: false },
    running: { type: Boolean },
    stopping: { type: Boolean },
    unchecked: { state: true },
    problem: { state: true },
    fitnessChoice: { state: true },
    backendChoice: { state: true },
  };

  declare fitness: FitnessOption[];
  /** The operator table's rows (sent by the worker); empty until it has started. */
  declare ops: OpInfo[];
  /** The miner's default windows. */
  declare windows: number[];
  declare running: boolean;
  declare stopping: boolean;
  /** Operators the user turned off (a set of what is off, so rows arriving later start on). */
  declare unchecked: ReadonlySet<string>;
  /** The last settings error, shown under the buttons as well as on its field. */
  declare problem: string;
  /**
   * The selects' values, kept here rather than only in the DOM: the fitness options arrive from the worker
   * after the first render, and a restored choice must survive them being rendered.
   */
  declare fitnessChoice: string;
  declare backendChoice: WebBackendChoice;
  /** A restored run's operators, applied once the operator table arrives (it may come after the restore). */
  private pendingOps: readonly string[] | undefined;

  constructor() {
    super();
    this.fitness = [];
    this.ops = [];
    this.windows = [];
    this.running = false;
    this.stopping = false;
    this.unchecked = new Set();
    this.problem = '';
    this.fitnessChoice = 'rank_ic';
    this.backendChoice = 'auto';
    this.pendingOps = undefined;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('ops') && this.pendingOps && this.ops.length) this.applyOps(this.pendingOps);
  }

  private applyOps(on: readonly string[]): void {
    const want = new Set(on);
    this.unchecked = new Set(this.ops.filter((op) => !want.has(op.name)).map((op) => op.name));
    this.pendingOps = undefined;
  }

  /**
   * Shows `s` in the form: every field it sets; pool rule, split, windows and operators only where `s.config`
   * has them (the defaults stay otherwise). Resolves once the inputs hold the values.
   */
  async setSettings(s: StartDetail): Promise<void> {
    this.fitnessChoice = s.run.fitness;
    this.backendChoice = s.backend;
    const ops = s.config.primitives?.ops;
    if (!ops) {
      this.pendingOps = undefined;
      this.unchecked = new Set();
    } else if (this.ops.length) this.applyOps(ops);
    else this.pendingOps = ops;
    this.problem = '';
    await this.updateComplete;
    const set = (name: string, value: number | string | undefined) => {
      const el = this.input(name);
      if (!el || value === undefined) return;
      el.value = String(value);
      el.setCustomValidity('');
    };
    set('population', s.run.population);
    set('generations', s.run.generations);
    set('runSeed', s.run.seed);
    const c = s.config;
    set('thIc', c.thresholds?.ic);
    set('thLongExcess', c.thresholds?.longExcess);
    set('thMonotonicity', c.thresholds?.monotonicity);
    set('correlation', c.correlation);
    set('poolSize', c.poolSize);
    // The page writes fractions only; a split by date ranges (not settable here) leaves the shares alone.
    const shares = c.split?.split?.split(',').map(Number);
    if (shares?.length === 3 && shares.every(Number.isFinite)) ['trainShare', 'validShare', 'testShare'].forEach((n, i) => set(n, shares[i]));
    const windows = c.primitives?.windows;
    if (windows?.length) set('windows', formatWindows(windows));
    else if (this.windows.length) set('windows', formatWindows(this.windows));
    // Selects too, in case the user changed one before the restore: `selected` only sets the default.
    const fitness = this.renderRoot.querySelector<HTMLSelectElement>('select[name="fitness"]');
    if (fitness && [...fitness.options].some((o) => o.value === s.run.fitness)) fitness.value = s.run.fitness;
    const backend = this.renderRoot.querySelector<HTMLSelectElement>('select[name="backend"]');
    if (backend) backend.value = s.backend;
  }

  static override styles = css`
    :host { display: block; }
    form { display: grid; gap: 12px; }
    fieldset { border: 1px solid #d0d7de; border-radius: 6px; padding: 8px 12px 12px; margin: 0; background: #fff; display: grid; grid-template-columns: 1fr 1fr 1fr; gap: 8px 10px; min-width: 0; }
    legend { font-weight: 600; padding: 0 4px; }
    .field { display: grid; gap: 2px; min-width: 0; align-content: end; }
    .field.wide { grid-column: 1 / -1; }
    label { font-size: 12px; color: #424a53; }
    input, select { font: inherit; font-size: 14px; padding: 4px 6px; border: 1px solid #8c959f; border-radius: 4px; min-width: 0; background: #fff; color: inherit; }
    input:invalid { border-color: #cf222e; }
    input:focus-visible, select:focus-visible, button:focus-visible, summary:focus-visible { outline: 2px solid #0969da; outline-offset: 1px; }
    .hint { color: #57606a; font-size: 12px; grid-column: 1 / -1; margin: 0; }
    .error { color: #cf222e; }
    .buttons { display: flex; gap: 8px; }
    button { font: inherit; padding: 6px 16px; border-radius: 6px; border: 1px solid #8c959f; background: #f6f8fa; cursor: pointer; }
    button.small { padding: 1px 8px; font-size: 12px; }
    button.primary { background: #1f883d; border-color: #1a7f37; color: #fff; font-weight: 600; }
    button:disabled { opacity: 0.5; cursor: default; }
    details { grid-column: 1 / -1; min-width: 0; }
    details.more > summary { font-size: 14px; font-weight: 600; padding: 4px 0; }
    .more-body { display: grid; gap: 12px; margin-top: 6px; }
    summary { cursor: pointer; font-size: 13px; }
    .ops { display: grid; gap: 6px; margin-top: 6px; max-height: 240px; overflow-y: auto; border: 1px solid #d0d7de; border-radius: 4px; padding: 6px 8px; }
    .ops fieldset { border: 0; padding: 0; background: none; grid-template-columns: repeat(auto-fill, minmax(128px, 1fr)); gap: 2px 8px; }
    .ops legend { font-size: 12px; font-weight: 600; color: #424a53; padding: 0; }
    .ops label { display: flex; gap: 4px; align-items: center; font-size: 13px; color: inherit; font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 12px; min-width: 0; white-space: nowrap; }
    .ops input { padding: 0; }
    .op-tools { display: flex; gap: 6px; align-items: center; flex-wrap: wrap; margin-top: 6px; font-size: 12px; }
  `;

  private input(name: string): HTMLInputElement | undefined {
    return this.renderRoot.querySelector<HTMLInputElement>(`[name="${name}"]`) ?? undefined;
  }

  /** Every setting, or a message naming the input at fault (checked with the miner's resolveConfig). */
  private values(): StartDetail | { field: string; message: string } {
    const num = (name: string) => this.input(name)!.valueAsNumber;
    const str = (name: string) => this.input(name)!.value;
    const run: RunSettings = { population: num('population'), generations: num('generations'), seed: num('runSeed'), fitness: str('fitness') };
    const shares = ['trainShare', 'validShare', 'testShare'].map(num);
    const config: RunSetup = {
      poolSize: num('poolSize'),
      correlation: num('correlation'),
      thresholds: { ic: num('thIc'), longExcess: num('thLongExcess'), monotonicity: num('thMonotonicity') },
      split: { split: shares.join(',') },
    };
    const primitives: NonNullable<RunSetup['primitives']> = {};
    const windowsText = str('windows').trim();
    if (windowsText !== '' || this.windows.length) {
      try {
        (primitives as { windows?: number[] }).windows = parseWindows(windowsText);
      } catch (e) {
        return { field: 'windows', message: (e as Error).message };
      }
    }
    if (this.ops.length && this.unchecked.size) {
      const on = this.ops.filter((op) => !this.unchecked.has(op.name)).map((op) => op.name);
      if (!on.length) return { field: 'ops', message: 'choose at least one operator' };
      (primitives as { ops?: string[] }).ops = on;
    }
    if (Object.keys(primitives).length) config.primitives = primitives;
    const sum = shares.reduce((a, b) => a + b, 0);
    // The same tolerance as src/data/splits.ts: decimal shares do not add up exactly in binary.
    if (Math.abs(sum - 1) > 1e-9) return { field: 'split', message: `the shares add up to ${+sum.toFixed(6)}, not 1` };
    if (!(shares[0]! > 0) || !(shares[1]! > 0)) return { field: 'split', message: 'training and validation need a share above 0 (pool members must pass on both)' };
    try {
      resolveConfig({ ...config, ...run, fitness: run.fitness || DEFAULT_CONFIG.fitness });
    } catch (e) {
      if (e instanceof MineConfigError) return { field: e.field, message: e.message };
      throw e;
    }
    return { run, config, backend: str('backend') as WebBackendChoice };
  }

  private onSubmit(e: SubmitEvent): void {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    if (this.running || !form.reportValidity()) return;
    const v = this.values();
    if ('field' in v) {
      this.problem = v.message;
      const target = this.input(FIELD_INPUTS[v.field] ?? v.field);
      if (target) {
        // A field folded away cannot show its message: unfold it first.
        const folded = target.closest('details.more');
        if (folded) (folded as HTMLDetailsElement).open = true;
        target.setCustomValidity(v.message);
        target.reportValidity();
      }
      return;
    }
    this.problem = '';
    this.dispatchEvent(new CustomEvent<StartDetail>('af-start', { detail: v, bubbles: true, composed: true }));
  }

  private onInput(e: Event): void {
    // A message set on submit would otherwise stick after the value is fixed.
    const t = e.target as HTMLInputElement;
    if (t.setCustomValidity) t.setCustomValidity('');
    if (t.name === 'trainShare' || t.name === 'validShare' || t.name === 'testShare') this.input('trainShare')?.setCustomValidity('');
    this.problem = '';
  }

  private onStop(): void {
    this.dispatchEvent(new CustomEvent('af-stop', { bubbles: true, composed: true }));
  }

  private toggleOp(name: string, on: boolean): void {
    const next = new Set(this.unchecked);
    if (on) next.delete(name);
    else next.add(name);
    this.unchecked = next;
  }

  private setAllOps(on: boolean): void {
    this.unchecked = on ? new Set() : new Set(this.ops.map((op) => op.name));
  }

  private renderOps() {
    if (!this.ops.length) return html`<p class="hint">Loading the operator table…</p>`;
    const on = this.ops.length - this.ops.filter((op) => this.unchecked.has(op.name)).length;
    return html`<details>
      <summary>Operators: ${on} of ${this.ops.length}</summary>
      <div class="op-tools">
        <button type="button" class="small" @click=${() => this.setAllOps(true)}>All</button>
        <button type="button" class="small" @click=${() => this.setAllOps(false)}>None</button>
        <span class="hint">Hover or focus an operator for what it computes.</span>
      </div>
      <div class="ops" role="group" aria-label="Operators">
        ${KIND_LABELS.map(([kind, label]) => html`<fieldset>
          <legend>${label}</legend>
          ${this.ops.filter((op) => op.kind === kind).map((op) => html`<label title=${`${signature(op)}: ${op.doc}`}>
            <input type="checkbox" name="op" value=${op.name} .checked=${!this.unchecked.has(op.name)}
              aria-description=${`${signature(op)}: ${op.doc}`}
              @change=${(e: Event) => this.toggleOp(op.name, (e.target as HTMLInputElement).checked)} />${op.name}</label>`)}
        </fieldset>`)}
      </div>
    </details>`;
  }

  override render() {
    const fitness = this.fitness.length ? this.fitness : [{ name: 'rank_ic', description: '|mean daily rank IC|' }];
    const locked = this.running;
    const th = DEFAULT_CONFIG.thresholds;
    return html`<form @submit=${this.onSubmit} @input=${this.onInput} aria-label="Run settings">
      <fieldset class="run" ?disabled=${locked}>
        <legend>Search</legend>
        <div class="field"><label for="population">Population</label><input id="population" name="population" type="number" required min="2" max="20000" step="1" value="200" /></div>
        <div class="field"><label for="generations">Generations</label><input id="generations" name="generations" type="number" required min="1" max="1000" step="1" value="10" /></div>
        <div class="field"><label for="runSeed">Run seed</label><input id="runSeed" name="runSeed" type="number" required min="0" max="4294967295" step="1" value=${DEFAULT_CONFIG.seed} /></div>
        <div class="field wide"><label for="fitness">Fitness</label>
          <select id="fitness" name="fitness" aria-describedby="fitness-hint" @change=${(e: Event) => (this.fitnessChoice = (e.target as HTMLSelectElement).value)}>
            ${fitness.map((f) => html`<option value=${f.name} ?selected=${f.name === this.fitnessChoice} title=${f.description}>${f.name}: ${f.description}</option>`)}
          </select>
        </div>
        <div class="field wide"><label for="backend">Backend</label>
          <select id="backend" name="backend" @change=${(e: Event) => (this.backendChoice = (e.target as HTMLSelectElement).value as WebBackendChoice)}>
            ${BACKEND_LABELS.map(([v, text]) => html`<option value=${v} ?selected=${v === this.backendChoice}>${text}</option>`)}
          </select>
        </div>
        <p class="hint" id="fitness-hint">Fitness ranks the population on the training days; the pool always needs the rule below on training and validation.</p>
      </fieldset>
      <details class="more">
      <summary>Pool rule, segments, windows and operators</summary>
      <div class="more-body">
      <fieldset ?disabled=${locked}>
        <legend>Pool</legend>
        <div class="field"><label for="thIc">|IC| at least</label><input id="thIc" name="thIc" type="number" required step="any" value=${th.ic} /></div>
        <div class="field"><label for="thLongExcess">Long excess at least</label><input id="thLongExcess" name="thLongExcess" type="number" required step="any" value=${th.longExcess} aria-describedby="pool-hint" /></div>
        <div class="field"><label for="thMonotonicity">Monotonicity at least</label><input id="thMonotonicity" name="thMonotonicity" type="number" required step="any" value=${th.monotonicity} /></div>
        <div class="field"><label for="correlation">Max |correlation|</label><input id="correlation" name="correlation" type="number" required min="0" max="1" step="any" value=${DEFAULT_CONFIG.correlation} /></div>
        <div class="field"><label for="poolSize">Pool size</label><input id="poolSize" name="poolSize" type="number" required min="1" max="10000" step="1" value=${DEFAULT_CONFIG.poolSize} /></div>
        <p class="hint" id="pool-hint">The report's rule: long excess is annualised (0.15 = 15 % a year). A factor more correlated than the limit with a fitter pool member stays out; the run stops when the pool is full.</p>
      </fieldset>
      <fieldset ?disabled=${locked}>
        <legend>Segments (shares of the trading days)</legend>
        <div class="field"><label for="trainShare">Train</label><input id="trainShare" name="trainShare" type="number" required min="0" max="1" step="any" value=${DEFAULT_SHARES[0]} /></div>
        <div class="field"><label for="validShare">Valid</label><input id="validShare" name="validShare" type="number" required min="0" max="1" step="any" value=${DEFAULT_SHARES[1]} /></div>
        <div class="field"><label for="testShare">Test</label><input id="testShare" name="testShare" type="number" required min="0" max="1" step="any" value=${DEFAULT_SHARES[2]} aria-describedby="split-hint" /></div>
        <p class="hint" id="split-hint">In date order, adding up to 1. The test days are only reported.</p>
      </fieldset>
      <fieldset ?disabled=${locked}>
        <legend>Primitives</legend>
        <div class="field wide"><label for="windows">Windows</label>
          <input id="windows" name="windows" type="text" inputmode="numeric" autocomplete="off" spellcheck="false" value=${formatWindows(this.windows)}
            placeholder="e.g. 1-15 or 2, 5, 10" aria-describedby="windows-hint" /></div>
        <p class="hint" id="windows-hint">Window lengths in bars for the time-series operators: numbers and ranges, comma-separated.</p>
        ${this.renderOps()}
      </fieldset>
      </div>
      </details>
      <div class="buttons">
        <button class="primary" type="submit" ?disabled=${this.running}>Start</button>
        <button type="button" @click=${this.onStop} ?disabled=${!this.running || this.stopping}>${this.stopping ? 'Stopping…' : 'Stop'}</button>
      </div>
      ${this.problem ? html`<p class="hint error" role="alert" id="setup-error">${this.problem}</p>` : nothing}
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
    'af-market-change': CustomEvent<import('./protocol.ts').MarketSettings>;
    'af-stop': CustomEvent<void>;
  }
}
