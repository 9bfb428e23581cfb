/**
 * WebGPU kernel for `af_take_rows`: rows of a `[T, N]` panel as an `[R, N]` panel, a thread per output cell,
 * with the CPU kernel's rule for a row outside the panel (a NaN row; kernels/cpu/take_rows.ts).
 */
import type { KernelFunc } from '@tensorflow/tfjs-core';
import { takeRowsArgs } from '../../src/fitness/metric_args.ts';
import { CELL_WORKGROUP, flatDispatch, int32Uniform, type WebGpuBackendLike, type WebGpuProgram } from './program.ts';

export const take_rows_webgpu: KernelFunc = ({ inputs, backend }) => {
  const gpu = backend as unknown as WebGpuBackendLike;
  const { x, rows, T, N, R } = takeRowsArgs(inputs);
  const program: WebGpuProgram = {
    outputShape: [R, N],
    shaderKey: 'af_take_rows',
    dispatchLayout: { x: [0, 1] },
    dispatch: flatDispatch(Math.ceil((R * N) / CELL_WORKGROUP)),
    variableNames: ['X', 'Rows'],
    workgroupSize: [CELL_WORKGROUP, 1, 1],
    size: true,
    uniforms: 'T : i32,',
    getUserCode: () => `
      fn main(index : i32) {
        if (index < uniforms.size) {
          let N = uniforms.outShape.y;
          let r = index / N;
          let t = Rows[r];
          if (t >= 0 && t < uniforms.T) {
            result[index] = X[t * N + index - r * N];
          } else {
            result[index] = uniforms.NAN;
          }
        }
      }
    `,
  };
  return gpu.runWebGPUProgram(program, [x, rows], 'float32', [int32Uniform(T)]);
};
