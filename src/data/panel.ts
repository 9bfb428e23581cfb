/**
 * The aligned panel: every field as a time-major `[T, N]` float32 array over the union of all bar timestamps
 * (rows) and all stock codes (columns). A stock with no row at a timestamp holds NaN there; NaN means missing.
 */

export interface Panel {
  /** Bar timestamps exactly as written in the input, ascending in time. Length T. */
  readonly times: readonly string[];
  /** Stock codes, ascending. Length N. */
  readonly codes: readonly string[];
  /** Field name → values, cell (t, j) at `t * N + j`. */
  readonly fields: ReadonlyMap<string, Float32Array>;
  readonly T: number;
  readonly N: number;
}

/** Build a panel from arrays, checking shapes (for tests, generators and loaders). */
export function makePanel(
  times: readonly string[],
  codes: readonly string[],
  fields: ReadonlyMap<string, Float32Array> | Record<string, Float32Array>,
): Panel {
  const map = fields instanceof Map ? fields : new Map(Object.entries(fields));
  const T = times.length;
  const N = codes.length;
  for (const [name, values] of map) {
    if (values.length !== T * N) {
      throw new RangeError(`field '${name}' has ${values.length} values, expected ${T} bars x ${N} stocks = ${T * N}`);
    }
  }
  return { times, codes, fields: map, T, N };
}
