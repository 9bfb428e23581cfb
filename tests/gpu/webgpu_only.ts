/**
 * The WebGPU tests' gate: Deno (and browsers) have `navigator.gpu`, Node does not. Skips the calling test with
 * the reason where there is no adapter, otherwise starts the webgpu backend and insists it did start (a
 * fallback to cpu would make the comparison vacuous).
 */
import assert from 'node:assert/strict';
import { initBackend } from '../../src/eval/backend.ts';

export const NO_WEBGPU = 'no WebGPU in this runtime (Node has none; run under Deno, or see tests/browser_kernels.test.ts)';

export async function webgpuOrSkip(t: { skip(msg: string): void }): Promise<boolean> {
  const gpu = (globalThis.navigator as { gpu?: { requestAdapter(): Promise<unknown> } } | undefined)?.gpu;
  if (!gpu || !(await gpu.requestAdapter())) {
    t.skip(NO_WEBGPU);
    return false;
  }
  const info = await initBackend('webgpu');
  assert.equal(info.name, 'webgpu', info.note);
  return true;
}
