/**
 * Tuning shared by the O(1)-per-cell rolling kernels. They add the entering value and subtract the leaving
 * one, which lets rounding error pile up and, once a large value has left the window, leaves that value's
 * rounding behind in sums that are now small. Two defences bound it: every stock's sums are rebuilt from the
 * window itself on a fixed schedule of bars (which also re-centres the shift they are taken about), and a
 * sum whose cancellation has eaten most of its digits, measured against a running budget of the magnitudes
 * that went through it, is rebuilt on the spot before it is used. The schedule is per bar rather than per
 * stock so that no per-stock age has to be loaded and stored in every cell.
 */

/** Bars between scheduled rebuilds; never less than the window so a rebuild costs O(1) amortised per cell. */
export function refreshPeriod(n: number): number {
  return n > 64 ? n : 64;
}

/**
 * A central moment (or a plain sum) smaller than this fraction of the magnitudes that flowed through it
 * since the last rebuild may have lost its leading digits; with at most ~2 * period rounded operations in
 * that budget, anything above it keeps a relative error near 1e-8 or better. Real prices and volumes stay
 * far above it between scheduled rebuilds, so it fires only on pathological series (a huge value that has
 * left the window, a nearly constant window), where the O(n) rebuild is worth paying.
 */
export const CANCEL_TOL = 1e-6;
