// Node bootstrap for eval_worker: when the pool runs from TypeScript sources, Node 20 workers do not inherit
// the tsx loader, so register it here before importing the worker body (given as workerData).
import { workerData } from 'node:worker_threads';

if (workerData.endsWith('.ts')) {
  const { register } = await import('tsx/esm/api');
  register();
}
await import(workerData);
