/**
 * Sorting the rows of a texture for the WebGL rank kernels (rank.ts, daily_metrics.ts). A fragment cannot share
 * a sorted row with its neighbours, so the rows are sorted by a bitonic network run as one fragment program per
 * stage, log2(S)(log2(S)+1)/2 draws for rows padded to a power of two S, each fragment keeping the smaller or
 * larger of its value and its partner's. A stock then finds its rank by binary search in the sorted row
 * (O(log N)) instead of counting the whole cross-section (O(N)): for 300 stocks, 45 draws and 9 steps per stock
 * against 300 compares per stock, and the count's cost grows with N² per cross-section.
 *
 * Values are sorted as floats: a missing value (NaN, ±Infinity, found from its bits as in program.ts) sorts after
 * every present one, so the present values of a row are its first m entries. Equal values need no tie order, as
 * only values are kept, and -0 equals +0 in every comparison the searches make.
 */
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { GLSL_HELPERS, type WebGlBackendLike, type WebGlProgram } from './program.ts';

/** The padded row width for N values: the next power of two, at least 2. */
export function sortWidthGl(N: number): number {
  let S = 2;
  while (S < N) S *= 2;
  return S;
}

/** One stage of the network over rows of width S: partner distance `afJ` inside bitonic blocks of `afK`. */
function stageProgram(R: number, S: number): WebGlProgram {
  return {
    variableNames: ['keys'],
    outputShape: [R, S],
    packedInputs: false,
    packedOutput: false,
    customUniforms: [
      { name: 'afJ', type: 'int' },
      { name: 'afK', type: 'int' },
    ],
    userCode: /* glsl */ `
// alphaflow: bitonic stage
${GLSL_HELPERS}
bool afBefore(float a, float b) { return !afMissing(a) && (afMissing(b) || a < b); }
void main() {
  ivec2 c = getOutputCoords();
  int i = c.y;
  int p = i ^ afJ;
  float a = getKeys(c.x, i);
  float b = getKeys(c.x, p);
  // Ascending blocks where bit afK of i is clear: the lower index of a pair keeps the smaller value there.
  bool keepSmaller = (i < p) == ((i & afK) == 0);
  bool bFirst = afBefore(b, a);
  setOutput(keepSmaller == bFirst ? b : a);
}
`,
  };
}

/**
 * Sorts each row of `rows` (`[R, S]`, S a power of two, missing values anywhere) ascending with the missing values
 * last. Returns a new texture; `rows` stays the caller's, every intermediate stage is disposed.
 */
export function sortRows(gl: WebGlBackendLike, rows: TensorInfo): TensorInfo {
  const [R, S] = rows.shape;
  const program = stageProgram(R, S);
  let cur = rows;
  for (let k = 2; k <= S; k *= 2) {
    for (let j = k / 2; j > 0; j = Math.floor(j / 2)) {
      const next = gl.runWebGLProgram(program, [cur], 'float32', [[j], [k]]);
      if (cur !== rows) gl.disposeData(cur.dataId);
      cur = next;
    }
  }
  return cur;
}

/**
 * GLSL functions over a texture sorted by sortRows and read by `get(row, i)`, with S baked in: `name(row, x,
 * strict)` is the first position whose value is not below x (not at or below x when strict), so x has name(row, x,
 * false) values below it and name(row, x, true) minus that equal to it; `nameCount(row)` is the number of present
 * values.
 */
export function sortedBoundGlsl(name: string, get: string, S: number): string {
  return /* glsl */ `
int ${name}(int row, float x, bool strict) {
  int lo = 0;
  int hi = ${S};
  while (lo < hi) {
    int mid = (lo + hi) / 2;
    float o = ${get}(row, mid);
    if (!afMissing(o) && (o < x || (strict && o == x))) lo = mid + 1; else hi = mid;
  }
  return lo;
}
int ${name}Count(int row) {
  int lo = 0;
  int hi = ${S};
  while (lo < hi) {
    int mid = (lo + hi) / 2;
    if (!afMissing(${get}(row, mid))) lo = mid + 1; else hi = mid;
  }
  return lo;
}
`;
}
