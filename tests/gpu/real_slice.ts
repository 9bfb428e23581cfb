/**
 * A slice of the real 30-minute panel (../shared/data, never committed) for the device-kernel checks: 120 bars
 * of 48 stocks, close and volume as the two operands (prices and volumes differ by six orders of magnitude,
 * and real data has suspensions, limit-locked ties and flat stretches). Undefined when the data is absent.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadData } from '../../src/data/load.ts';
import type { PanelData } from './check_kernels.ts';

export const REAL_BARS = fileURLToPath(new URL('../../../shared/data/ashare_15min_sse/bars_30min.csv.gz', import.meta.url));

/** `path`: the panel's file elsewhere (bench/device/gpu_check.ts on a lent machine). */
export async function realSlice(T = 120, N = 48, firstBar = 400, path = REAL_BARS): Promise<PanelData | undefined> {
  if (!existsSync(path)) return undefined;
  const p = await loadData(path);
  const take = (name: string) => {
    const src = p.fields.get(name)!;
    const out = new Float32Array(T * N);
    for (let t = 0; t < T; t++) out.set(src.subarray((firstBar + t) * p.N, (firstBar + t) * p.N + N), t * N);
    return out;
  };
  return { label: `real 30-min bars ${T}x${N}`, T, N, xs: [take('close'), take('volume')] };
}
