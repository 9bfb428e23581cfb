/**
 * <af-expr-box>: a factor expression checked as it is typed, with the library's own parser (src/expr/parse.ts),
 * so the page accepts exactly what the miner and the CLI accept. A valid expression shows its canonical text and
 * shape (size, depth, lookback); an invalid one shows the parser's message and a caret under the offending
 * columns (ParseError carries them). The parser pulls in the operator table and its kernels, so it is loaded on
 * first use rather than with the page; parsing runs on this thread because it takes microseconds and the
 * worker may be busy with a generation. Evaluate (or Enter in the field) asks for the valid expression's tear
 * sheet with `af-evaluate`; the app computes it in the worker on the data it holds.
 */
import { LitElement, css, html } from 'lit';

import type { ExprCheck } from './expr-check.ts';

type Parsing = typeof import('./expr-check.ts');

export class AfExprBox extends LitElement {
  static override properties = {
    value: { type: String },
    result: { state: true },
  };

  declare value: string;
  declare result: ExprCheck | undefined;
  private parsing: Promise<Parsing> | undefined;
  /** Results arrive out of order when the parser module is still loading; only the latest text's counts. */
  private seq = 0;

  constructor() {
    super();
    this.value = '';
    this.result = undefined;
  }

  static override styles = css`
    :host { display: block; background: #fff; border: 1px solid #d0d7de; border-radius: 6px; padding: 8px 10px; }
    label { font-weight: 600; font-size: 14px; display: block; margin-bottom: 4px; }
    .row { display: flex; gap: 6px; }
    button { font: inherit; font-size: 13px; padding: 4px 12px; border-radius: 6px; border: 1px solid #8c959f; background: #f6f8fa; cursor: pointer; flex: 0 0 auto; }
    button:disabled { opacity: 0.5; cursor: default; }
    button:focus-visible { outline: 2px solid #0969da; outline-offset: 1px; }
    input { box-sizing: border-box; width: 100%; min-width: 0; flex: 1 1 auto; font: 14px/1.6 ui-monospace, 'SFMono-Regular', Menlo, Consolas, monospace; padding: 4px 7px; border: 1px solid #8c959f; border-radius: 4px; }
    input[aria-invalid='true'] { border-color: #cf222e; }
    input:focus-visible { outline: 2px solid #0969da; outline-offset: 1px; }
    .out { font-size: 12px; margin: 6px 0 0; min-height: 2.8em; }
    .ok { color: #1a7f37; }
    .err { color: #cf222e; }
    pre { margin: 4px 0 0; font: 13px/1.3 ui-monospace, 'SFMono-Regular', Menlo, Consolas, monospace; overflow-x: auto; color: #1b1f24; }
    .caret { color: #cf222e; font-weight: 700; }
    code { font: 12px ui-monospace, 'SFMono-Regular', Menlo, Consolas, monospace; }
  `;

  private async check(text: string): Promise<void> {
    const seq = ++this.seq;
    if (text.trim() === '') {
      this.result = undefined;
      return;
    }
    this.parsing ??= import('./expr-check.ts');
    const mod = await this.parsing;
    if (seq === this.seq) this.result = mod.checkExpression(text);
  }

  private onInput(e: InputEvent): void {
    this.value = (e.target as HTMLInputElement).value;
    void this.check(this.value);
  }

  private evaluate(): void {
    const r = this.result;
    if (!r?.ok) return;
    this.dispatchEvent(new CustomEvent('af-evaluate', { detail: { expr: r.canonical }, bubbles: true, composed: true }));
  }

  private onKey(e: KeyboardEvent): void {
    if (e.key === 'Enter') this.evaluate();
  }

  override firstUpdated(): void {
    if (this.value) void this.check(this.value);
  }

  private renderResult() {
    const r = this.result;
    if (!r) return html`<span>Type a factor, e.g. <code>sub(close,ts_Mean(8,low))</code>.</span>`;
    if (r.ok) {
      return html`<span class="ok">Valid: <code>${r.canonical}</code></span>
        <span> · size ${r.size}, depth ${r.depth}, lookback ${r.lookback} bars</span>`;
    }
    return html`<span class="err">Column ${r.column}: ${r.message}</span>
      <pre aria-hidden="true">${r.source}\n<span class="caret">${' '.repeat(r.column - 1)}${'^'.repeat(r.length)}</span></pre>`;
  }

  override render() {
    const invalid = this.result?.ok === false;
    return html`<label for="expr">Expression</label>
      <div class="row">
        <input id="expr" type="text" spellcheck="false" autocomplete="off" autocapitalize="off"
          .value=${this.value} @input=${this.onInput} @keydown=${this.onKey}
          aria-invalid=${invalid ? 'true' : 'false'} aria-describedby="expr-out" placeholder="sub(close,ts_Mean(8,low))" />
        <button type="button" ?disabled=${this.result?.ok !== true} @click=${this.evaluate}
          title="Tear sheet of this expression on the data loaded, with the last run's split (50/25/25 before any run)">Evaluate</button>
      </div>
      <div class="out" id="expr-out" role="status" aria-live="polite">${this.renderResult()}</div>`;
  }
}

customElements.define('af-expr-box', AfExprBox);

declare global {
  interface HTMLElementTagNameMap {
    'af-expr-box': AfExprBox;
  }
}
