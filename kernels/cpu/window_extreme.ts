/**
 * Rolling maximum / minimum and their positions, behind ts_Max, ts_Min, ts_ArgMax and ts_ArgMin. Each stock
 * keeps a monotonic deque of the bars that can still become the window's extreme, in a ring of n slots, so
 * every bar is pushed and popped at most once: O(1) amortised per cell even for a long window over a
 * trending series, where "rescan when the extreme leaves" would degrade to O(n). Equal values pop their
 * elders, which makes ties resolve to the most recent bar. The minimum is the maximum of -x.
 */
import { present } from './finite.ts';

/**
 * Writes, for `sign` = 1 the window maximum and for `sign` = -1 the minimum, or with `arg` the number of bars
 * since that extreme (0 = the current bar).
 */
export function rollingExtreme(
  X: Float32Array, T: number, N: number, n: number, out: Float32Array, sign: number, arg: boolean,
): void {
  if (n > T) {
    out.fill(NaN); // no window is ever complete, and the rings would only waste memory
    return;
  }
  const bars = new Int32Array(N * n); // ring of bar indices, per stock at [j * n, j * n + n)
  const vals = new Float64Array(N * n); // sign * value of those bars, to compare without strided reads
  const head = new Int32Array(N);
  const size = new Int32Array(N);
  const run = new Int32Array(N);
  for (let t = 0; t < T; t++) {
    const row = t * N;
    const gone = t - n;
    for (let j = 0; j < N; j++) {
      const i = row + j;
      const x = X[i];
      if (!present(x)) {
        run[j] = 0;
        size[j] = 0;
        out[i] = NaN;
        continue;
      }
      const base = j * n;
      let h = head[j], s = size[j];
      if (s > 0 && bars[base + h] <= gone) {
        h = h + 1 === n ? 0 : h + 1;
        s--;
      }
      const v = sign * x;
      while (s > 0) {
        let q = h + s - 1;
        if (q >= n) q -= n;
        if (vals[base + q] <= v) s--;
        else break;
      }
      let q = h + s;
      if (q >= n) q -= n;
      bars[base + q] = t;
      vals[base + q] = v;
      s++;
      head[j] = h;
      size[j] = s;
      const r = run[j] + 1;
      run[j] = r;
      if (r < n) out[i] = NaN;
      else {
        const f = bars[base + h];
        out[i] = arg ? t - f : X[f * N + j];
      }
    }
  }
}
