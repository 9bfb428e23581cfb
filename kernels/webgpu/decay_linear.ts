/**
 * WebGPU kernel for decay_linear, the average with weights n (current bar) down to 1 (oldest): one thread per
 * cell weighting its own window (`windowSumBody` in program.ts). The weights and their sum n(n+1)/2 are exact in
 * float32 for any allowed window, and the terms are taken about the current value (added back at the end),
 * which keeps price-like series to their digits.
 */
import type { WebGpuKernel } from '../../src/ops/types.ts';
import { windowSumBody, runCells } from './program.ts';

export const decay_linear: WebGpuKernel = (args) =>
  runCells(args, 'decay_linear', 1, true, windowSumBody('f32(n - k)', 'c + s / (f32(n) * f32(n + 1) * 0.5)'));
