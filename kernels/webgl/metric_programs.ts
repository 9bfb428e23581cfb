/**
 * GLSL ES 3.0 programs behind the WebGL metric kernels (daily_metrics.ts, factor_corr.ts). WebGL has no shared
 * memory or scatter, so each fragment computes one output value from the inputs by loops over the cross-section,
 * with intermediate textures only where a later value needs many earlier ones: the qcut edge values per
 * factor-day, then the rows, then the turnover that needs the previous used day's groups. A stock's rank among
 * a factor-day's valid stocks comes from one of two places, with identical results: counting the cross-section
 * (O(N) per rank, O(N²) per rank IC or qcut edge), or, for wider cross-sections, binary search in the factor-day's
 * valid factor and label values sorted beforehand (`DailyBlock.S`, bitonic.ts), which also hands the qcut edges
 * their sorted positions directly. Rules and float64-faithful qcut edges as in ../webgpu/metric_programs.ts,
 * whose host-side exception table is shared. The correlation of factor pairs ranks on the stocks both factors
 * have, so it binary-searches the factors' sorted rows only on pair-days where those are all of each factor's
 * stocks, and counts on the others.
 */
import type { WebGlProgram } from './program.ts';
import { GLSL_HELPERS } from './program.ts';
import { sortedBoundGlsl } from './bitonic.ts';
import { qcutExceptions, type DailyLayout } from '../webgpu/metric_programs.ts';

/**
 * The factors one run of the daily programs covers: `fb` factors from the uniform `f0` on (the sort path works
 * in blocks of factors to bound its textures), of `F` in all, over `nDays` days of N stocks and q groups; S is
 * the padded width of the sorted rows, 0 to count instead.
 */
export interface DailyBlock {
  readonly F: number;
  readonly fb: number;
  readonly nDays: number;
  readonly N: number;
  readonly q: number;
  readonly S: number;
}

/** The missing-value rule of every WebGL kernel (program.ts), as the metric programs' `finiteF`. */
const FINITE_GLSL = `${GLSL_HELPERS}
bool finiteF(float v) { return !afMissing(v); }`;

function glslFloat(v: number): string {
  const s = Math.fround(v).toExponential(9);
  return s.includes('e') ? s.replace('e+', 'e') : s;
}

/** Validity, the day's moments and rank counts, shared by every daily program (F, D, N, Q baked: WebGL keys by shape). */
function dailyPrelude(b: DailyBlock): string {
  const { N, q, S } = b;
  const exc = qcutExceptions(q, N);
  const K = Math.max(1, exc.length);
  const ints = exc.length ? exc.map((e) => `ivec4(${e.n}, ${e.g}, ${e.lo}, ${e.t >= 0.5 ? 1 : 0})`) : ['ivec4(-1, 0, 0, 0)'];
  const ws = exc.length ? exc.map((e) => glslFloat(e.t >= 0.5 ? 1 - e.t : e.t)) : ['0.0'];
  return /* glsl */ `
const int N = ${N};
const int Q = ${q};
const int NDAYS = ${b.nDays};
const int NEXC = ${K};
const ivec4 EXC[${K}] = ivec4[${K}](${ints.join(', ')});
const float EXCW[${K}] = float[${K}](${ws.join(', ')});

${FINITE_GLSL}
bool validAt(int f, int d, int j) { return finiteF(getFactors(f, d, j)) && finiteF(getLabel(d, j)); }

// Counts, two-pass means and the used rule for factor f on day d.
struct Day { int covered; int n; float mf; float ml; bool used; };
Day dayStats(int f, int d) {
  Day s;
  s.covered = 0; s.n = 0;
  float sf = 0.0, sl = 0.0;
  float fMin = 0.0, fMax = 0.0, lMin = 0.0, lMax = 0.0;
  for (int j = 0; j < N; j++) {
    float x = getFactors(f, d, j);
    float y = getLabel(d, j);
    if (!finiteF(x)) continue;
    s.covered++;
    if (!finiteF(y)) continue;
    if (s.n == 0) { fMin = x; fMax = x; lMin = y; lMax = y; }
    fMin = min(fMin, x); fMax = max(fMax, x); lMin = min(lMin, y); lMax = max(lMax, y);
    s.n++;
    sf += x; sl += y;
  }
  s.used = s.n >= minStocks && fMin != fMax && lMin != lMax;
  float nf = float(max(s.n, 1));
  s.mf = sf / nf; s.ml = sl / nf;
  float cf = 0.0, cl = 0.0;
  for (int j = 0; j < N; j++) {
    if (!validAt(f, d, j)) continue;
    cf += getFactors(f, d, j) - s.mf;
    cl += getLabel(d, j) - s.ml;
  }
  s.mf += cf / nf; s.ml += cl / nf;
  return s;
}

// Stocks valid for (f, d) below and equal to x in the factor (byLabel false) or the label.
${S ? `${sortedBoundGlsl('afBound', 'getSorted', S)}
// The sorted row of (f, d): the valid factor values, then the label's on the same stocks.
int sortedRow(int f, int d, bool byLabel) { return ((f - f0) * NDAYS + d - first) * 2 + (byLabel ? 1 : 0); }
void rankCounts(int f, int d, float x, bool byLabel, out int less, out int eq) {
  int row = sortedRow(f, d, byLabel);
  less = afBound(row, x, false);
  eq = afBound(row, x, true) - less;
}` : `void rankCounts(int f, int d, float x, bool byLabel, out int less, out int eq) {
  less = 0; eq = 0;
  for (int k = 0; k < N; k++) {
    float a = getFactors(f, d, k);
    float b = getLabel(d, k);
    if (!finiteF(a) || !finiteF(b)) continue;
    float v = byLabel ? b : a;
    less += v < x ? 1 : 0;
    eq += v == x ? 1 : 0;
  }
}`}

// The CPU's float64 qcut position for edge g of n stocks: floor lo and class (0: t = 0, 1: between,
// 2: t just under 1 with w = 1 - t, 3: t just above 0 with w = t); see ../webgpu/metric_programs.ts.
void qpos(int n, int g, out int lo, out int cls, out float w) {
  int K = (n - 1) * g;
  lo = K / Q;
  cls = K - lo * Q == 0 ? 0 : 1;
  w = 0.0;
  for (int e = 0; e < NEXC; e++) {
    if (EXC[e].x == n && EXC[e].y == g) { lo = EXC[e].z; cls = EXC[e].w == 1 ? 2 : 3; w = EXCW[e]; }
  }
}

// Whether v shifted by |shift| towards dir (+1 up, -1 down) rounds back to v in float64.
bool rounds(float v, float shift, float dir) {
  if (v == 0.0) return false;
  uint bits = floatBitsToUint(v);
  int e = clamp(int((bits >> 23u) & 0xffu) - 127, -126, 126);
  float half_ = 1.1102230246251565e-16;
  if ((bits & 0x7fffffu) == 0u && sign(v) != dir) half_ *= 0.5;
  return abs(shift) * uintBitsToFloat(uint(127 - e) << 23u) < half_;
}
`;
}

/** Group assignment from the edge texture: thresholds and the distinct flag, then a stock's group. */
const GROUPS_GLSL = /* glsl */ `
void loadEdges(int f, int d, int dd, int n, out float thr[Q + 1], out bool distinct) {
  distinct = true;
  bool prevPoint = false;
  float prevVal = 0.0;
  for (int g = 0; g <= Q; g++) {
    int lo, cls; float w;
    qpos(n, g, lo, cls, w);
    float a = getEdges(f - f0, dd, g, 0);
    float b = getEdges(f - f0, dd, g, 1);
    bool point = cls == 0 || a == b;
    float t = a;
    if (!point && cls == 2 && rounds(b, (b - a) * w, -1.0)) { point = true; t = b; }
    if (!point && cls == 3 && rounds(a, (b - a) * w, 1.0)) point = true;
    if (g > 0 && point && prevPoint && t == prevVal) distinct = false;
    prevPoint = point; prevVal = t;
    thr[g] = t;
  }
}

int groupOf(int f, int d, float x, int n, float thr[Q + 1], bool distinct) {
  int grp = 0;
  if (distinct) {
    for (int g = 1; g < Q; g++) grp += x > thr[g] ? 1 : 0;
  } else {
    int less, eq;
    rankCounts(f, d, x, false, less, eq);
    int p2q = (2 * less + eq - 1) * Q;
    for (int g = 1; g < Q; g++) grp += 2 * g * (n - 1) < p2q ? 1 : 0;
  }
  return grp;
}
`;

const DAY_UNIFORMS: WebGlProgram['customUniforms'] = [
  { name: 'minStocks', type: 'int' },
  { name: 'first', type: 'int' },
  { name: 'f0', type: 'int' },
];

/** The programs' operands: the sorted rows come last where the block sorts. */
function dayInputs(b: DailyBlock, names: string[]): string[] {
  return b.S ? [...names, 'sorted'] : names;
}

function dayProgram(b: DailyBlock, names: string[], outputShape: number[], userCode: string): WebGlProgram {
  return { variableNames: dayInputs(b, names), outputShape, packedInputs: false, packedOutput: false, customUniforms: DAY_UNIFORMS, userCode };
}

/**
 * Stage 0 of the sort path: the rows that sortRows (bitonic.ts) sorts, `[fb * nDays * 2, S]`: for each factor-day
 * of the block, the factor's values on its valid stocks, then the label's on the same stocks, missing elsewhere.
 */
export function sortInputProgram(b: DailyBlock): WebGlProgram {
  return dayProgram({ ...b, S: 0 }, ['factors', 'label'], [b.fb * b.nDays * 2, b.S], /* glsl */ `
${dailyPrelude({ ...b, S: 0 })}
void main() {
  ivec2 c = getOutputCoords();
  int fd = c.x / 2;
  int f = f0 + fd / NDAYS, d = first + fd - (fd / NDAYS) * NDAYS, j = c.y;
  if (j >= N || !validAt(f, d, j)) { setOutput(NAN); return; }
  setOutput(c.x - fd * 2 == 0 ? getFactors(f, d, j) : getLabel(d, j));
}
`);
}

/** Stage 1: the values at each qcut edge's two sorted positions, `[fb, nDays, q + 1, 2]` (0 on unused days). */
export function edgesProgram(b: DailyBlock): WebGlProgram {
  const find = b.S
    ? 'setOutput(getSorted(sortedRow(f, d, false), pos));'
    : `for (int j = 0; j < N; j++) {
    if (!validAt(f, d, j)) continue;
    float x = getFactors(f, d, j);
    int less, eq;
    rankCounts(f, d, x, false, less, eq);
    if (pos >= less && pos < less + eq) { setOutput(x); return; }
  }
  setOutput(0.0);`;
  return dayProgram(b, ['factors', 'label'], [b.fb, b.nDays, b.q + 1, 2], /* glsl */ `
${dailyPrelude(b)}
void main() {
  ivec4 c = getOutputCoords();
  int f = f0 + c.x, d = first + c.y, g = c.z;
  Day s = dayStats(f, d);
  if (!s.used) { setOutput(0.0); return; }
  int lo, cls; float w;
  qpos(s.n, g, lo, cls, w);
  int pos = c.w == 0 ? lo : min(lo + 1, s.n - 1);
  ${find}
}
`);
}

/**
 * Stage 2: the block's rows, `[fb, nDays, W]`, with the turnover columns holding the top and bottom groups'
 * sizes. One fragment per cell recomputes the day's moments (O(N)) and then its own column.
 */
export function rowsProgram(b: DailyBlock, L: DailyLayout): WebGlProgram {
  return dayProgram(b, ['factors', 'label', 'edges'], [b.fb, b.nDays, L.groups + b.q], /* glsl */ `
${dailyPrelude(b)}
${GROUPS_GLSL}
void main() {
  ivec3 c = getOutputCoords();
  int f = f0 + c.x, dd = c.y, d = first + c.y, col = c.z;
  Day s = dayStats(f, d);
  if (col == ${L.covered}) { setOutput(float(s.covered)); return; }
  if (col == ${L.used}) { setOutput(s.used ? 1.0 : 0.0); return; }
  if (!s.used) { setOutput(NAN); return; }
  if (col == ${L.market}) { setOutput(s.ml); return; }
  if (col == ${L.ic}) {
    // Moments about the float32 means, corrected by the residual sums: at a large offset the means' own
    // rounding is a sizeable share of the spread, and the correction removes it exactly.
    float sxx = 0.0, syy = 0.0, sxy = 0.0, dx = 0.0, dy = 0.0;
    for (int j = 0; j < N; j++) {
      if (!validAt(f, d, j)) continue;
      float a = getFactors(f, d, j) - s.mf;
      float b = getLabel(d, j) - s.ml;
      sxx += a * a; syy += b * b; sxy += a * b; dx += a; dy += b;
    }
    float nf = float(s.n);
    setOutput((sxy - dx * dy / nf) / (sqrt(sxx - dx * dx / nf) * sqrt(syy - dy * dy / nf)));
    return;
  }
  if (col == ${L.rankIc}) {
    // Twice the centred average ranks, 2·less + eq - n: exact integers.
    float sab = 0.0, saa = 0.0, sbb = 0.0;
    for (int j = 0; j < N; j++) {
      if (!validAt(f, d, j)) continue;
      int lf, ef, ll, el;
      rankCounts(f, d, getFactors(f, d, j), false, lf, ef);
      rankCounts(f, d, getLabel(d, j), true, ll, el);
      float a = float(2 * lf + ef - s.n);
      float b = float(2 * ll + el - s.n);
      sab += a * b; saa += a * a; sbb += b * b;
    }
    setOutput(sab / (sqrt(saa) * sqrt(sbb)));
    return;
  }
  float thr[Q + 1];
  bool distinct;
  loadEdges(f, d, dd, s.n, thr, distinct);
  int target = col == ${L.turnTop} ? Q - 1 : col == ${L.turnBottom} ? 0 : col - ${L.groups};
  int cnt = 0;
  float sum = 0.0;
  for (int j = 0; j < N; j++) {
    if (!validAt(f, d, j)) continue;
    if (groupOf(f, d, getFactors(f, d, j), s.n, thr, distinct) != target) continue;
    cnt++;
    sum += getLabel(d, j) - s.ml;
  }
  if (col == ${L.turnTop} || col == ${L.turnBottom}) setOutput(float(cnt));
  else setOutput(cnt > 0 ? s.ml + sum / float(cnt) : NAN);
}
`);
}

/**
 * Stage 3: the final rows of all F factors, `[F, nDays, W]`, for the block's factors. Turnover cells find the
 * previous used day in stage 2's used column and count the stocks in today's top (bottom) group that were in it
 * then; every other cell of the block is copied from stage 2. With `chained`, the factors outside the block are
 * copied from the previous block's output (the last operand, `prev`); without, they are 0 until a later block
 * copies this output forward.
 */
export function finishProgram(b: DailyBlock, L: DailyLayout, chained: boolean): WebGlProgram {
  const names = ['factors', 'label', 'edges', 'rows'];
  const other = chained ? 'getPrev(f, c.y, c.z)' : '0.0';
  const outside = b.fb < b.F || chained ? `if (f < f0 || f >= f0 + ${b.fb}) { setOutput(${other}); return; }` : '';
  const program = dayProgram(b, names, [b.F, b.nDays, L.groups + b.q], /* glsl */ `
${dailyPrelude(b)}
${GROUPS_GLSL}
void main() {
  ivec3 c = getOutputCoords();
  int f = c.x, dd = c.y, col = c.z;
  ${outside}
  int lf = f - f0;
  float own = getRows(lf, dd, col);
  if ((col != ${L.turnTop} && col != ${L.turnBottom}) || getRows(lf, dd, ${L.used}) != 1.0) { setOutput(own); return; }
  int pd = -1;
  for (int k = dd - 1; k >= 0; k--) {
    if (getRows(lf, k, ${L.used}) == 1.0) { pd = k; break; }
  }
  if (pd < 0 || own <= 0.0 || getRows(lf, pd, col) <= 0.0) { setOutput(NAN); return; }
  int target = col == ${L.turnTop} ? Q - 1 : 0;
  int d = first + dd, p = first + pd;
  Day s = dayStats(f, d);
  Day sp = dayStats(f, p);
  float thr[Q + 1], thrP[Q + 1];
  bool distinct, distinctP;
  loadEdges(f, d, dd, s.n, thr, distinct);
  loadEdges(f, p, pd, sp.n, thrP, distinctP);
  int stay = 0;
  for (int j = 0; j < N; j++) {
    if (!validAt(f, d, j) || !validAt(f, p, j)) continue;
    if (groupOf(f, d, getFactors(f, d, j), s.n, thr, distinct) != target) continue;
    if (groupOf(f, p, getFactors(f, p, j), sp.n, thrP, distinctP) == target) stay++;
  }
  setOutput(1.0 - float(stay) / own);
}
`);
  if (chained) program.variableNames.push('prev');
  return program;
}

/**
 * af_factor_corr, sort path stage 0: `[F * nDays, S]`, each factor-day's finite values (missing elsewhere), for
 * sortRows (bitonic.ts).
 */
export function corrSortInputProgram(F: number, nDays: number, N: number, S: number): WebGlProgram {
  return {
    variableNames: ['factors'],
    outputShape: [F * nDays, S],
    packedInputs: false,
    packedOutput: false,
    customUniforms: DAY_UNIFORMS!.slice(0, 2),
    userCode: /* glsl */ `
${FINITE_GLSL}
void main() {
  ivec2 c = getOutputCoords();
  int f = c.x / ${nDays}, d = first + c.x - f * ${nDays}, j = c.y;
  float v = j < ${N} ? getFactors(f, d, j) : 0.0;
  if (j >= ${N} || !finiteF(v)) { setOutput(NAN); return; }
  setOutput(v);
}
`,
  };
}

/**
 * af_factor_corr, stage 1: `[F, F, nDays]`, one fragment per pair and day (above the diagonal; 0 elsewhere): the
 * pair's Spearman on the stocks where both factors exist, NaN for a day that does not count. Ranks are counted
 * over those stocks (O(N²)), or, with S > 0 and where the pair's common stocks are all of each factor's stocks
 * that day (the usual case), binary-searched in the factors' sorted rows (stage 0) with the same result. A
 * fragment per pair-day rather than per pair keeps each fragment short (a browser resets a GPU whose draw runs
 * for seconds) and gives the GPU F² x days fragments to spread instead of F².
 */
export function corrDaysProgram(F: number, nDays: number, N: number, S = 0): WebGlProgram {
  const ranks = (a: string, row: string, x: string, less: string, eq: string) => {
    const count = `counts(${a}, d, ${x}, ${less}, ${eq});`;
    return S ? `if (shared) { ${less} = afBound(${row}, ${x}, false); ${eq} = afBound(${row}, ${x}, true) - ${less}; } else ${count}` : count;
  };
  return {
    variableNames: S ? ['factors', 'sorted'] : ['factors'],
    outputShape: [F, F, nDays],
    packedInputs: false,
    packedOutput: false,
    customUniforms: DAY_UNIFORMS!.slice(0, 2),
    userCode: /* glsl */ `
const int N = ${N};
${FINITE_GLSL}
${S ? sortedBoundGlsl('afBound', 'getSorted', S) : ''}
int pa, pb;
bool both(int d, int j) { return finiteF(getFactors(pa, d, j)) && finiteF(getFactors(pb, d, j)); }
void counts(int a, int d, float x, out int less, out int eq) {
  less = 0; eq = 0;
  for (int k = 0; k < N; k++) {
    if (!both(d, k)) continue;
    float v = getFactors(a, d, k);
    less += v < x ? 1 : 0;
    eq += v == x ? 1 : 0;
  }
}
void main() {
  ivec3 c = getOutputCoords();
  int a = c.x, b = c.y, d = first + c.z;
  if (a >= b) { setOutput(0.0); return; }
  pa = a; pb = b;
  int m = 0, na = 0, nb = 0;
  float aMin = 0.0, aMax = 0.0, bMin = 0.0, bMax = 0.0;
  for (int j = 0; j < N; j++) {
    float x = getFactors(a, d, j), y = getFactors(b, d, j);
    na += finiteF(x) ? 1 : 0;
    nb += finiteF(y) ? 1 : 0;
    if (!finiteF(x) || !finiteF(y)) continue;
    if (m == 0) { aMin = x; aMax = x; bMin = y; bMax = y; }
    aMin = min(aMin, x); aMax = max(aMax, x); bMin = min(bMin, y); bMax = max(bMax, y);
    m++;
  }
  if (m < minStocks || aMin == aMax || bMin == bMax) { setOutput(NAN); return; }
  // The pair's common stocks are each factor's own that day: its sorted row ranks exactly the stocks counted.
  bool shared = m == na && m == nb;
  int rowA = a * ${nDays} + c.z, rowB = b * ${nDays} + c.z;
  float sab = 0.0, saa = 0.0, sbb = 0.0;
  for (int j = 0; j < N; j++) {
    if (!both(d, j)) continue;
    float x = getFactors(a, d, j), y = getFactors(b, d, j);
    int la, ea, lb, eb;
    ${ranks('a', 'rowA', 'x', 'la', 'ea')}
    ${ranks('b', 'rowB', 'y', 'lb', 'eb')}
    float u = float(2 * la + ea - m);
    float v = float(2 * lb + eb - m);
    sab += u * v; saa += u * u; sbb += v * v;
  }
  setOutput(sab / (sqrt(saa) * sqrt(sbb)));
}
`,
  };
}

/**
 * af_factor_corr, stage 2: the `[F, F]` matrix, each pair's mean over its counted days in day order (as the host
 * kernel sums them); 1 on the diagonal, NaN for a pair without a counted day.
 */
export function corrMeanProgram(F: number, nDays: number): WebGlProgram {
  return {
    variableNames: ['days'],
    outputShape: [F, F],
    packedInputs: false,
    packedOutput: false,
    userCode: /* glsl */ `
${FINITE_GLSL}
void main() {
  ivec2 c = getOutputCoords();
  int a = min(c.x, c.y), b = max(c.x, c.y);
  if (a == b) { setOutput(1.0); return; }
  float total = 0.0;
  int counted = 0;
  for (int dd = 0; dd < ${nDays}; dd++) {
    float v = getDays(a, b, dd);
    if (!finiteF(v)) continue;
    total += v;
    counted++;
  }
  setOutput(counted > 0 ? total / float(counted) : NAN);
}
`,
  };
}
