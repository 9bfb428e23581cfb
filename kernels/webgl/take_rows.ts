/**
 * WebGL kernel for `af_take_rows`: rows of a `[T, N]` panel as an `[R, N]` panel, a fragment per output cell,
 * with the CPU kernel's rule for a row outside the panel (a NaN row; kernels/cpu/take_rows.ts). The int32 row
 * indices arrive as float texels, exact below 2^24.
 */
import type { KernelFunc } from '@tensorflow/tfjs-core';
import { takeRowsArgs } from '../../src/fitness/metric_args.ts';
import { runCells, type WebGlBackendLike } from './program.ts';

export const take_rows_webgl: KernelFunc = ({ inputs, backend }) => {
  const { x, rows, T, R, N } = takeRowsArgs(inputs);
  // Output cell (t, j) is row t of the result; afT is the source panel's bar count.
  return runCells('take_rows', { backend: backend as unknown as WebGlBackendLike, inputs: [x, rows], T, N, window: 0 }, `
  int src = int(round(getRows(t)));
  if (src < 0 || src >= afT) { setOutput(NAN); return; }
  setOutput(getX(src, j));`, { shape: [R, N], names: ['X', 'Rows'] });
};
