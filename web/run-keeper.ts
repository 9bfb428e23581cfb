/**
 * <af-app>'s run control and persistence, as a Lit reactive controller so the page element only wires it in: it
 * watches the messages the page sends to the mining worker and those it gets back, pauses and resumes the run,
 * saves the run to this browser's storage (web/run-store.ts) after every generation and when it ends, restores
 * the saved run when the page loads (marked as restored: `restored` attribute on <af-app>, badge, status line;
 * its settings shown in the panels, and the worker told, so Start reruns it and its tear sheets use its data),
 * continues an interrupted run from its checkpoint, clears the saved run, and renders <af-run-controls>.
 *
 * Storage failures never stop a run: they are shown under the controls and the run goes on unsaved.
 */
import { html, type ReactiveController, type ReactiveControllerHost } from 'lit';
import type { Checkpoint, GenerationRecord, PoolMember, StopReason } from '../src/mine/miner.ts';
import type { SegmentInfo } from '../src/mine/run_files.ts';
import type { FromWorker, ToWorker } from './protocol.ts';
import { clearRun, loadRun, saveRun, whyNotResumable, type SavedRun, type SavedStatus } from './run-store.ts';
import type { SavedRunInfo } from './af-run-controls.ts';
import './af-run-controls.ts';

/** What the controller reads and sets on <af-app>. */
export interface KeeperHost extends ReactiveControllerHost, HTMLElement {
  state: string;
  history: GenerationRecord[];
  pool: PoolMember[];
  message: string;
  fitnessName: string;
  generations: number;
  /** Puts a restored run's settings into the data and run panels. */
  showSettings(run: SavedRun): Promise<void>;
}

type StartMessage = Extract<ToWorker, { type: 'start' | 'start-setup' }>;

const STOP_WORDS: Record<StopReason, string> = {
  generations: 'all generations done',
  pool: 'the pool was full',
  time: 'time budget spent',
  aborted: 'stopped',
};

export class RunKeeper implements ReactiveController {
  private settings: Pick<SavedRun, 'market' | 'run' | 'backend' | 'data' | 'setup'> | undefined;
  private checkpoint: Checkpoint | undefined;
  private segments: SegmentInfo[] = [];
  private stop: StopReason | null = null;
  private saved: SavedRun | undefined;
  private restored = false;
  private pauseReached = false;
  private storageError: string | undefined;
  /** The name of the last data file sent to the worker, for a saved run's description. */
  private fileName: string | undefined;
  private loaded = false;

  constructor(private readonly host: KeeperHost, private readonly send: (m: ToWorker) => void) {
    host.addController(this);
  }

  hostConnected(): void {
    if (this.loaded) return;
    this.loaded = true;
    void this.restore();
  }

  private setError(e: unknown): void {
    this.storageError = `${(e as Error).message ?? String(e)}. The run goes on but is not saved.`;
    this.host.requestUpdate();
  }

  private async restore(): Promise<void> {
    let run: SavedRun | undefined;
    try {
      run = await loadRun();
    } catch (e) {
      this.setError(e);
      return;
    }
    // A run started while storage was being read wins over the saved one.
    if (!run || this.settings || this.host.state !== 'idle' || this.host.history.length > 0) return;
    this.saved = run;
    this.restored = true;
    this.settings = { market: run.market, run: run.run, backend: run.backend, data: run.data, setup: run.setup };
    this.checkpoint = run.checkpoint;
    this.segments = run.segments ?? [];
    this.stop = run.stop;
    const h = this.host;
    h.history = run.history;
    h.pool = run.pool;
    h.fitnessName = run.checkpoint?.config.fitness ?? run.run.fitness;
    h.generations = run.checkpoint?.config.generations ?? run.run.generations;
    h.message = this.restoredText(run);
    h.toggleAttribute('restored', true);
    h.requestUpdate();
    this.send({ type: 'restored', data: run.data, market: run.market, config: run.checkpoint?.config });
    void h.showSettings(run);
  }

  /** The file a restored run mined, while it is the run shown; the data panel asks for it again. */
  restoredFile(): string | undefined {
    return this.restored && this.saved?.data.kind === 'file' ? this.saved.data.name : undefined;
  }

  private restoredText(run: SavedRun): string {
    const n = run.history.length;
    const gens = `${n} generation${n === 1 ? '' : 's'}`;
    const interrupted = run.status === 'running' || run.status === 'paused';
    const what = interrupted
      ? `interrupted by a reload after ${gens} of ${run.checkpoint?.config.generations ?? run.run.generations}`
      : run.status === 'error'
        ? `${run.message || 'the run failed'}`
        : `${run.stop ? STOP_WORDS[run.stop] : 'ended'} after ${gens}`;
    const why = whyNotResumable(run);
    const next = interrupted ? (why ? ` It cannot be resumed: ${why}.` : ' Resume it from its checkpoint, or start a new run.') : '';
    return `Restored the saved run (${run.data.kind === 'file' ? run.data.name : run.market ? `synthetic market ${run.market.stocks} × ${run.market.days}, seed ${run.market.seed}` : 'synthetic market'}): ${what}.${next}`;
  }

  /** Every message the page sends the worker passes here first. */
  sent(m: ToWorker): void {
    if (m.type === 'load') this.fileName = m.name;
    if (m.type === 'start' || m.type === 'start-setup') this.started(m);
  }

  private started(m: StartMessage): void {
    const file = m.type === 'start-setup' && m.source === 'file';
    this.settings = {
      market: m.market ? { ...m.market } : undefined, run: { ...m.run }, backend: m.backend,
      setup: m.type === 'start-setup' ? structuredClone(m.config) : undefined,
      data: file ? { kind: 'file', name: this.fileName ?? 'a data file' } : { kind: 'synthetic' },
    };
    this.checkpoint = undefined;
    this.segments = [];
    this.stop = null;
    this.restored = false;
    this.pauseReached = false;
    this.host.toggleAttribute('restored', false);
    this.persist('running');
  }

  /** Every message from the worker passes here before <af-app> handles it. */
  received(m: FromWorker): void {
    switch (m.type) {
      case 'loaded':
        this.fileName = m.info.name;
        return;
      case 'paused':
        this.pauseReached = m.paused;
        this.host.requestUpdate();
        return;
      case 'checkpoint':
        this.checkpoint = m.checkpoint;
        this.segments = m.segments;
        this.stop = m.stop;
        this.persist(this.host.state === 'paused' ? 'paused' : 'running');
        return;
      case 'done':
        this.stop = m.stop;
        this.pauseReached = false;
        // After <af-app> has handled it: the saved status line is the one it writes.
        void this.host.updateComplete.then(() => this.persist('done'));
        return;
      case 'error':
        if (m.during !== 'run') return;
        this.pauseReached = false;
        void this.host.updateComplete.then(() => this.persist('error'));
        return;
    }
  }

  private persist(status: SavedStatus): void {
    if (!this.settings) return;
    const cp = this.checkpoint;
    const run: SavedRun = {
      version: 1, savedAt: Date.now(), status, ...this.settings,
      history: cp ? cp.history : [], pool: cp ? cp.pool : [], checkpoint: cp, segments: this.segments, stop: this.stop,
      message: status === 'done' || status === 'error' ? this.host.message : '',
    };
    this.saved = run;
    this.host.requestUpdate();
    saveRun(run).then(
      () => {
        if (this.storageError) {
          this.storageError = undefined;
          this.host.requestUpdate();
        }
      },
      (e) => this.setError(e),
    );
  }

  pause(): void {
    if (this.host.state !== 'running') return;
    this.pauseReached = false;
    this.host.state = 'paused';
    this.send({ type: 'pause' });
  }

  resume(): void {
    if (this.host.state !== 'paused') return;
    this.pauseReached = false;
    this.host.state = 'running';
    this.send({ type: 'resume' });
    // The hold is recorded only in storage's status; a reload now must not say "paused".
    this.persist('running');
  }

  /** Continues the restored run from its checkpoint, on the market rebuilt from its settings. */
  resumeSaved(): void {
    const run = this.saved;
    const h = this.host;
    if (!run || !this.restored || !run.checkpoint || !run.market || whyNotResumable(run) || !(h.state === 'idle' || h.state === 'done' || h.state === 'error')) return;
    this.restored = false;
    h.toggleAttribute('restored', false);
    h.message = '';
    h.state = 'running';
    this.pauseReached = false;
    this.send({ type: 'resume-run', market: run.market, run: run.run, backend: run.backend, checkpoint: run.checkpoint });
  }

  async clear(): Promise<void> {
    const h = this.host;
    if (h.state === 'running' || h.state === 'paused' || h.state === 'stopping') return;
    try {
      await clearRun();
    } catch (e) {
      this.setError(e);
      return;
    }
    this.saved = undefined;
    this.storageError = undefined;
    this.checkpoint = undefined;
    this.segments = [];
    this.stop = null;
    if (this.restored) {
      // What was shown came from storage only: it goes with it.
      this.restored = false;
      h.toggleAttribute('restored', false);
      h.history = [];
      h.pool = [];
      h.message = 'Cleared the saved run.';
    }
    h.requestUpdate();
  }

  /** For the status line while paused. */
  pausedText(): string {
    const last = this.host.history[this.host.history.length - 1];
    return this.pauseReached ? `paused after generation ${last ? last.generation + 1 : 0}` : 'pausing after this generation';
  }

  private info(): SavedRunInfo | undefined {
    const s = this.saved;
    if (!s) return undefined;
    const why = whyNotResumable(s);
    return { savedAt: s.savedAt, restored: this.restored, resumable: !why, why: s.status === 'running' || s.status === 'paused' ? why : undefined };
  }

  /** <af-run-controls>, wired to this controller. */
  controls() {
    return html`<af-run-controls
      .state=${this.host.state as 'idle'} .pauseReached=${this.pauseReached}
      .pool=${this.host.pool} .config=${this.checkpoint?.config} .segments=${this.segments} .stop=${this.stop}
      .saved=${this.info()} .storageError=${this.storageError}
      @af-pause=${() => this.pause()} @af-resume=${() => this.resume()}
      @af-resume-saved=${() => this.resumeSaved()} @af-clear-saved=${() => void this.clear()}></af-run-controls>`;
  }
}
