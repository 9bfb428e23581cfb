/** Failure messages of the kernel tests: the operand values a failing cell saw (its window, or the cell). */
import type { OpSpec } from '../../src/ops/types.ts';

/** Operators whose outputs are scale-free and O(1): the kernel tests compare them with an absolute floor of 1. */
export const BOUNDED = new Set(['sign', 'arctan', 'sig', 'rank', 'zscore', 'scale', 'ts_Rank', 'ts_ArgMax', 'ts_ArgMin', 'correlation', 'ts_Skew']);

/** The operands at (t, j): each operand's window t-n..t for windowed operators, else the cell itself. */
export function describeWindow(op: OpSpec, xs: Float32Array[], t: number, j: number, N: number, n: number): string {
  if (!op.windowed) return xs.map((x) => String(x[t * N + j])).join(' | ');
  const lo = Math.max(0, t - n);
  return xs
    .map((x) => {
      const vals: string[] = [];
      for (let tt = lo; tt <= t; tt++) vals.push(String(x[tt * N + j]));
      return `[${vals.join(', ')}]`;
    })
    .join(' | ');
}
