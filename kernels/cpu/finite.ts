/**
 * The storage rule every host kernel shares. Kernels compute in float64 but store into float32 panels in
 * which NaN is the only "missing" marker, so a result that is not finite, or that would round to ±Infinity
 * when narrowed to float32, has to become NaN here; otherwise an infinity would leak into later operators and
 * poison their rolling sums. Inputs are read with the same rule: an infinite input cell counts as missing.
 */

/** Smallest magnitude that rounds to Infinity in float32: halfway between FLT_MAX and 2^128. */
export const F32_OVERFLOW = 3.4028235677973366e38;

/**
 * `v` narrowed to float32, or NaN where that narrowing gives ±Infinity (|v| >= F32_OVERFLOW) or `v` is not
 * finite. Branch-free on purpose: f * 0 is 0 for a finite f and NaN for an infinite one, and this runs in
 * every kernel's innermost loop, where a compare-and-select measured about twice as slow.
 */
export function f32(v: number): number {
  const f = Math.fround(v);
  return f + f * 0;
}

/**
 * Whether an input cell holds a value (NaN and ±Infinity are both missing). Where a branch on it would be
 * unpredictable, kernels add `v - v` instead, which is 0 for a present value and NaN for a missing one.
 */
export function present(v: number): boolean {
  return v - v === 0;
}
