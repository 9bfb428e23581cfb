/**
 * Timing shared by the benchmark scripts and their browser pages: one warm-up call (compilation, uploads), then
 * `runs` timed calls, of which the median and the fastest are reported.
 */
export async function timeRuns(runs: number, once: () => Promise<void>): Promise<{ medianMs: number; minMs: number }> {
  await once();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await once();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return { medianMs: times[Math.floor(runs / 2)]!, minMs: times[0]! };
}
