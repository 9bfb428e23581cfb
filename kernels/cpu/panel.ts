/**
 * Argument checks shared by the host kernels. A panel of the wrong length would not fail loudly in a typed
 * array loop (out-of-range reads give undefined, i.e. NaN, and deoptimise the loop), so a mismatch between
 * the evaluator and a kernel is turned into an exception before any cell is touched.
 */
import type { HostKernelArgs } from '../../src/ops/types.ts';

/** Validates shapes and operand count; returns the number of cells T * N. */
export function checkPanels(args: HostKernelArgs, arity: number): number {
  const { xs, T, N, out } = args;
  if (!(Number.isInteger(T) && Number.isInteger(N) && T >= 0 && N >= 0)) {
    throw new RangeError(`kernel: bad panel shape [${T}, ${N}]`);
  }
  const size = T * N;
  if (xs.length < arity) throw new RangeError(`kernel: expected ${arity} operand panels, got ${xs.length}`);
  if (out.length !== size) throw new RangeError(`kernel: output has ${out.length} cells, expected ${size}`);
  for (let k = 0; k < arity; k++) {
    if (xs[k].length !== size) throw new RangeError(`kernel: operand ${k} has ${xs[k].length} cells, expected ${size}`);
  }
  return size;
}

/** The window as an integer of at least `min`; anything else is a caller bug, not data. */
export function windowArg(args: HostKernelArgs, min: number): number {
  const n = args.window;
  if (!Number.isInteger(n) || n < min) throw new RangeError(`kernel: window must be an integer >= ${min}, got ${n}`);
  return n;
}
