/**
 * Where the shared real data lives relative to the project root (../shared), and a helper to skip a test with
 * a clear message when it is absent, so a checkout without shared/ still passes.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const SHARED = fileURLToPath(new URL('../../../shared/', import.meta.url));
export const SEED_FACTORS = `${SHARED}factors/seed_30min_100.txt`;
export const BARS_30MIN = `${SHARED}data/ashare_15min_sse/bars_30min.csv.gz`;

/** The reason to skip, or undefined when every path exists. */
export function missing(...paths: string[]): string | undefined {
  const gone = paths.filter((p) => !existsSync(p));
  return gone.length ? `shared data not found (${gone.join(', ')}); skipping` : undefined;
}
