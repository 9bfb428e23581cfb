/**
 * WebGL kernel for gplearn's protected division: x / y if |y| > 0.001, else 1, and NaN if either operand is
 * missing. The float32 nearest to 0.001 lies just above it, so for float32 operands |y| > 0.001 (the host's
 * float64 test) is exactly |y| >= float(0.001); a strict test in float32 would treat y = float(0.001) as small.
 */
import type { WebGlKernel } from '../../src/ops/types.ts';
import { elementwise } from './program.ts';

export const div: WebGlKernel = (args) => elementwise('div', args, 2, 'v = abs(b) >= 0.001 ? a / b : 1.0;');
