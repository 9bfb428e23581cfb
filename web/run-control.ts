/**
 * The mining worker's side of pausing and saving a run, kept out of web/mine-worker.ts so that file only routes
 * messages. A pause holds the worker between generations: the miner is an async generator, so not asking it for
 * the next generation is all it takes, and the run's state (population, generator seed state, cache) waits in
 * memory exactly as it was. The page is told once the hold has begun, so its status line says "paused" only when
 * no work is going on. Also the segments of a run, which pool.json lists and the miner reports only at the end.
 */
import { tradingDays } from '../src/data/calendar.ts';
import type { Panel } from '../src/data/panel.ts';
import { parseSplitArgs, splitDays } from '../src/data/splits.ts';
import type { MineConfig } from '../src/mine/config.ts';
import { segmentInfo, type SegmentInfo } from '../src/mine/run_files.ts';
import type { FromWorker } from './protocol.ts';

export class PauseGate {
  private release: (() => void) | undefined;
  private held: Promise<void> | undefined;

  get paused(): boolean {
    return this.held !== undefined;
  }

  pause(): void {
    if (this.held) return;
    this.held = new Promise<void>((resolve) => (this.release = resolve));
  }

  resume(): void {
    this.release?.();
    this.release = undefined;
    this.held = undefined;
  }

  /**
   * Waits while paused, telling the page when the hold begins and ends. Returns true when the run was stopped
   * during the hold: the caller then ends the run without asking for another generation (the miner would
   * otherwise run a whole one before it looked at the stop signal).
   */
  async hold(signal: AbortSignal, generation: number, post: (m: FromWorker) => void): Promise<boolean> {
    if (!this.held || signal.aborted) return signal.aborted;
    post({ type: 'paused', paused: true, generation });
    await new Promise<void>((resolve) => {
      void this.held?.then(resolve);
      signal.addEventListener('abort', () => resolve(), { once: true });
    });
    if (signal.aborted) {
      this.resume();
      return true;
    }
    post({ type: 'paused', paused: false, generation });
    return false;
  }
}

/** The run's train/valid/test segments as the miner computes them (src/mine/miner.ts `prepare`). */
export function runSegments(panel: Panel, config: MineConfig): SegmentInfo[] {
  return segmentInfo(splitDays(tradingDays(panel).days, parseSplitArgs(config.split)));
}
