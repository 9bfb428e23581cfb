/**
 * <af-run-controls>: the toolbar between the status line and the chart: Pause and Resume for the run in
 * progress, download links for the pool (pool.csv and pool.json, the CLI run folder's columns and shape, written
 * by src/mine/run_files.ts), and the run saved in this browser (web/run-store.ts): whether what is shown was
 * restored after a reload, resuming a run the reload interrupted, and clearing it. It holds no run state:
 * <af-app> passes everything in and acts on its events (af-pause, af-resume, af-resume-saved, af-clear-saved).
 * The download links are object URLs of Blobs rebuilt when the pool changes, so they are ordinary links: keyboard,
 * context menu ("save link as") and middle click all work.
 */
import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import type { MineConfig } from '../src/mine/config.ts';
import type { PoolMember, StopReason } from '../src/mine/miner.ts';
import { poolCsv, poolJson, type SegmentInfo } from '../src/mine/run_files.ts';

/** What <af-app> tells this bar about the saved run. */
export interface SavedRunInfo {
  savedAt: number;
  /** True when what the page shows came from storage at load, not from a run in this page. */
  restored: boolean;
  /** The saved run can be continued from its checkpoint; otherwise `why` says why not (or nothing to say). */
  resumable: boolean;
  why?: string;
}

type ControlState = 'idle' | 'running' | 'paused' | 'stopping' | 'done' | 'error';

export class AfRunControls extends LitElement {
  static override properties = {
    state: { type: String },
    pauseReached: { type: Boolean },
    pool: { attribute: false },
    config: { attribute: false },
    segments: { attribute: false },
    stop: { attribute: false },
    saved: { attribute: false },
    storageError: { attribute: false },
    urls: { state: true },
  };

  declare state: ControlState;
  /** The worker has confirmed the hold (no generation is being scored). */
  declare pauseReached: boolean;
  declare pool: PoolMember[];
  /** The run's resolved config (from its latest checkpoint); pool.json needs it. */
  declare config: MineConfig | undefined;
  declare segments: SegmentInfo[];
  declare stop: StopReason | null;
  declare saved: SavedRunInfo | undefined;
  declare storageError: string | undefined;
  declare urls: { csv?: string; json?: string };

  constructor() {
    super();
    this.state = 'idle';
    this.pauseReached = false;
    this.pool = [];
    this.config = undefined;
    this.segments = [];
    this.stop = null;
    this.saved = undefined;
    this.storageError = undefined;
    this.urls = {};
  }

  static override styles = css`
    :host { display: block; background: #fff; border: 1px solid #d0d7de; border-radius: 6px; padding: 6px 10px; font-size: 13px; }
    .bar { display: flex; flex-wrap: wrap; gap: 6px 18px; align-items: center; }
    .group { display: flex; gap: 6px; align-items: center; flex-wrap: wrap; min-width: 0; }
    .label { color: #57606a; }
    button { font: inherit; padding: 3px 12px; border-radius: 6px; border: 1px solid #8c959f; background: #f6f8fa; color: inherit; cursor: pointer; }
    button:disabled { opacity: 0.5; cursor: default; }
    a { color: #0969da; }
    a.off { color: #8c959f; text-decoration: none; }
    button:focus-visible, a:focus-visible { outline: 2px solid #0969da; outline-offset: 1px; }
    .badge { background: #ddf4ff; color: #0550ae; border: 1px solid #54aeff; border-radius: 10px; padding: 0 8px; font-size: 12px; font-weight: 600; }
    .note { color: #57606a; }
    .error { color: #cf222e; margin: 4px 0 0; }
    .saved { margin-left: auto; }
  `;

  override willUpdate(changed: PropertyValues<this>): void {
    if (!['pool', 'config', 'segments', 'stop'].some((k) => changed.has(k as keyof AfRunControls))) return;
    this.revoke();
    const hasRun = this.config !== undefined;
    if (!hasRun) {
      this.urls = {};
      return;
    }
    this.urls = {
      csv: URL.createObjectURL(new Blob([poolCsv(this.pool)], { type: 'text/csv' })),
      json: URL.createObjectURL(new Blob([poolJson(this.config!, this.stop, this.segments, this.pool)], { type: 'application/json' })),
    };
  }

  private revoke(): void {
    for (const u of Object.values(this.urls)) if (u) URL.revokeObjectURL(u);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.revoke();
    this.urls = {};
  }

  private fire(type: 'af-pause' | 'af-resume' | 'af-resume-saved' | 'af-clear-saved'): void {
    this.dispatchEvent(new CustomEvent(type, { bubbles: true, composed: true }));
  }

  private link(url: string | undefined, name: string, label: string) {
    // Without a run there is nothing to download: plain text, out of the tab order, rather than a dead link.
    return url
      ? html`<a href=${url} download=${name} aria-label=${label}>${name}</a>`
      : html`<a class="off" aria-disabled="true" aria-label=${label}>${name}</a>`;
  }

  private renderSaved() {
    const s = this.saved;
    const busy = this.state === 'running' || this.state === 'paused' || this.state === 'stopping';
    const when = s ? new Date(s.savedAt).toLocaleString() : '';
    return html`<div class="group saved" role="group" aria-label="Saved run">
      ${s?.restored ? html`<span class="badge" id="restored">Restored</span><span class="note">saved ${when}</span>` : s ? html`<span class="note">Saved in this browser</span>` : html`<span class="note">Nothing saved</span>`}
      ${s?.restored && s.resumable && !busy ? html`<button type="button" id="resume-saved" @click=${() => this.fire('af-resume-saved')}>Resume saved run</button>` : nothing}
      ${s?.restored && !s.resumable && s.why ? html`<span class="note" id="not-resumable">Cannot resume: ${s.why}.</span>` : nothing}
      <button type="button" id="clear-saved" ?disabled=${!s || busy} @click=${() => this.fire('af-clear-saved')}>Clear saved run</button>
    </div>`;
  }

  override render() {
    const running = this.state === 'running';
    const paused = this.state === 'paused';
    return html`<div class="bar">
        <div class="group" role="group" aria-label="Run control">
          <button type="button" id="pause" ?disabled=${!running} @click=${() => this.fire('af-pause')}>Pause</button>
          <button type="button" id="resume" ?disabled=${!paused} @click=${() => this.fire('af-resume')}>Resume</button>
          ${paused ? html`<span class="note">${this.pauseReached ? 'Paused between generations.' : 'Pausing after the generation in progress…'}</span>` : nothing}
        </div>
        <div class="group" role="group" aria-label="Export the pool">
          <span class="label">Export pool:</span>
          ${this.link(this.urls.csv, 'pool.csv', 'Download the pool as CSV')}
          ${this.link(this.urls.json, 'pool.json', 'Download the pool as JSON')}
        </div>
        ${this.renderSaved()}
      </div>
      ${this.storageError ? html`<p class="error" role="alert">${this.storageError}</p>` : nothing}`;
  }
}

customElements.define('af-run-controls', AfRunControls);

declare global {
  interface HTMLElementTagNameMap {
    'af-run-controls': AfRunControls;
  }
  interface HTMLElementEventMap {
    'af-pause': CustomEvent<void>;
    'af-resume': CustomEvent<void>;
    'af-resume-saved': CustomEvent<void>;
    'af-clear-saved': CustomEvent<void>;
  }
}
