/**
 * The WebGPU tests' gate: Deno (and browsers) have `navigator.gpu`, Node does not. Skips the calling test with
 * the reason where there is no adapter, otherwise starts the webgpu backend and insists it did start (a
 * fallback to cpu would make the comparison vacuous). Importing it also releases the device after the file's tests.
 */
import { after } from 'node:test';
import process from 'node:process';
import assert from 'node:assert/strict';
import { initBackend, releaseBackend } from '../../src/eval/backend.ts';

// Each test file runs in its own isolate (Deno) or process (Node): its device goes when its tests are done.
after(releaseBackend);

export const NO_WEBGPU = 'no WebGPU in this runtime (Node has none; run under Deno, or see tests/browser_kernels.test.ts)';

export async function webgpuOrSkip(t: { skip(msg: string): void }): Promise<boolean> {
  const gpu = (globalThis.navigator as { gpu?: { requestAdapter(): Promise<unknown> } } | undefined)?.gpu;
  if (!gpu || !(await gpu.requestAdapter())) {
    // CI sets AF_REQUIRE_WEBGPU for its Deno run, where a skipped WebGPU test would hide a broken driver install.
    const deno = typeof (globalThis as { Deno?: unknown }).Deno !== 'undefined';
    if (deno && process.env.AF_REQUIRE_WEBGPU === '1') {
      throw new Error(`AF_REQUIRE_WEBGPU=1 but Deno has no WebGPU adapter (DENO_WEBGPU_BACKEND=${process.env.DENO_WEBGPU_BACKEND ?? 'unset'})`);
    }
    t.skip(NO_WEBGPU);
    return false;
  }
  const info = await initBackend('webgpu');
  assert.equal(info.name, 'webgpu', info.note);
  // The command line names the adapter it runs on; here a software one, which it says is slow.
  assert.match(info.note ?? '', /^backend: webgpu \((.+)\)$/);
  if (/llvmpipe|lavapipe|swiftshader/i.test(info.note ?? '')) assert.match(info.note ?? '', /; a software adapter, slower than the CPU kernels\)$/);
  return true;
}
