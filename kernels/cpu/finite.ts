/**
 * The storage rule every host kernel shares. Kernels compute in float64 but store into float32 panels in
 * which NaN is the only "missing" marker, so a result that is not finite, or that would round to ±Infinity
 * when narrowed to float32, has to become NaN here; otherwise an infinity would leak into later operators and
 * poison their rolling sums. Inputs are read with the same rule: an infinite input cell counts as missing.
 */

/** Smallest magnitude that rounds to Infinity in float32: halfway between FLT_MAX and 2^128. */
export const F32_OVERFLOW = 3.4028235677973366e38;

/** `v` when it stays a finite number after narrowing to float32, otherwise NaN. */
export function f32(v: number): number {
  return v < F32_OVERFLOW && v > -F32_OVERFLOW ? v : NaN;
}

/** Whether an input cell holds a value (NaN and ±Infinity are both missing). */
export function present(v: number): boolean {
  return v - v === 0;
}
