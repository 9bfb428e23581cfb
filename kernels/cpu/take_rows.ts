/**
 * Host kernel for `af_take_rows`: the rows `rows[r]` of a `[T, N]` panel as an `[R, N]` panel. The scorer cuts
 * every evaluated root to the day-end bars this way before the metrics; tfjs's generic gather computes an index
 * per element and was a sixth of the CPU scoring time on large panels, where these are row copies. A row index
 * outside the panel gives a NaN row, as on the GPU backends, which cannot throw.
 */
export interface TakeRowsArgs {
  readonly x: Float32Array;
  readonly rows: Int32Array;
  readonly T: number;
  readonly N: number;
  /** `[rows.length, N]`, every cell written. */
  readonly out: Float32Array;
}

export function takeRows({ x, rows, T, N, out }: TakeRowsArgs): void {
  for (let r = 0; r < rows.length; r++) {
    const t = rows[r]!;
    if (t >= 0 && t < T) out.set(x.subarray(t * N, (t + 1) * N), r * N);
    else out.fill(NaN, r * N, (r + 1) * N);
  }
}
