/**
 * WebGL kernel for the cross-sectional percentile rank: the average 1-based rank of a stock's tie group among
 * the stocks with a value at that bar, divided by their number. With lt present values below a stock's and eq
 * equal to it (itself included), that is (lt + (eq + 1) / 2) / m, exact for ties. Two ways to get lt and eq,
 * with identical results:
 *
 * - Count, for bars of at most RANK_COUNT_MAX stocks: each fragment walks its bar (O(N) per cell).
 * - Sort, for wider bars: the bars are copied into rows padded to a power of two, sorted (bitonic.ts), and each
 *   fragment binary-searches its value (O(log N) per cell after the sort's log2(S)(log2(S)+1)/2 draws).
 */
import type { WebGlKernel } from '../../src/ops/types.ts';
import { runCells, type CellArgs } from './program.ts';
import { sortRows, sortWidthGl, sortedBoundGlsl } from './bitonic.ts';

/**
 * The widest bar that is counted: up to here one pass over the bar costs less than the sort's draws (on
 * SwiftShader counting won at 65 stocks by 2x and lost at 128 by 1.4x; docs/benchmarks.md).
 */
export const RANK_COUNT_MAX = 96;

const EMIT = `afEmit(float(2 * lt + eq + 1) / float(2 * m));`;

export const rank: WebGlKernel = (args) => (args.N > RANK_COUNT_MAX ? rankBySort(args) : rankByCount(args));

export function rankByCount(args: CellArgs) {
  return runCells('rank', args, `
  float x = getX0(t, j);
  if (afMissing(x)) { setOutput(NAN); return; }
  int m = 0;
  int lt = 0;
  int eq = 0;
  for (int k = 0; k < afN; k++) {
    float v = getX0(t, k);
    if (afMissing(v)) continue;
    m++;
    if (v < x) lt++;
    else if (v == x) eq++;
  }
  ${EMIT}`);
}

export function rankBySort(args: CellArgs) {
  const S = sortWidthGl(args.N);
  const padded = runCells('rank rows', args, `
  setOutput(j < afN ? getX0(t, j) : NAN);`, { shape: [args.T, S] });
  const sorted = sortRows(args.backend, padded);
  args.backend.disposeData(padded.dataId);
  const out = runCells('rank sorted', args, `
  float x = getX0(t, j);
  if (afMissing(x)) { setOutput(NAN); return; }
  int lt = afBound(t, x, false);
  int eq = afBound(t, x, true) - lt;
  int m = afBoundCount(t);
  ${EMIT}`, { inputs: [args.inputs[0], sorted], names: ['x0', 'sorted'], functions: sortedBoundGlsl('afBound', 'getSorted', S) });
  args.backend.disposeData(sorted.dataId);
  return out;
}
