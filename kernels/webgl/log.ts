/**
 * WebGL kernel for gplearn's protected logarithm: log(|x|) if |x| > 0.001, else 0. As in `div`, the float32
 * nearest to 0.001 lies above it, so |x| >= float(0.001) is the host's float64 test on a float32 input.
 */
import type { WebGlKernel } from '../../src/ops/types.ts';
import { elementwise } from './program.ts';

export const log: WebGlKernel = (args) => elementwise('log', args, 1, 'float m = abs(a);\n  v = m >= 0.001 ? log(m) : 0.0;');
