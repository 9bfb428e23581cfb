/**
 * What the WebGPU kernels need of tfjs-backend-webgpu, declared structurally so that loading the operator
 * table never loads the WebGPU backend (Node has no `navigator.gpu`; the backend package is imported only when
 * `--backend webgpu` is asked for). A kernel builds a `WebGpuProgram` (WGSL body plus dispatch) and hands it to
 * the backend's `runWebGPUProgram`, which compiles once per shader key and keeps the output on the device.
 */
import type { DataType, TensorInfo } from '@tensorflow/tfjs-core';

/** The fields of tfjs-backend-webgpu's `WebGPUProgram` that our kernels set. */
export interface WebGpuProgram {
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: { x: number[]; y?: number[]; z?: number[] };
  dispatch: [number, number, number];
  variableNames: string[];
  workgroupSize: [number, number, number];
  /** Declares `uniforms.size` (the output's element count). */
  size?: boolean;
  /** Extra uniform fields, WGSL struct syntax, e.g. `window : i32,`. */
  uniforms?: string;
  getUserCode(): string;
}

/** One value of an extra uniform, in declaration order. */
export interface ProgramUniform {
  type: 'int32' | 'float32' | 'uint32';
  data: number[];
}

/** The part of tfjs's WebGPUBackend the kernels call. */
export interface WebGpuBackendLike {
  runWebGPUProgram(program: WebGpuProgram, inputs: TensorInfo[], outputDtype: DataType, uniforms?: ProgramUniform[]): TensorInfo;
  disposeData(dataId: object, force?: boolean): boolean;
  /**
   * The GPUDevice tfjs opened (it asks for the adapter's workgroup-memory limit, not the 16 KiB default); its
   * queue and destroy serve releaseBackend (src/eval/backend.ts).
   */
  readonly device?: {
    readonly limits?: {
      readonly maxComputeWorkgroupStorageSize?: number;
      readonly maxStorageBufferBindingSize?: number;
      readonly maxBufferSize?: number;
    };
    readonly queue: { onSubmittedWorkDone(): Promise<unknown> };
    destroy(): void;
  };
}

/** Bytes of workgroup memory a program may declare on this backend's device (WebGPU's guaranteed 16 KiB if unknown). */
export function workgroupStorageBytes(backend: WebGpuBackendLike): number {
  return backend.device?.limits?.maxComputeWorkgroupStorageSize ?? 16384;
}

/** Bytes of one WGSL value of `type` (scalars, atomics, vectors and fixed-size arrays of them). */
function wgslTypeBytes(type: string): number {
  const t = type.replace(/\s+/g, '');
  const arr = /^array<(.+),(\d+)u?>$/.exec(t);
  if (arr) return wgslTypeBytes(arr[1]!) * Number(arr[2]);
  const vec = /^vec([234])<\w+>$/.exec(t);
  if (vec) return vec[1] === '3' ? 16 : 4 * Number(vec[1]);
  if (/^(atomic<)?(u32|i32|f32)>?$/.test(t)) return 4;
  throw new RangeError(`workgroup variable of unsupported type ${type}`);
}

/**
 * Workgroup memory that a shader's `var<workgroup>` declarations take as WebGPU counts it against
 * maxComputeWorkgroupStorageSize: each variable's size rounded up to 16 bytes. Lets a kernel size its arrays
 * from the code it will compile rather than from a hand-kept sum.
 */
export function workgroupBytesOf(wgsl: string): number {
  let bytes = 0;
  for (const m of wgsl.matchAll(/var<workgroup>\s*\w+\s*:\s*([^;]+);/g)) bytes += Math.ceil(wgslTypeBytes(m[1]!) / 16) * 16;
  return bytes;
}

/** Placeholder for a kernel that is not written yet: fails loudly when called. */
export function notWritten(name: string): () => never {
  return () => {
    throw new Error(`${name}: no WebGPU kernel yet`);
  };
}

/*
 * Shared building blocks of the operator kernels. Everything below is plain strings and arithmetic: the
 * dispatch helpers are re-implemented rather than imported so that this module stays free of runtime imports
 * from tfjs-backend-webgpu.
 */

/** What a device kernel receives (see `DeviceKernelArgs` in src/ops/types.ts). */
export interface WebGpuKernelArgs {
  readonly backend: WebGpuBackendLike;
  readonly inputs: readonly TensorInfo[];
  readonly T: number;
  readonly N: number;
  readonly window: number;
}

/**
 * Threads per workgroup of the one-thread-per-cell programs. Consecutive threads take consecutive stocks of
 * one bar, so their reads of the time-major panel are coalesced; 128 is what tfjs uses for its own unary ops.
 */
export const CELL_WORKGROUP = 128;

/**
 * Threads per workgroup of the cross-sectional programs (one bar, or one tile of a bar, per workgroup): the
 * WebGPU default limit of invocations per workgroup, so that shared-memory reductions and rank tiles are as
 * wide as a portable device allows.
 */
export const ROW_WORKGROUP = 256;

/**
 * WGSL helpers every program gets. Shader compilers may assume that arithmetic sees no NaN or infinity, so
 * missing values are found from their bits (exponent all ones: NaN and ±Infinity alike, as the host kernels
 * treat both as missing) and NaN is written from the `NAN` uniform that tfjs fills in, never made by arithmetic.
 */
export const WGSL_HELPERS = `
  fn af_missing(v : f32) -> bool {
    return (bitcast<u32>(v) & 0x7f800000u) == 0x7f800000u;
  }
  // The storage rule: any result that is not finite is stored as NaN.
  fn af_store(v : f32) -> f32 {
    return select(v, uniforms.NAN, af_missing(v));
  }
  // 2^e as an exact float32 for e in [-126, 127] (clamped), so scaling by it never rounds.
  fn af_pow2(e : i32) -> f32 {
    return bitcast<f32>(u32(clamp(e, -126, 127) + 127) << 23u);
  }
  // A power-of-two exponent that brings the finite |v| to [1, 2) (clamped so that both 2^e and 2^-e are
  // normal): dividing deviations by it keeps their squares and cubes clear of float32 overflow and underflow.
  fn af_scale_exp(v : f32) -> i32 {
    return clamp(i32((bitcast<u32>(v) >> 23u) & 0xffu) - 127, -126, 126);
  }
  // The linear index of this workgroup, however tfjs spread the dispatch over x, y and z.
  fn af_group() -> i32 {
    return i32(workgroupId.x + numWorkgroups.x * (workgroupId.y + numWorkgroups.y * workgroupId.z));
  }
`;

/** Workgroup counts for `groups` workgroups in a flat dispatch (tfjs spreads counts above the per-dimension limit over y and z). */
export function flatDispatch(groups: number): [number, number, number] {
  return [Math.max(1, groups), 1, 1];
}

/** A uniform value in the form `runWebGPUProgram` takes. */
export const int32Uniform = (v: number): ProgramUniform => ({ type: 'int32', data: [v] });
export const float32Uniform = (v: number): ProgramUniform => ({ type: 'float32', data: [v] });

/** Input names of the programs' operands, by position: the storage arrays `X` and `Y`. */
const OPERAND_NAMES = ['X', 'Y'];

/** Optional parts of a cell program. */
export interface CellOptions {
  /** WGSL placed before the cell function (helpers). */
  extra?: string;
  /** Uniform fields beyond the window, WGSL struct syntax, and their values in the same order. */
  uniforms?: string;
  uniformValues?: ProgramUniform[];
}

/**
 * Runs a one-thread-per-cell program over the kernel's [T, N] operands. `body` is the WGSL body of
 * `fn af_cell(i : i32, t : i32, j : i32, N : i32) -> f32` for cell i = t * N + j; it reads the operands as
 * `X[...]` and `Y[...]` and, when `windowed`, the window as `uniforms.window`; what it returns goes through
 * the storage rule. `key` names the shader; everything that changes the code must be in it.
 */
export function runCells(
  args: WebGpuKernelArgs, key: string, arity: number, windowed: boolean, body: string, opts: CellOptions = {},
): TensorInfo {
  if (args.inputs.length < arity) throw new RangeError(`${key}: expected ${arity} operands, got ${args.inputs.length}`);
  const { T, N } = args;
  const uniformDecl = (windowed ? 'window : i32,' : '') + (opts.uniforms ?? '');
  const program: WebGpuProgram = {
    outputShape: [T, N],
    shaderKey: `af_${key}`,
    dispatchLayout: { x: [0, 1] },
    dispatch: flatDispatch(Math.ceil((T * N) / CELL_WORKGROUP)),
    variableNames: OPERAND_NAMES.slice(0, arity),
    workgroupSize: [CELL_WORKGROUP, 1, 1],
    size: true,
    uniforms: uniformDecl || undefined,
    getUserCode: () => `
      ${WGSL_HELPERS}
      ${opts.extra ?? ''}
      fn af_cell(i : i32, t : i32, j : i32, N : i32) -> f32 {
        ${body}
      }
      fn main(index : i32) {
        if (index < uniforms.size) {
          let N = uniforms.outShape.y;
          let t = index / N;
          result[index] = af_store(af_cell(index, t, index - t * N, N));
        }
      }
    `,
  };
  const uniforms = [...(windowed ? [int32Uniform(args.window)] : []), ...(opts.uniformValues ?? [])];
  return args.backend.runWebGPUProgram(program, args.inputs.slice(0, arity), 'float32', uniforms.length ? uniforms : undefined);
}

/** An elementwise cell body: NaN where any operand is missing, else the WGSL expression `expr` of `a` (and `b`). */
export function elementwiseBody(arity: number, expr: string): string {
  return arity === 1
    ? `let a = X[i];
       if (af_missing(a)) { return uniforms.NAN; }
       return ${expr};`
    : `let a = X[i];
       let b = Y[i];
       if (af_missing(a) || af_missing(b)) { return uniforms.NAN; }
       return ${expr};`;
}

/**
 * The start of a one-workgroup-per-bar program's `main`: the panel's T and N, this workgroup's bar (`live`
 * false for the padding groups of a spread dispatch, which must still reach every barrier), the thread's `lid`
 * and the bar's first cell `row`.
 */
export const ROW_PROLOGUE = `
      let T = uniforms.outShape.x;
      let N = uniforms.outShape.y;
      let bar = af_group();
      let live = bar < T;
      let lid = i32(localId.x);
      let row = bar * N;`;

/**
 * Runs a cross-sectional program with `groups` workgroups of `ROW_WORKGROUP` threads over the one operand
 * `X` of shape [T, N]. `code` is WGSL at module scope defining `fn main(index : i32)` (index unused: the
 * program finds its bar from `af_group()`); it may declare workgroup arrays, and `uniforms` extra uniform fields.
 */
export function runRows(args: WebGpuKernelArgs, key: string, groups: number, code: string, uniforms?: { decl: string; values: ProgramUniform[] }): TensorInfo {
  if (args.inputs.length < 1) throw new RangeError(`${key}: expected 1 operand, got ${args.inputs.length}`);
  const program: WebGpuProgram = {
    outputShape: [args.T, args.N],
    shaderKey: `af_${key}`,
    dispatchLayout: { x: [0, 1] },
    dispatch: flatDispatch(groups),
    variableNames: ['X'],
    workgroupSize: [ROW_WORKGROUP, 1, 1],
    uniforms: uniforms?.decl,
    getUserCode: () => `${WGSL_HELPERS}\n${code}`,
  };
  return args.backend.runWebGPUProgram(program, args.inputs.slice(0, 1), 'float32', uniforms?.values);
}

/**
 * A tree reduction over `ROW_WORKGROUP` slots of workgroup arrays: `combine` is WGSL that folds slot
 * `lid + w` into slot `lid` (e.g. `af_ra[lid] += af_ra[lid + w];`). Every thread reaches every barrier (the
 * loop bound is a constant), as WGSL's uniformity rules require; afterwards slot 0 holds the result.
 */
export function reduceTree(combine: string): string {
  return `
    workgroupBarrier();
    for (var w = ${ROW_WORKGROUP / 2}; w > 0; w = w / 2) {
      if (lid < w) { ${combine} }
      workgroupBarrier();
    }`;
}

/*
 * Cell bodies shared by families of time-series kernels. Each thread loops over its own window (bars t-n+1..t
 * of its stock, stride N, so a workgroup's reads of one bar are coalesced) rather than carrying running sums
 * from cell to cell: a cell's result depends on its window alone and float32 error cannot pile up along the
 * series. A missing value anywhere in the window makes the cell NaN, and the first n - 1 bars are NaN.
 * Sums over the window are kept in partial sums of 32 terms each, so that float32 rounding grows
 * with n / 32 + 32 rather than with n.
 */

/** WGSL: every 32 terms, folds the partial sums `parts` into their totals `totals` (same order). */
function blockFold(k: string, parts: string[], totals: string[]): string {
  return `if ((${k} & 31) == 31) { ${parts.map((p, q) => `${totals[q]} += ${p}; ${p} = 0.0;`).join(' ')} }`;
}

/** WGSL: folds what is left in the partial sums into their totals after the loop. */
function blockFinish(parts: string[], totals: string[]): string {
  return parts.map((p, q) => `${totals[q]} += ${p};`).join(' ');
}

/**
 * Rolling maximum or minimum (`greater` picks which), or with `arg` the bars since it (0 = now). The window
 * is scanned from the current bar backwards and a value replaces the best only when strictly better, so ties
 * go to the most recent bar. A zero extreme is returned as +0, as the host kernels store it.
 */
export function extremeBody(greater: boolean, arg: boolean): string {
  const better = greater ? 'v > best' : 'v < best';
  return `
    let n = uniforms.window;
    if (t < n - 1) { return uniforms.NAN; }
    var best = X[i];
    if (af_missing(best)) { return uniforms.NAN; }
    var at = 0;
    for (var k = 1; k < n; k++) {
      let v = X[i - k * N];
      if (af_missing(v)) { return uniforms.NAN; }
      if (${better}) { best = v; at = k; }
    }
    ${arg ? 'return f32(at);' : 'return select(best, 0.0, best == 0.0);'}`;
}

/**
 * Weighted window sum about the current value: s = sum over k = 1..n-1 of weight(k) (x[t-k] - c), c = x[t], in
 * blocks of 32 partial sums; `finish` turns s (with c and n in scope) into the result. Taking the terms about c
 * keeps price-like series to their digits (the deviations are small and nearly exact), and costs nothing for
 * series around zero. ts_Sum, ts_Mean and decay_linear differ only in weight and finish.
 */
export function windowSumBody(weight: string, finish: string): string {
  return `
    let n = uniforms.window;
    if (t < n - 1) { return uniforms.NAN; }
    let c = X[i];
    if (af_missing(c)) { return uniforms.NAN; }
    var s = 0.0;
    var part = 0.0;
    for (var k = 1; k < n; k++) {
      let v = X[i - k * N];
      if (af_missing(v)) { return uniforms.NAN; }
      part += ${weight} * (v - c);
      ${blockFold('k', ['part'], ['s'])}
    }
    ${blockFinish(['part'], ['s'])}
    return ${finish};`;
}

/**
 * Sample standard deviation (`skew` false) or adjusted Fisher-Pearson skewness (`skew` true) over the window,
 * in two passes: the first checks presence, sums the deviations d = x - c from the current value c and finds
 * the largest |d|; the second sums powers of the centred deviations, divided by a power of two that brings
 * the largest |d| to [1, 2) so that squares and cubes neither overflow nor underflow (an exact scaling, undone
 * exactly for the deviation; skewness does not depend on it). A constant window is recognised by its largest
 * |d| being 0, i.e. by every value comparing equal to c, not by a variance that rounding might leave nonzero:
 * stddev is then exactly 0 and skewness NaN.
 */
export function momentsBody(skew: boolean): string {
  return `
    let n = uniforms.window;
    if (n < ${skew ? 3 : 2} || t < n - 1) { return uniforms.NAN; }
    let c = X[i];
    if (af_missing(c)) { return uniforms.NAN; }
    var s = 0.0;
    var part = 0.0;
    var big = 0.0;
    for (var k = 1; k < n; k++) {
      let v = X[i - k * N];
      if (af_missing(v)) { return uniforms.NAN; }
      let d = v - c;
      part += d;
      big = max(big, abs(d));
      ${blockFold('k', ['part'], ['s'])}
    }
    ${blockFinish(['part'], ['s'])}
    if (big == 0.0) { return ${skew ? 'uniforms.NAN' : '0.0'}; }
    let e = af_scale_exp(big);
    let sc = af_pow2(-e);
    let nf = f32(n);
    let m = s * sc / nf;
    var q2 = 0.0;
    var p2 = 0.0;
    var q3 = 0.0;
    var p3 = 0.0;
    for (var k = 0; k < n; k++) {
      let u = (X[i - k * N] - c) * sc - m;
      let uu = u * u;
      p2 += uu;
      ${skew ? 'p3 += uu * u;' : ''}
      ${blockFold('k', ['p2', 'p3'], ['q2', 'q3'])}
    }
    ${blockFinish(['p2', 'p3'], ['q2', 'q3'])}
    ${skew
      ? `let m2 = q2 / nf;
    let m3 = q3 / nf;
    return sqrt(nf * (nf - 1.0)) / (nf - 2.0) * m3 / (m2 * sqrt(m2));`
      : 'return sqrt(q2 / (nf - 1.0)) * af_pow2(e);'}`;
}

/** Statistics of the pair kernels, as in kernels/cpu/window_pair.ts (REGresid_ts has its own body, see reg_resid_ts.ts). */
export const COVARIANCE = 0;
export const CORRELATION = 1;
export const REG_BETA = 2;

/**
 * A statistic of x (`X`) against y (`Y`) over the window, both present at every bar. Two passes as in
 * `momentsBody`, with separate power-of-two scales for x and y. Constancy of either series is recognised by
 * comparison (every value equal to the current one): a constant x has zero covariance with anything, a zero
 * slope and a zero residual, while the correlation and any regression on a constant y are NaN (covariance 0).
 */
export function pairBody(mode: number): string {
  let finish: string;
  if (mode === COVARIANCE) {
    // Unscaled by 2^(ex + ey), in one step where that power is normal (see REG_BETA).
    finish = `let v = qxy / (nf - 1.0);
    if (abs(ex + ey) <= 126) { return v * af_pow2(ex + ey); }
    return v * af_pow2(ex) * af_pow2(ey);`;
  } else if (mode === CORRELATION) {
    // Rounding can step just outside [-1, 1].
    finish = 'return clamp(qxy / sqrt(qxx * qyy), -1.0, 1.0);';
  } else if (mode === REG_BETA) {
    // The slope in scaled units times 2^(ex - ey), applied in one step where that power is normal so that an
    // intermediate cannot overflow or lose bits to underflow.
    finish = `let b = qxy / qyy;
    if (abs(ex - ey) <= 126) { return b * af_pow2(ex - ey); }
    return b * af_pow2(ex) * af_pow2(-ey);`;
  } else {
    throw new RangeError(`pairBody: unknown mode ${mode}`);
  }
  const yConst = mode === COVARIANCE ? '0.0' : 'uniforms.NAN';
  const xConst = mode === CORRELATION ? 'uniforms.NAN' : '0.0';
  return `
    let n = uniforms.window;
    if (n < 2 || t < n - 1) { return uniforms.NAN; }
    let cx = X[i];
    let cy = Y[i];
    if (af_missing(cx) || af_missing(cy)) { return uniforms.NAN; }
    var sx = 0.0;
    var sy = 0.0;
    var px = 0.0;
    var py = 0.0;
    var bx = 0.0;
    var by = 0.0;
    for (var k = 1; k < n; k++) {
      let p = i - k * N;
      let vx = X[p];
      let vy = Y[p];
      if (af_missing(vx) || af_missing(vy)) { return uniforms.NAN; }
      let dx = vx - cx;
      let dy = vy - cy;
      px += dx;
      py += dy;
      bx = max(bx, abs(dx));
      by = max(by, abs(dy));
      ${blockFold('k', ['px', 'py'], ['sx', 'sy'])}
    }
    ${blockFinish(['px', 'py'], ['sx', 'sy'])}
    if (by == 0.0) { return ${yConst}; }
    if (bx == 0.0) { return ${xConst}; }
    let ex = af_scale_exp(bx);
    let ey = af_scale_exp(by);
    let scx = af_pow2(-ex);
    let scy = af_pow2(-ey);
    let nf = f32(n);
    let mx = sx * scx / nf;
    let my = sy * scy / nf;
    var qxx = 0.0;
    var qyy = 0.0;
    var qxy = 0.0;
    var pxx = 0.0;
    var pyy = 0.0;
    var pxy = 0.0;
    for (var k = 0; k < n; k++) {
      let p = i - k * N;
      let ux = (X[p] - cx) * scx - mx;
      let uy = (Y[p] - cy) * scy - my;
      pxx += ux * ux;
      pyy += uy * uy;
      pxy += ux * uy;
      ${blockFold('k', ['pxx', 'pyy', 'pxy'], ['qxx', 'qyy', 'qxy'])}
    }
    ${blockFinish(['pxx', 'pyy', 'pxy'], ['qxx', 'qyy', 'qxy'])}
    ${finish}`;
}
