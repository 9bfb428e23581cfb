/**
 * WebGL kernel for `af_take_rows`: rows of a `[T, N]` panel as an `[R, N]` panel, a fragment per output cell,
 * with the CPU kernel's rule for a row outside the panel (a NaN row; kernels/cpu/take_rows.ts). The int32 row
 * indices arrive as float texels, exact below 2^24.
 */
import type { KernelFunc } from '@tensorflow/tfjs-core';
import { takeRowsArgs } from '../../src/fitness/metric_args.ts';
import type { WebGlBackendLike } from './program.ts';

export const take_rows_webgl: KernelFunc = ({ inputs, backend }) => {
  const gl = backend as unknown as WebGlBackendLike;
  const { x, rows, T, R, N } = takeRowsArgs(inputs);
  return gl.runWebGLProgram({
    variableNames: ['X', 'Rows'],
    outputShape: [R, N],
    userCode: `
// alphaflow: take_rows
void main() {
  ivec2 c = getOutputCoords();
  int t = int(round(getRows(c.x)));
  if (t < 0 || t >= afT) { setOutput(NAN); return; }
  setOutput(getX(t, c.y));
}
`,
    customUniforms: [{ name: 'afT', type: 'int' }],
    packedInputs: false,
    packedOutput: false,
  }, [x, rows], 'float32', [[T]]);
};
