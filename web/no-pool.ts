/**
 * Stands in for src/eval/pool.ts in the web build (vite.config.ts swaps it in). The miner and the evaluator load
 * the worker pool only when asked for more than one thread, which the page never does; but a bundler follows
 * their dynamic imports anyway, and the pool's Node bootstrap (`new Worker(new URL('./eval_worker_node.mjs',
 * ...))`) would drag tsx and esbuild into the site as a "worker". Scoring on several Web Workers needs
 * SharedArrayBuffer, hence a cross-origin-isolated page, which a plain static host does not give: until the app
 * serves those headers, one thread it is.
 */
export async function availableCores(): Promise<number> {
  return 1;
}

export class EvalPool {
  static async create(_size?: number): Promise<never> {
    throw new Error('the web app scores on one thread (worker pools need a cross-origin-isolated page)');
  }
}
