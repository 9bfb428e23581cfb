/**
 * The `--backend` option shared by the commands that evaluate factors (eval, mine): validated before any work,
 * started once, and the outcome (what `auto` chose, or why a backend fell back to cpu) said on stderr.
 */
import { BACKEND_CHOICES, initBackend, isBackendChoice, type BackendChoice, type BackendInfo } from '../eval/backend.ts';
import { UsageError } from './args.ts';

export const BACKEND_OPTION = { backend: { type: 'string' as const } };

export const BACKEND_HELP = [
  `--backend NAME   ${BACKEND_CHOICES.join('|')} (default auto): where tensors are computed. auto picks a`,
  '                 hardware WebGPU adapter (Deno, browsers), else tfjs-node-gpu (CUDA) if installed, else the',
  '                 host kernels (cpu); it says what it chose. A backend that fails to start falls back to cpu',
];

export function backendChoice(values: Record<string, unknown>): BackendChoice {
  const raw = (values.backend as string | undefined) ?? 'auto';
  if (!isBackendChoice(raw)) throw new UsageError(`--backend must be one of ${BACKEND_CHOICES.join(', ')}, got '${raw}'`);
  return raw;
}

/** Starts the chosen backend and reports it on stderr. */
export async function startBackend(choice: BackendChoice): Promise<BackendInfo> {
  const info = await initBackend(choice);
  process.stderr.write(`${info.note ?? `backend: ${info.name}`}\n`);
  return info;
}
