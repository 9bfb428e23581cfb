/**
 * Rolling maximum / minimum and their positions, behind ts_Max, ts_Min, ts_ArgMax and ts_ArgMin, by the van
 * Herk / Gil-Werman scheme: the bars are cut into blocks of n, so every window is the tail of one block
 * followed by the head of the next. A backward pass over each block stores its suffix maxima, a forward pass
 * over the next block keeps running prefix maxima, and each cell combines one of each: a fixed three
 * comparisons per cell whatever the data, where a monotonic deque or "rescan when the maximum leaves" cost
 * more on trending series. The comparisons are turned into 0/1 factors and blended arithmetically rather than
 * branched on, since on real data they are unpredictable. Ties go to the most recent bar (the later block
 * wins ties, and within a block the later bar), the minimum is the maximum of -x, and missing bars enter as
 * the lowest double so that no infinity reaches the blends (their windows are masked by the run length).
 */
import { present } from './finite.ts';

const LOW = -Number.MAX_VALUE;

/**
 * Writes, for `sign` = 1 the window maximum and for `sign` = -1 the minimum, or with `arg` the number of bars
 * since that extreme (0 = the current bar).
 */
export function rollingExtreme(
  X: Float32Array, T: number, N: number, n: number, out: Float32Array, sign: number, arg: boolean,
): void {
  if (n > T) {
    out.fill(NaN); // no window is ever complete, and the block buffers would only waste memory
    return;
  }
  const run = new Int32Array(N);
  const gv = new Float64Array(N); // running prefix extreme of the current block
  const gp = new Int32Array(N); // and its bar
  const hv = new Float64Array(n * N); // suffix extremes of the previous block, row t - p0 at (t - p0) * N
  const hp = new Int32Array(arg ? n * N : 0);
  for (let b0 = 0; b0 < T; b0 += n) {
    const b1 = b0 + n < T ? b0 + n : T;
    if (b0 > 0) {
      const p0 = b0 - n;
      const lastRow = (b0 - 1) * N, lastH = (n - 1) * N;
      for (let j = 0; j < N; j++) {
        const x = X[lastRow + j];
        hv[lastH + j] = present(x) ? sign * x : LOW;
        if (arg) hp[lastH + j] = b0 - 1;
      }
      for (let t = b0 - 2; t >= p0; t--) {
        const row = t * N, h = (t - p0) * N;
        for (let j = 0; j < N; j++) {
          const x = X[row + j];
          const v = present(x) ? sign * x : LOW;
          const nv = hv[h + N + j];
          const c = +(v > nv);
          hv[h + j] = c * v + (1 - c) * nv;
          if (arg) hp[h + j] = c * t + (1 - c) * hp[h + N + j];
        }
      }
    }
    for (let t = b0; t < b1; t++) {
      const row = t * N;
      const first = t === b0;
      const useH = t < b0 + n - 1; // the window starts in the previous block
      const h = (t - b0 + 1) * N;
      for (let j = 0; j < N; j++) {
        const i = row + j;
        const x = X[i];
        let v = LOW, r = 0;
        if (present(x)) {
          v = sign * x;
          r = run[j] + 1;
        }
        run[j] = r;
        const c = first ? 1 : +(v >= gv[j]);
        let g = c * v + (1 - c) * gv[j];
        let p = c * t + (1 - c) * gp[j];
        gv[j] = g;
        gp[j] = p;
        if (r < n) {
          out[i] = NaN;
          continue;
        }
        if (useH) {
          const hh = hv[h + j];
          const d = +(hh > g);
          g = d * hh + (1 - d) * g;
          if (arg) p = d * hp[h + j] + (1 - d) * p;
        }
        out[i] = arg ? t - p : sign * g;
      }
    }
  }
}
