/**
 * Tuning shared by the O(1)-per-cell rolling kernels. They add the entering value and subtract the leaving
 * one, which lets rounding error pile up and, once a large value has left the window, leaves that value's
 * rounding behind in sums that are now small. Two defences bound it: every stock's sums are rebuilt from the
 * window itself on a fixed schedule of bars (which also re-centres the shift they are taken about), and a
 * sum whose cancellation has eaten most of its digits, measured against a running budget of the magnitudes
 * that went through it, is rebuilt on the spot before it is used.
 */

/**
 * Bars per block for kernels that walk the panel one stock at a time within a block of bars and carry their
 * per-stock state from block to block. Inside a block a stock's running sums stay in registers rather than
 * being loaded from and stored to per-stock arrays in every cell, and the block's rows of the panel (its few
 * cache lines per row, shared by the neighbouring stocks walked next) stay in the L1 cache; longer blocks fall
 * out of it (measured: 32 bars was fastest, 64 about 1.6 times slower).
 */
export const BLOCK = 32;

/**
 * Bars between scheduled rebuilds (per bar or per stock, as the kernel finds cheaper); never less than the
 * window so a rebuild costs O(1) amortised per cell.
 */
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
