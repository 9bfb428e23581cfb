/**
 * The per-factor-day row the metrics kernels return (`af_daily_metrics`, every backend): column positions and
 * width. A kernel writes one row per factor and day of the range, `[F, days, dailyWidth(q)]`; summaries are formed
 * from these rows alone (src/fitness/metrics.ts), so a GPU kernel only has to fill the same columns.
 */

export const COL = Object.freeze({
  /** 1 when the day is used for this factor (enough stocks, neither side constant), else 0. */
  used: 0,
  /** Pearson IC; NaN on unused days (as every column after `used`, except `covered`). */
  ic: 1,
  /** Spearman IC (average ranks for ties). */
  rankIc: 2,
  /** Mean label of the stocks used (the long-excess benchmark). */
  market: 3,
  /** Share of raw group q's stocks not in it on the previous used day; NaN on the first used day. */
  turnTop: 4,
  /** The same for raw group 1. */
  turnBottom: 5,
  /** Stocks with a factor value that day (for coverage), on every day. */
  covered: 6,
  /** Raw group g's mean label at `groups + g`, g = 0 (lowest factor values) .. q - 1; NaN for an empty group. */
  groups: 7,
});

/** Columns per factor-day for q groups. */
export function dailyWidth(q: number): number {
  return COL.groups + q;
}
