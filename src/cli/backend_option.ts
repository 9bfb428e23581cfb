/**
 * The `--backend` option shared by the commands that evaluate factors (eval, mine): validated before any work,
 * started once, and the outcome (what `auto` chose, or why a backend fell back to cpu) said on stderr.
 */
import { BACKEND_CHOICES, initBackend, isBackendChoice, type BackendChoice, type BackendInfo, type DeviceNeed } from '../eval/backend.ts';
import { UsageError } from './args.ts';

export const BACKEND_OPTION = { backend: { type: 'string' as const } };

export const BACKEND_HELP = [
  `--backend NAME   ${BACKEND_CHOICES.join('|')} (default auto): where tensors are computed. auto picks a`,
  '                 hardware WebGPU adapter (Deno, browsers), else tfjs-node-gpu (CUDA) if installed, else the',
  '                 host kernels (cpu); it says what it chose. A backend that fails to start falls back to cpu,',
  '                 and so does a GPU that cannot bind a panel this large (WebGPU: often 128 MiB a tensor)',
];

export function backendChoice(values: Record<string, unknown>): BackendChoice {
  const raw = (values.backend as string | undefined) ?? 'auto';
  if (!isBackendChoice(raw)) throw new UsageError(`--backend must be one of ${BACKEND_CHOICES.join(', ')}, got '${raw}'`);
  return raw;
}

/** Starts the chosen backend (one that can hold `need`, the job's panel) and reports it on stderr. */
export async function startBackend(choice: BackendChoice, need?: DeviceNeed): Promise<BackendInfo> {
  const info = await initBackend(choice, need);
  process.stderr.write(`${info.note ?? `backend: ${info.name}`}\n`);
  return info;
}
