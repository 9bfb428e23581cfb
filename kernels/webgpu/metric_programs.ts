/**
 * WGSL programs behind the WebGPU metric kernels (daily_metrics.ts, factor_corr.ts), and the host-side qcut
 * position table that WebGL shares. The per-day work runs one workgroup per (factor, day) — or per (factor pair,
 * day) for the correlation — so a cross-section's reductions stay in shared memory and only a few numbers per
 * row reach global memory. Ranks come two ways with the same bits (countedRankProductWgsl, sortedRankProductWgsl,
 * shared by both kernels): counted, every stock comparing itself against the whole cross-section loaded tile by
 * tile into shared memory (O(N²) work, branch-free, exact; narrow cross-sections, and wide ones whose keys do not
 * fit), or sorted in workgroup memory and binary-searched (bitonic.ts; O(N log² N)). Values
 * are compared as order-preserving u32 keys of their float32 bits (as kernels/cpu/radix_sort.ts does), so ties,
 * -0 and the invalid marker behave the same on every driver, whatever it does with NaN comparisons.
 */
import { type WebGpuProgram, workgroupBytesOf } from './program.ts';
import { qcutPosition } from '../cpu/daily_metrics.ts';
import { bitonicSortWgsl, checkedCapacity, keyAt, sortKeysWgsl, sortWidth, sortedBoundWgsl } from './bitonic.ts';

/** Threads per workgroup of the per-row programs; the tile of stocks compared at once has this many. */
export const WG = 256;
/** Own stocks each thread ranks per pass over the tiles: each tile value read from shared memory serves R. */
const R = 4;

/**
 * Where the CPU kernel's float64 qcut position `(n - 1) * (g / q)` disagrees with exact rational arithmetic: its
 * floor differs, or it has a fraction where the rational has none (or the reverse). Elsewhere the device uses
 * integer division; at these few (n, g) it uses the host's float64 floor and fraction `t`, so edges land on the
 * same sorted positions as the CPU's. Cached per (q, N).
 */
export interface QcutException {
  readonly n: number;
  readonly g: number;
  readonly lo: number;
  readonly t: number;
}

const exceptionCache = new Map<string, QcutException[]>();

export function qcutExceptions(q: number, N: number): QcutException[] {
  const key = `${q}:${N}`;
  const hit = exceptionCache.get(key);
  if (hit) return hit;
  const out: QcutException[] = [];
  for (let n = 1; n <= N; n++) {
    for (let g = 0; g <= q; g++) {
      const pos = qcutPosition(n, g, q);
      const lo = Math.floor(pos);
      const t = pos - lo;
      const K = (n - 1) * g;
      const exactLo = Math.floor(K / q);
      const rem = K - exactLo * q;
      if (lo !== exactLo || (rem === 0) !== (t === 0)) out.push({ n, g, lo, t });
    }
  }
  exceptionCache.set(key, out);
  return out;
}

/**
 * Shared WGSL: order-preserving keys of float32 bits (-0 folded into +0; INVALID sorts above every finite key,
 * so an invalid tile slot is never below nor equal to a valid stock) and finiteness by bits.
 */
const KEY_WGSL = /* wgsl */ `
const INVALID : u32 = 0xffffffffu;
fn isFiniteBits(v : f32) -> bool {
  return (bitcast<u32>(v) & 0x7f800000u) != 0x7f800000u;
}
fn keyOf(v : f32) -> u32 {
  var b = bitcast<u32>(v);
  if ((b << 1u) == 0u) { b = 0u; }
  return select(b | 0x80000000u, ~b, (b >> 31u) == 1u);
}
fn valOf(k : u32) -> f32 {
  return bitcast<f32>(select(~k, k & 0x7fffffffu, (k >> 31u) == 1u));
}
fn one(c : bool) -> u32 { return select(0u, 1u, c); }
`;

/**
 * Workgroup index and a shared vec4 sum. The row index is broadcast through workgroupUniformLoad because the
 * builtins reach main() through private variables, which the uniformity analysis does not trust; every
 * data-dependent branch around a barrier is taken on a value loaded the same way.
 */
const WORKGROUP_WGSL = /* wgsl */ `
var<workgroup> red : array<vec4<f32>, ${WG}>;
var<workgroup> sRow : u32;
fn rowIndex() -> u32 {
  if (localIndex == 0u) {
    sRow = workgroupId.x + numWorkgroups.x * (workgroupId.y + numWorkgroups.y * workgroupId.z);
  }
  return workgroupUniformLoad(&sRow);
}
// Tree sum over the workgroup: pairwise, so float32 error grows with log2(threads), not with the thread count.
fn sum4(v : vec4<f32>) -> vec4<f32> {
  workgroupBarrier();
  red[localIndex] = v;
  workgroupBarrier();
  for (var s = ${WG / 2}u; s > 0u; s = s >> 1u) {
    if (localIndex < s) { red[localIndex] = red[localIndex] + red[localIndex + s]; }
    workgroupBarrier();
  }
  return red[0];
}
`;

/**
 * The own stocks of a chunk (R per thread) where both series are valid, as order keys, with their rank counts
 * zeroed; `a`/`b` read the two series at stock j. Feeds `tileCountWgsl`.
 */
function ownKeysWgsl(a: string, b: string): string {
  return /* wgsl */ `
    var ownA : array<u32, ${R}>; var ownB : array<u32, ${R}>;
    var lessA : array<u32, ${R}>; var eqA : array<u32, ${R}>;
    var lessB : array<u32, ${R}>; var eqB : array<u32, ${R}>;
    for (var r = 0u; r < ${R}u; r = r + 1u) {
      let j = c0 + r * ${WG}u + lid;
      ownA[r] = INVALID; ownB[r] = INVALID;
      lessA[r] = 0u; eqA[r] = 0u; lessB[r] = 0u; eqB[r] = 0u;
      if (j < N) {
        let x = ${a}; let y = ${b};
        if (isFiniteBits(x) && isFiniteBits(y)) { ownA[r] = keyOf(x); ownB[r] = keyOf(y); }
      }
    }`;
}

/**
 * The rank-counting loop: own stocks of a chunk (R per thread) against every tile of the cross-section. A macro
 * rather than a function because WGSL functions cannot take workgroup arrays of different sizes by pointer
 * portably; `fillA`/`fillB` give a tile slot's keys, the own keys are in ownA/ownB and counts land in lessA/eqA (lessB/eqB).
 */
function tileCountWgsl(fillA: string, fillB: string | null): string {
  const b = fillB !== null;
  return /* wgsl */ `
    for (var t0 = 0u; t0 < N; t0 = t0 + ${WG}u) {
      workgroupBarrier();
      {
        let j = t0 + localIndex;
        var ka = INVALID;
        ${b ? 'var kb = INVALID;' : ''}
        if (j < N) {
          ka = ${fillA};
          ${b ? `kb = ${fillB};` : ''}
        }
        tileA[localIndex] = ka;
        ${b ? 'tileB[localIndex] = kb;' : ''}
      }
      workgroupBarrier();
      let cnt = min(${WG}u, N - t0);
      for (var i = 0u; i < cnt; i = i + 1u) {
        let ta = tileA[i];
        ${b ? 'let tb = tileB[i];' : ''}
        for (var r = 0u; r < ${R}u; r = r + 1u) {
          lessA[r] = lessA[r] + one(ta < ownA[r]);
          eqA[r] = eqA[r] + one(ta == ownA[r]);
          ${b ? 'lessB[r] = lessB[r] + one(tb < ownB[r]);\n          eqB[r] = eqB[r] + one(tb == ownB[r]);' : ''}
        }
      }
    }`;
}

/** One of the two series a rank product compares, read at stock `j` (a WGSL expression). */
type Series = (j: string) => string;

/**
 * Rank products of series A and B over the stocks where both are valid, by counting: R own stocks per thread per
 * chunk against every tile. Accumulates rab, raa, rbb (declared here) from twice the centred average ranks,
 * 2·less + eq - n (exact integers); `n` is the valid count (u32). `onOwn` runs for each valid own stock r with
 * its counts in lessA[r]/eqA[r] (the daily metrics take their qcut edges there).
 */
function countedRankProductWgsl(a: Series, b: Series, n: string, onOwn = ''): string {
  return /* wgsl */ `
  var rab = 0.0; var raa = 0.0; var rbb = 0.0;
  let nI = i32(${n});
  for (var c0 = 0u; c0 < N; c0 = c0 + ${WG * R}u) {
    ${ownKeysWgsl(a('j'), b('j'))}
    ${tileCountWgsl(`validKey(${a('j')}, ${b('j')})`, `validKey(${b('j')}, ${a('j')})`)}
    for (var r = 0u; r < ${R}u; r = r + 1u) {
      if (ownA[r] == INVALID) { continue; }
      let ra = f32(i32(2u * lessA[r] + eqA[r]) - nI);
      let rb = f32(i32(2u * lessB[r] + eqB[r]) - nI);
      rab = rab + ra * rb; raa = raa + ra * ra; rbb = rbb + rb * rb;${onOwn}
    }
  }
`;
}

/**
 * The same rank products by sorting: A's keys sorted in workgroup memory (`sKeys`, C of them; network width
 * uniforms.sortS) and every stock's key binary-searched, then B's. Thread lid takes stocks lid, lid + WG, ... in
 * the count path's order, so the sums match it bit for bit. `afterSortA` runs once A is sorted; `onRankA` for
 * each valid own stock p of A with its less count `lt` and tie count `eq` (the daily metrics keep positions for
 * the groups).
 */
function sortedRankProductWgsl(a: Series, b: Series, n: string, PER: number, C: number, afterSortA = '', onRankA = ''): string {
  const fill = (x: Series, y: Series) => /* wgsl */ `
  for (var i = lid; i < ${C}u; i = i + ${WG}u) {
    var k = INVALID;
    if (i < N) { k = validKey(${x('i')}, ${y('i')}); }
    ${keyAt('sKeys', 'i')} = k;
  }
  ${bitonicSortWgsl('sKeys', 'uniforms.sortS', C, 'lid', WG)}`;
  return /* wgsl */ `
  var rab = 0.0; var raa = 0.0; var rbb = 0.0;
  let nI = i32(${n});
  var aRank : array<f32, ${PER}>;
  ${fill(a, b)}
  ${afterSortA}
  for (var p = 0u; p < ${PER}u; p = p + 1u) {
    let j = lid + p * ${WG}u;
    aRank[p] = 0.0;
    if (j < N) {
      let k = validKey(${a('j')}, ${b('j')});
      if (k != INVALID) {
        let lt = sortedBound(k, false);
        let eq = sortedBound(k, true) - lt;
        aRank[p] = f32(i32(2u * lt + eq) - nI);${onRankA}
      }
    }
  }
  workgroupBarrier();
  ${fill(b, a)}
  for (var p = 0u; p < ${PER}u; p = p + 1u) {
    let j = lid + p * ${WG}u;
    if (j < N) {
      let k = validKey(${b('j')}, ${a('j')});
      if (k != INVALID) {
        let lt = sortedBound(k, false);
        let ra = aRank[p];
        let rb = f32(i32(2u * lt + sortedBound(k, true) - lt) - nI);
        rab = rab + ra * rb; raa = raa + ra * ra; rbb = rbb + rb * rb;
      }
    }
  }
`;
}

/**
 * A valid stock's group, its label's share of the group means and its top/bottom membership bit: by value
 * against the edges, or by the tie block's average 0-based position p = (2·less + eq - 1) / 2 when ties made edges
 * equal (group = #{g : g(n-1) < p·q}); `p2q` is 2p·q, evaluated only then.
 */
function assignGroupWgsl(own: string, y: string, p2q: string, j: string): string {
  return /* wgsl */ `
      var grp = 0u;
      if (distinct) {
        for (var g = 1u; g < Q; g = g + 1u) { grp = grp + one(${own} > sThr[g]); }
      } else {
        let p2q = ${p2q};
        for (var g = 1u; g < Q; g = g + 1u) { grp = grp + one(2u * g * (nAll - 1u) < p2q); }
      }
      gs[grp] = gs[grp] + (${y} - ml);
      atomicAdd(&gCount[grp], 1u);
      let j = ${j};
      if (grp == Q - 1u) { atomicOr(&bitsTop[j / 32u], 1u << (j % 32u)); }
      if (grp == 0u) { atomicOr(&bitsBottom[j / 32u], 1u << (j % 32u)); }`;
}

/** Column positions shared with src/fitness/daily_layout.ts (kept literal here: the WGSL is generated from them). */
export interface DailyLayout {
  used: number;
  ic: number;
  rankIc: number;
  market: number;
  turnTop: number;
  turnBottom: number;
  covered: number;
  groups: number;
}

/**
 * The sort width for af_daily_metrics' stage on N stocks with q groups, or 0 to count: sorting pays once a
 * cross-section spans more than one tile, and the sorting shader's workgroup arrays (N keys rounded up to a
 * multiple of WG, 4 bytes each, beside the stage's others) must fit the device's workgroup memory (tfjs asks for
 * the adapter's limit: 32 KiB on most, which holds 5,000 stocks, 48 KiB on NVIDIA's Vulkan driver).
 */
export function dailySortWidth(N: number, q: number, L: DailyLayout, storageBytes: number): number {
  if (N <= WG) return 0;
  const S = sortWidth(N, WG);
  return workgroupBytesOf(dailyStageProgram(1, 1, N, q, L, S).getUserCode()) <= storageBytes ? S : 0;
}

/**
 * Stage 1 of af_daily_metrics: one workgroup per (factor, day). Writes an int32 row per factor-day: the final
 * columns as float32 bits, except that the turnover columns hold the top and bottom groups' sizes, followed by
 * the top and bottom groups' membership as bit sets (turnover needs the previous used day, which only stage 2 can
 * see). Steps: counts and extremes; two-pass moments for the IC; ranks (sorted with width S, else counted) for
 * the rank IC and the qcut edges; group assignment (by value when the edges are distinct, by average position otherwise, as the CPU kernel).
 */
export function dailyStageProgram(F: number, nDays: number, N: number, q: number, L: DailyLayout, S = 0): WebGpuProgram {
  const C = S ? checkedCapacity(N, WG, S, 'af_daily_metrics') : 0;
  const W = L.groups + q;
  const words = Math.max(1, Math.ceil(N / 32));
  const PER = Math.ceil(N / WG);
  const SW = W + 2 * words;
  const exc = qcutExceptions(q, N);
  // Exceptions as (n, g, lo, bits of w): w is 1 - t when t >= 0.5 (the CPU lerp's b - d(1 - t) form), else t.
  const entries = exc.length
    ? exc.map((e) => {
      const w = new Float32Array([e.t >= 0.5 ? 1 - e.t : e.t]);
      const hi = e.t >= 0.5 ? 1 : 0;
      return `vec4<u32>(${e.n}u, ${e.g + (q + 1) * hi}u, ${e.lo}u, ${new Uint32Array(w.buffer)[0]}u)`;
    })
    : ['vec4<u32>(0xffffffffu, 0u, 0u, 0u)'];
  const Q = q;
  const factor: Series = (j) => `factors[fOff + ${j}]`;
  const label: Series = (j) => `label[lOff + ${j}]`;
  // The two ways to rank (module comment): sorting when the caller passes a width S, else counting. Either way
  // the tie block covering a qcut position supplies the edge's end value there.
  const ranks = S
    ? `  var posA : array<u32, ${PER}>;
  for (var p = 0u; p < ${PER}u; p = p + 1u) { posA[p] = 0u; }
` + sortedRankProductWgsl(factor, label, 'nAll', PER, C, /* wgsl */ `
  if (lid <= Q) {
    atomicStore(&edgeA[lid], ${keyAt('sKeys', 'sLo[lid]')});
    atomicStore(&edgeB[lid], ${keyAt('sKeys', 'min(sLo[lid] + 1u, nAll - 1u)')});
  }`, /* wgsl */ `
        posA[p] = 2u * lt + eq - 1u;`)
    : countedRankProductWgsl(factor, label, 'nAll', /* wgsl */ `
      for (var g = 0u; g <= Q; g = g + 1u) {
        let lo = sLo[g];
        let hi = min(lo + 1u, nAll - 1u);
        if (lo >= lessA[r] && lo < lessA[r] + eqA[r]) { atomicStore(&edgeA[g], ownA[r]); }
        if (hi >= lessA[r] && hi < lessA[r] + eqA[r]) { atomicStore(&edgeB[g], ownA[r]); }
      }`);
  const groupsWgsl = S
    ? /* wgsl */ `
  // Groups, with the factor's sorted positions kept from the rank pass.
  var gs : array<f32, ${Q}>;
  for (var g = 0u; g < Q; g = g + 1u) { gs[g] = 0.0; }
  for (var p = 0u; p < ${PER}u; p = p + 1u) {
    let jj = lid + p * ${WG}u;
    if (jj >= N) { continue; }
    let x = factors[fOff + jj]; let y = label[lOff + jj];
    if (isFiniteBits(x) && isFiniteBits(y)) {
      ${assignGroupWgsl('keyOf(x)', 'y', 'posA[p] * Q', 'jj')}
    }
  }
`
    : /* wgsl */ `
  // Groups (the factor's rank counts are needed again when ties made edges equal; recounting is cheaper than
  // keeping them for every stock).
  var gs : array<f32, ${Q}>;
  for (var g = 0u; g < Q; g = g + 1u) { gs[g] = 0.0; }
  for (var c0 = 0u; c0 < N; c0 = c0 + ${WG * R}u) {
    var ownA : array<u32, ${R}>; var ownY : array<f32, ${R}>;
    var lessA : array<u32, ${R}>; var eqA : array<u32, ${R}>;
    for (var r = 0u; r < ${R}u; r = r + 1u) {
      let j = c0 + r * ${WG}u + lid;
      ownA[r] = INVALID; lessA[r] = 0u; eqA[r] = 0u; ownY[r] = 0.0;
      if (j < N) {
        let x = factors[fOff + j]; let y = label[lOff + j];
        if (isFiniteBits(x) && isFiniteBits(y)) { ownA[r] = keyOf(x); ownY[r] = y; }
      }
    }
    if (!distinct) {
      ${tileCountWgsl('validKey(factors[fOff + j], label[lOff + j])', null)}
    }
    for (var r = 0u; r < ${R}u; r = r + 1u) {
      if (ownA[r] == INVALID) { continue; }
      ${assignGroupWgsl('ownA[r]', 'ownY[r]', '(2u * lessA[r] + eqA[r] - 1u) * Q', `c0 + r * ${WG}u + lid`)}
    }
  }
`;
  return {
    outputShape: [F, nDays, SW],
    shaderKey: `af_daily_stage_${q}_${N}_${S}`,
    dispatchLayout: { x: [0, 1, 2] },
    dispatch: [F * nDays, 1, 1],
    variableNames: ['factors', 'label'],
    workgroupSize: [WG, 1, 1],
    uniforms: 'minStocks : i32, first : i32, nDays : i32, sortS : u32,',
    getUserCode: () => /* wgsl */ `
${KEY_WGSL}
${WORKGROUP_WGSL}
const Q : u32 = ${Q}u;
const WORDS : u32 = ${words}u;
const SW : u32 = ${SW}u;
const NEXC : u32 = ${entries.length}u;
${S ? `${sortKeysWgsl('sKeys', C)}
${sortedBoundWgsl('sortedBound', 'sKeys', C)}` : `var<workgroup> tileA : array<u32, ${WG}>;
var<workgroup> tileB : array<u32, ${WG}>;`}
var<workgroup> counts : array<atomic<u32>, 2>;
var<workgroup> extremes : array<atomic<u32>, 4>;
var<workgroup> edgeA : array<atomic<u32>, ${Q + 1}>;
var<workgroup> edgeB : array<atomic<u32>, ${Q + 1}>;
var<workgroup> gCount : array<atomic<u32>, ${Q}>;
var<workgroup> bitsTop : array<atomic<u32>, ${words}>;
var<workgroup> bitsBottom : array<atomic<u32>, ${words}>;
var<workgroup> sLo : array<u32, ${Q + 1}>;
var<workgroup> sCls : array<u32, ${Q + 1}>;
var<workgroup> sW : array<f32, ${Q + 1}>;
var<workgroup> sThr : array<u32, ${Q + 1}>;
var<workgroup> sFlag : u32;

fn put(at : u32, v : f32) { result[at] = bitcast<i32>(v); }

// Half the gap from v to its float64 neighbour in direction dir (+1 up, -1 down), as a multiple of 2^e(v): the
// largest |shift| that rounds back to v. Scaled so float32 can hold it for any exponent.
fn rounds(v : f32, shift : f32, dir : f32) -> bool {
  if (v == 0.0) { return false; }
  let e = i32((bitcast<u32>(v) >> 23u) & 0xffu) - 127;
  var half = 1.1102230246251565e-16; // 2^-53: half an f64 ulp of [1, 2)
  let pow2 = (bitcast<u32>(v) & 0x7fffffu) == 0u;
  // Moving towards zero from a power of two crosses into the binade below, whose gaps are half as wide.
  if (pow2 && sign(v) != dir) { half = half * 0.5; }
  return ldexp(abs(shift), -e) < half;
}

fn main(index : i32) {
  let row = rowIndex();
  let F = u32(uniforms.factorsShape.x);
  let D = u32(uniforms.factorsShape.y);
  let N = u32(uniforms.factorsShape.z);
  let nDays = u32(uniforms.nDays);
  if (row >= F * nDays) { return; }
  let lid = localIndex;
  let f = row / nDays;
  let day = u32(uniforms.first) + row % nDays;
  let fOff = (f * D + day) * N;
  let lOff = day * N;
  let out = row * SW;
  if (lid < 2u) { atomicStore(&counts[lid], 0u); }
  if (lid < 4u) { atomicStore(&extremes[lid], select(0u, INVALID, lid % 2u == 0u)); }
  if (lid <= Q) { atomicStore(&edgeA[lid], 0u); atomicStore(&edgeB[lid], 0u); }
  if (lid < Q) { atomicStore(&gCount[lid], 0u); }
  for (var w = lid; w < WORDS; w = w + ${WG}u) { atomicStore(&bitsTop[w], 0u); atomicStore(&bitsBottom[w], 0u); }

  // Counts, sums and extremes over the stocks with both values.
  var covered = 0u;
  var n = 0u;
  var sf = 0.0;
  var sl = 0.0;
  var fMin = INVALID; var fMax = 0u; var lMin = INVALID; var lMax = 0u;
  for (var j = lid; j < N; j = j + ${WG}u) {
    let x = factors[fOff + j];
    let y = label[lOff + j];
    let fx = isFiniteBits(x);
    covered = covered + one(fx);
    if (fx && isFiniteBits(y)) {
      n = n + 1u;
      sf = sf + x;
      sl = sl + y;
      let kx = keyOf(x); let ky = keyOf(y);
      fMin = min(fMin, kx); fMax = max(fMax, kx); lMin = min(lMin, ky); lMax = max(lMax, ky);
    }
  }
  workgroupBarrier();
  atomicAdd(&counts[0], covered);
  atomicAdd(&counts[1], n);
  atomicMin(&extremes[0], fMin); atomicMax(&extremes[1], fMax);
  atomicMin(&extremes[2], lMin); atomicMax(&extremes[3], lMax);
  let sums = sum4(vec4<f32>(sf, sl, 0.0, 0.0));
  workgroupBarrier();
  let nAll = atomicLoad(&counts[1]);
  if (lid == 0u) {
    let ok = i32(nAll) >= uniforms.minStocks && atomicLoad(&extremes[0]) != atomicLoad(&extremes[1])
      && atomicLoad(&extremes[2]) != atomicLoad(&extremes[3]);
    sFlag = select(0u, 1u, ok);
    put(out + ${L.used}u, 0.0);
    put(out + ${L.covered}u, f32(atomicLoad(&counts[0])));
  }
  if (workgroupUniformLoad(&sFlag) == 0u) {
    for (var c = lid; c < SW; c = c + ${WG}u) {
      if (c >= ${W}u) { result[out + c] = 0; }
      else if (c != ${L.used}u && c != ${L.covered}u) { put(out + c, uniforms.NAN); }
    }
    return;
  }
  let nf = f32(nAll);
  let mf0 = sums.x / nf;
  let ml0 = sums.y / nf;

  // Second pass about the first means; the residual sums correct them (two-pass moments).
  var dx = 0.0; var dy = 0.0; var sxx = 0.0; var syy = 0.0; var sxy = 0.0;
  for (var j = lid; j < N; j = j + ${WG}u) {
    let x = factors[fOff + j];
    let y = label[lOff + j];
    if (isFiniteBits(x) && isFiniteBits(y)) {
      let a = x - mf0; let b = y - ml0;
      dx = dx + a; dy = dy + b; sxx = sxx + a * a; syy = syy + b * b; sxy = sxy + a * b;
    }
  }
  let m1 = sum4(vec4<f32>(sxx, syy, sxy, 0.0));
  let m2 = sum4(vec4<f32>(dx, dy, 0.0, 0.0));
  let ml = ml0 + m2.y / nf;
  let vxx = m1.x - m2.x * m2.x / nf;
  let vyy = m1.y - m2.y * m2.y / nf;
  let vxy = m1.z - m2.x * m2.y / nf;

  // qcut positions for this n: exact integer division, except where the CPU's float64 position differs.
  if (lid <= Q) {
    let K = (nAll - 1u) * lid;
    sLo[lid] = K / Q;
    sCls[lid] = select(1u, 0u, K % Q == 0u);
    sW[lid] = 0.0;
  }
  workgroupBarrier();
  if (lid == 0u) {
    var exc = array<vec4<u32>, NEXC>(${entries.join(', ')});
    for (var e = 0u; e < NEXC; e = e + 1u) {
      let x = exc[e];
      if (x.x == nAll) {
        let g = x.y % (Q + 1u);
        sLo[g] = x.z;
        sCls[g] = select(3u, 2u, x.y > Q);
        sW[g] = bitcast<f32>(x.w);
      }
    }
  }
  workgroupBarrier();

${ranks}  let rs = sum4(vec4<f32>(rab, raa, rbb, 0.0));
  workgroupBarrier();

  // Edges as the CPU's float64 lerp sees them: a sample value ("point") or strictly between two neighbouring
  // sample values. x > edge is then x > a, or x > b for an edge that rounds onto b; the edges are distinct
  // unless two neighbouring points share a value.
  if (lid == 0u) {
    var distinct = 1u;
    var prevPoint = false;
    var prevKey = 0u;
    for (var g = 0u; g <= Q; g = g + 1u) {
      let ka = atomicLoad(&edgeA[g]);
      let kb = atomicLoad(&edgeB[g]);
      var point = sCls[g] == 0u || ka == kb;
      var thr = ka;
      if (!point && sCls[g] >= 2u) {
        let a = valOf(ka); let b = valOf(kb);
        let shift = (b - a) * sW[g];
        if (sCls[g] == 2u && rounds(b, shift, -1.0)) { point = true; thr = kb; }
        if (sCls[g] == 3u && rounds(a, shift, 1.0)) { point = true; }
      }
      if (g > 0u && point && prevPoint && thr == prevKey) { distinct = 0u; }
      prevPoint = point;
      prevKey = thr;
      sThr[g] = thr;
    }
    sFlag = distinct;
  }
  let distinct = workgroupUniformLoad(&sFlag) == 1u;

${groupsWgsl}  for (var g0 = 0u; g0 < Q; g0 = g0 + 4u) {
    var v = vec4<f32>(0.0);
    for (var i = 0u; i < 4u; i = i + 1u) { if (g0 + i < Q) { v[i] = gs[g0 + i]; } }
    let s = sum4(v);
    if (lid < 4u && g0 + lid < Q) {
      let cnt = atomicLoad(&gCount[g0 + lid]);
      put(out + ${L.groups}u + g0 + lid, select(uniforms.NAN, ml + s[lid] / f32(cnt), cnt > 0u));
    }
  }
  workgroupBarrier();
  if (lid == 0u) {
    put(out + ${L.used}u, 1.0);
    put(out + ${L.ic}u, vxy / (sqrt(vxx) * sqrt(vyy)));
    put(out + ${L.rankIc}u, rs.x / (sqrt(rs.y) * sqrt(rs.z)));
    put(out + ${L.market}u, ml);
    put(out + ${L.turnTop}u, f32(atomicLoad(&gCount[Q - 1u])));
    put(out + ${L.turnBottom}u, f32(atomicLoad(&gCount[0])));
  }
  for (var w = lid; w < WORDS; w = w + ${WG}u) {
    result[out + ${W}u + w] = bitcast<i32>(atomicLoad(&bitsTop[w]));
    result[out + ${W}u + WORDS + w] = bitcast<i32>(atomicLoad(&bitsBottom[w]));
  }
}

fn validKey(v : f32, other : f32) -> u32 {
  return select(INVALID, keyOf(v), isFiniteBits(v) && isFiniteBits(other));
}
`,
  };
}

/**
 * Stage 2 of af_daily_metrics: one thread per factor-day copies stage 1's columns and forms the turnover against
 * the factor's previous used day (found by scanning back; used days are the common case, so the scan is short):
 * the share of today's top (bottom) group whose bit was not set that day.
 */
export function dailyFinishProgram(F: number, nDays: number, N: number, q: number, L: DailyLayout): WebGpuProgram {
  const W = L.groups + q;
  const words = Math.max(1, Math.ceil(N / 32));
  const SW = W + 2 * words;
  return {
    outputShape: [F, nDays, W],
    shaderKey: `af_daily_finish_${q}_${N}`,
    dispatchLayout: { x: [0, 1, 2] },
    dispatch: [Math.ceil((F * nDays) / 64), 1, 1],
    variableNames: ['stage'],
    workgroupSize: [64, 1, 1],
    uniforms: 'rows : i32,',
    getUserCode: () => /* wgsl */ `
const W : u32 = ${W}u;
const WORDS : u32 = ${words}u;
const SW : u32 = ${SW}u;
fn col(row : u32, c : u32) -> f32 { return bitcast<f32>(stage[row * SW + c]); }
fn turnover(row : u32, prev : u32, c : u32, bits : u32) -> f32 {
  let now = col(row, c);
  if (prev == 0xffffffffu || now <= 0.0 || col(prev, c) <= 0.0) { return uniforms.NAN; }
  var stay = 0u;
  for (var w = 0u; w < WORDS; w = w + 1u) {
    stay = stay + countOneBits(u32(stage[row * SW + bits + w]) & u32(stage[prev * SW + bits + w]));
  }
  return 1.0 - f32(stay) / now;
}
fn main(index : i32) {
  let row = u32(index);
  if (index >= uniforms.rows) { return; }
  let nDays = u32(uniforms.outShape.y);
  let day = row % nDays;
  for (var c = 0u; c < W; c = c + 1u) { result[row * W + c] = col(row, c); }
  if (col(row, ${L.used}u) != 1.0) { return; }
  var prev = 0xffffffffu;
  for (var d = day; d > 0u; d = d - 1u) {
    if (col(row - day + d - 1u, ${L.used}u) == 1.0) { prev = row - day + d - 1u; break; }
  }
  result[row * W + ${L.turnTop}u] = turnover(row, prev, ${L.turnTop}u, W);
  result[row * W + ${L.turnBottom}u] = turnover(row, prev, ${L.turnBottom}u, W + WORDS);
}
`,
  };
}

/**
 * The sort width for af_factor_corr's pair stage on N stocks, or 0 to count: as dailySortWidth, the keys must fit
 * the device's workgroup memory beside the stage's other arrays.
 */
export function corrSortWidth(N: number, storageBytes: number): number {
  if (N <= WG) return 0;
  const S = sortWidth(N, WG);
  return workgroupBytesOf(corrPairsProgram(2, 1, N, S).getUserCode()) <= storageBytes ? S : 0;
}

/**
 * Stage 1 of af_factor_corr: one workgroup per (factor pair, day), the pair's Spearman correlation on the stocks
 * where both factors exist, NaN when the day does not count for the pair (fewer than minStocks such stocks, or
 * either factor constant on them). Ranks over the common stocks (sorted with width S, else counted) make this
 * pairwise-complete by construction; the CPU kernel's shared-mask shortcuts give the same numbers.
 */
export function corrPairsProgram(F: number, nDays: number, N: number, S = 0): WebGpuProgram {
  const C = S ? checkedCapacity(N, WG, S, 'af_factor_corr') : 0;
  const P = (F * (F - 1)) / 2;
  const A: Series = (j) => `factors[aOff + ${j}]`;
  const B: Series = (j) => `factors[bOff + ${j}]`;
  return {
    outputShape: [P, nDays],
    shaderKey: `af_corr_pairs_${S ? `${N}_${S}` : 'count'}`,
    dispatchLayout: { x: [0, 1] },
    dispatch: [P * nDays, 1, 1],
    variableNames: ['factors'],
    workgroupSize: [WG, 1, 1],
    uniforms: 'minStocks : i32, first : i32, nDays : i32, sortS : u32,',
    getUserCode: () => /* wgsl */ `
${KEY_WGSL}
${WORKGROUP_WGSL}
${S ? `${sortKeysWgsl('sKeys', C)}
${sortedBoundWgsl('sortedBound', 'sKeys', C)}` : `var<workgroup> tileA : array<u32, ${WG}>;
var<workgroup> tileB : array<u32, ${WG}>;`}
var<workgroup> counts : atomic<u32>;
var<workgroup> extremes : array<atomic<u32>, 4>;
var<workgroup> sFlag : u32;

fn main(index : i32) {
  let row = rowIndex();
  let F = u32(uniforms.factorsShape.x);
  let D = u32(uniforms.factorsShape.y);
  let N = u32(uniforms.factorsShape.z);
  let nDays = u32(uniforms.nDays);
  let P = F * (F - 1u) / 2u;
  if (row >= P * nDays) { return; }
  let lid = localIndex;
  // Pairs in row-major upper-triangle order: (0,1), (0,2), .., (1,2), ..
  var p = row / nDays;
  var fa = 0u;
  while (p >= F - 1u - fa) { p = p - (F - 1u - fa); fa = fa + 1u; }
  let fb = fa + 1u + p;
  let day = u32(uniforms.first) + row % nDays;
  let aOff = (fa * D + day) * N;
  let bOff = (fb * D + day) * N;
  if (lid == 0u) { atomicStore(&counts, 0u); }
  if (lid < 4u) { atomicStore(&extremes[lid], select(0u, INVALID, lid % 2u == 0u)); }
  workgroupBarrier();
  var m = 0u;
  var aMin = INVALID; var aMax = 0u; var bMin = INVALID; var bMax = 0u;
  for (var j = lid; j < N; j = j + ${WG}u) {
    let x = factors[aOff + j]; let y = factors[bOff + j];
    if (isFiniteBits(x) && isFiniteBits(y)) {
      m = m + 1u;
      let kx = keyOf(x); let ky = keyOf(y);
      aMin = min(aMin, kx); aMax = max(aMax, kx); bMin = min(bMin, ky); bMax = max(bMax, ky);
    }
  }
  atomicAdd(&counts, m);
  atomicMin(&extremes[0], aMin); atomicMax(&extremes[1], aMax);
  atomicMin(&extremes[2], bMin); atomicMax(&extremes[3], bMax);
  workgroupBarrier();
  let mAll = atomicLoad(&counts);
  if (lid == 0u) {
    let ok = i32(mAll) >= uniforms.minStocks && atomicLoad(&extremes[0]) != atomicLoad(&extremes[1])
      && atomicLoad(&extremes[2]) != atomicLoad(&extremes[3]);
    sFlag = select(0u, 1u, ok);
  }
  if (workgroupUniformLoad(&sFlag) == 0u) {
    if (lid == 0u) { result[row] = uniforms.NAN; }
    return;
  }
${S ? sortedRankProductWgsl(A, B, 'mAll', Math.ceil(N / WG), C) : countedRankProductWgsl(A, B, 'mAll')}
  let s = sum4(vec4<f32>(rab, raa, rbb, 0.0));
  if (lid == 0u) { result[row] = s.x / (sqrt(s.y) * sqrt(s.z)); }
}

fn validKey(v : f32, other : f32) -> u32 {
  return select(INVALID, keyOf(v), isFiniteBits(v) && isFiniteBits(other));
}
`,
  };
}

/**
 * Stage 2 of af_factor_corr: one thread per matrix cell, the mean of the pair's counted days (1 on the diagonal,
 * NaN for a pair with none). With no pairs or no days there is no stage-1 tensor and `pairs` is false: the input
 * is then the population itself, referenced only so the binding layout stays valid.
 */
export function corrMeanProgram(F: number, pairs: boolean): WebGpuProgram {
  return {
    outputShape: [F, F],
    shaderKey: `af_corr_mean_${pairs}`,
    dispatchLayout: { x: [0, 1] },
    dispatch: [Math.ceil((F * F) / 64), 1, 1],
    variableNames: [pairs ? 'pairs' : 'factors'],
    workgroupSize: [64, 1, 1],
    uniforms: 'F : i32,',
    getUserCode: () => /* wgsl */ `
fn main(index : i32) {
  let F = uniforms.F;
  if (index >= F * F) { return; }
  let a = index / F;
  let b = index % F;
  if (a == b) { result[index] = 1.0; return; }
  ${pairs ? `
  let lo = min(a, b);
  let hi = max(a, b);
  let p = lo * F - lo * (lo + 1) / 2 + (hi - lo - 1);
  let nDays = uniforms.pairsShape.y;
  var s = 0.0;
  var c = 0;
  for (var d = 0; d < nDays; d = d + 1) {
    let v = pairs[p * nDays + d];
    // A counted day's correlation is finite; stage 1 writes NaN for the others.
    if ((bitcast<u32>(v) & 0x7f800000u) != 0x7f800000u) { s = s + v; c = c + 1; }
  }
  result[index] = select(uniforms.NAN, s / f32(c), c > 0);` : `
  result[index] = uniforms.NAN + 0.0 * factors[0];`}
}
`,
  };
}
