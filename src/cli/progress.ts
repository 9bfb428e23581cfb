/**
 * Progress display of `alphaflow mine`: pure functions that turn numbers into one line of text (unit-tested
 * without a terminal), and a small writer that shows them either as one line redrawn in place with `\r` (a
 * terminal) or as one plain log line per generation (a pipe or file, where carriage returns would pile up).
 */

/** A duration for people: 45s, 3m05s, 2h07m; `--` when unknown. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** `[#####-----]` of `width` cells; an empty total counts as done (nothing left to score). */
export function progressBar(done: number, total: number, width = 20): string {
  const share = total > 0 ? Math.min(1, Math.max(0, done / total)) : 1;
  const full = Math.round(share * width);
  return `[${'#'.repeat(full)}${'-'.repeat(width - full)}]`;
}

/** A fitness as four decimals with its sign column, or `--` before any is known. */
export function formatFitness(v: number): string {
  return Number.isFinite(v) ? v.toFixed(4) : '--';
}

/**
 * Seconds left: mean seconds per finished generation (this session's) times the generations not yet finished,
 * less the share of the current one already done; capped by what is left of a time budget. NaN when nothing is
 * known yet.
 */
export function estimateRemaining(s: {
  generation: number; generations: number; meanSeconds: number; currentShare?: number; budgetLeft?: number | null;
}): number {
  let eta = Number.isFinite(s.meanSeconds) ? s.meanSeconds * Math.max(0, s.generations - s.generation - (s.currentShare ?? 0)) : NaN;
  if (s.budgetLeft !== undefined && s.budgetLeft !== null) eta = Number.isFinite(eta) ? Math.min(eta, Math.max(0, s.budgetLeft)) : Math.max(0, s.budgetLeft);
  return eta;
}

export interface LiveState {
  /** 0-based generation being scored, of `generations` in all. */
  generation: number;
  generations: number;
  /** Expressions scored of this generation's new ones. */
  done: number;
  total: number;
  /** Scored expressions per second in this generation so far (NaN at its start). */
  rate: number;
  /** Best training fitness so far (NaN before the first generation ends). */
  best: number;
  pool: number;
  poolSize: number;
  /** Seconds left (NaN: unknown). */
  eta: number;
}

/** The redrawn terminal line: `gen 3/10 [####------] 120/300  85/s  best 0.0412  pool 4/100  ETA 1m20s`. */
export function liveLine(s: LiveState, barWidth = 20): string {
  const rate = Number.isFinite(s.rate) ? `${s.rate >= 100 ? Math.round(s.rate) : s.rate.toFixed(1)}/s` : '--/s';
  return `gen ${s.generation + 1}/${s.generations} ${progressBar(s.done, s.total, barWidth)} ${s.done}/${s.total}  ${rate}  ` +
    `best ${formatFitness(s.best)}  pool ${s.pool}/${s.poolSize}  ETA ${formatDuration(s.eta)}`;
}

export interface GenerationSummary {
  generation: number;
  generations: number;
  best: number;
  mean: number;
  pool: number;
  poolSize: number;
  evaluations: number;
  seconds: number;
  eta: number;
}

/** One log line per finished generation, for pipes and files. */
export function generationLine(s: GenerationSummary): string {
  const rate = s.seconds > 0 ? ` (${Math.round(s.evaluations / s.seconds)}/s)` : '';
  return `generation ${s.generation + 1}/${s.generations}: best ${formatFitness(s.best)}, mean ${formatFitness(s.mean)}, pool ${s.pool}/${s.poolSize}, ` +
    `${s.evaluations} scored in ${s.seconds.toFixed(2)}s${rate}, ETA ${formatDuration(s.eta)}`;
}

/** Where progress goes: a stream with `write`, and whether it is a terminal (and how wide). */
export interface ProgressSink {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/**
 * Shows live lines on a terminal (redrawn, cut to the terminal's width so the line never wraps, at most ~10 times
 * a second) and generation lines elsewhere; `quiet` shows nothing. `clear()` ends a live line before other output.
 */
export class ProgressWriter {
  private live = false;
  private lastDraw = -Infinity;

  constructor(private readonly sink: ProgressSink, private readonly quiet = false, private readonly now: () => number = () => performance.now() / 1000) {}

  get isTerminal(): boolean {
    return !this.quiet && this.sink.isTTY === true;
  }

  update(s: LiveState, force = false): void {
    if (!this.isTerminal) return;
    const t = this.now();
    if (!force && t - this.lastDraw < 0.1) return;
    this.lastDraw = t;
    // A pseudo-terminal may report 0 columns; then assume a common width rather than cutting to nothing.
    const cols = this.sink.columns ?? 0;
    const width = cols > 20 ? cols - 1 : 99;
    let line = liveLine(s);
    if (line.length > width) line = line.slice(0, width);
    this.sink.write(`\r${line.padEnd(width)}`);
    this.live = true;
  }

  generation(s: GenerationSummary): void {
    if (this.quiet || this.isTerminal) return;
    this.sink.write(generationLine(s) + '\n');
  }

  /** A message line (e.g. how to resume); shown even on a terminal, after ending the live line. */
  message(text: string): void {
    if (this.quiet) return;
    this.clear();
    this.sink.write(text + '\n');
  }

  clear(): void {
    if (!this.live) return;
    this.sink.write('\n');
    this.live = false;
  }
}
