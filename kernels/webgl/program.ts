/**
 * What the WebGL kernels need of tfjs-backend-webgl, declared structurally so that loading the operator table
 * never loads the WebGL backend (it is imported only when `--backend webgl` is asked for). A kernel builds a
 * `WebGlProgram` (GLSL ES 3.0 fragment body computing one output cell) and hands it to the backend's
 * `runWebGLProgram`, which compiles once per program key and keeps the output in a texture.
 *
 * Below the declarations are the building blocks every operator kernel shares: GLSL helpers for the missing-
 * value and storage rules, and `runCells`, which wraps an operator's per-cell GLSL into a program whose
 * window and panel sizes are uniforms, so one compiled program serves every window.
 */
import type { DataType, TensorInfo } from '@tensorflow/tfjs-core';

/** The fields of tfjs-backend-webgl's `GPGPUProgram` that our kernels set. */
export interface WebGlProgram {
  variableNames: string[];
  outputShape: number[];
  userCode: string;
  customUniforms?: Array<{ name: string; type: 'int' | 'float' | 'ivec2' | 'vec2' }>;
  /** Keeps tfjs from packing operands; our kernels read one value per texel. */
  packedInputs?: boolean;
  packedOutput?: boolean;
}

/** The part of tfjs's MathBackendWebGL the kernels call. */
export interface WebGlBackendLike {
  runWebGLProgram(program: WebGlProgram, inputs: TensorInfo[], outputDtype: DataType, customUniformValues?: number[][]): TensorInfo;
  disposeData(dataId: object, force?: boolean): boolean;
}

/** Placeholder for a kernel that is not written yet: fails loudly when called. */
export function notWritten(name: string): () => never {
  return () => {
    throw new Error(`${name}: no WebGL kernel yet`);
  };
}

/** What an operator kernel receives (the `DeviceKernelArgs` of src/ops/types.ts, restated to avoid a cycle). */
export interface CellArgs {
  readonly backend: WebGlBackendLike;
  readonly inputs: readonly TensorInfo[];
  readonly T: number;
  readonly N: number;
  readonly window: number;
}

/**
 * GLSL helpers every program gets, after tfjs's prefix (which defines `setOutput` and the `NAN` uniform).
 * Shader compilers may assume arithmetic never sees NaN or infinity and fold `v != v` or `v - v` away, and
 * tfjs's own `isnan` is the built-in unless a flag asks for its bit test; so missing values are found from their
 * bits (exponent all ones: NaN and ±Infinity alike, as the host kernels treat both as missing) and NaN is only
 * ever written from the `NAN` uniform, never produced by arithmetic.
 */
export const GLSL_HELPERS = `
bool afMissing(float v) {
  return (floatBitsToUint(v) & 0x7f800000u) == 0x7f800000u;
}
// The storage rule: a result that is not finite (an overflow included) is stored as NaN.
void afEmit(float v) {
  setOutput(afMissing(v) ? NAN : v);
}
// 2^e as an exact float32 (e clamped to the normal range), so that scaling by it never rounds.
float afPow2(int e) {
  return uintBitsToFloat(uint(clamp(e, -126, 127) + 127) << 23u);
}
// A power of two near 1 / |v| for a finite non-zero v: deviations scaled by it stay near 1, so their squares
// and cubes neither overflow (volumes) nor underflow (tiny returns), and the scaling itself is exact.
float afInvScale(float v) {
  int e = int((floatBitsToUint(v) >> 23u) & 0xffu) - 127;
  return afPow2(-e);
}
`;

/** Names of the uniforms `runCells` declares: the window, bars and stocks. */
export const WINDOW = 'afWindow';
export const BARS = 'afT';
export const STOCKS = 'afN';

/**
 * Runs one program over an output of `shape` (default the operands' `[T, N]`). `main` is the body of
 * `main()`: it sees `t` and `j` (the output cell's row and column), the ints `afWindow`, `afT`, `afN`, the
 * operand accessors `getX0(row, col)`, `getX1(row, col)` (or as named by `names`), `GLSL_HELPERS`, and
 * `functions` (extra GLSL placed before `main`); it ends each path with `afEmit(value)` or `setOutput(NAN)`.
 *
 * tfjs caches compiled programs by a key made of the program's class name (all of ours are plain objects), the
 * operand shapes and the user code; `label` is written into the code as a comment so that two operators can
 * never share a key even where their bodies happen to coincide, while windows, which are uniforms, share one.
 */
export function runCells(
  label: string,
  args: CellArgs,
  main: string,
  options: { functions?: string; shape?: number[]; inputs?: readonly TensorInfo[]; names?: string[] } = {},
): TensorInfo {
  const inputs = options.inputs ?? args.inputs;
  const names = options.names ?? inputs.map((_, i) => `x${i}`);
  const program: WebGlProgram = {
    variableNames: names,
    outputShape: options.shape ?? [args.T, args.N],
    userCode: `
// alphaflow: ${label}
${GLSL_HELPERS}
${options.functions ?? ''}
void main() {
  ivec2 afCell = getOutputCoords();
  int t = afCell.x;
  int j = afCell.y;
  ${main}
}
`,
    customUniforms: [
      { name: WINDOW, type: 'int' },
      { name: BARS, type: 'int' },
      { name: STOCKS, type: 'int' },
    ],
    packedInputs: false,
    packedOutput: false,
  };
  return args.backend.runWebGLProgram(program, [...inputs], 'float32', [[args.window], [args.T], [args.N]]);
}

/** An elementwise kernel: `expr` computes `v` from `a` (and `b`), which are present (missing gives NaN). */
export function elementwise(label: string, args: CellArgs, arity: 1 | 2, expr: string): TensorInfo {
  const read = arity === 1 ? 'float a = getX0(t, j);' : 'float a = getX0(t, j);\n  float b = getX1(t, j);';
  const missing = arity === 1 ? 'afMissing(a)' : 'afMissing(a) || afMissing(b)';
  return runCells(label, args, `
  ${read}
  if (${missing}) { setOutput(NAN); return; }
  float v;
  ${expr}
  afEmit(v);`);
}

/**
 * GLSL that leaves `t` only when the window of `afWindow` bars ending at bar t is complete and every operand
 * in `operands` (accessor names) is present at each of its bars; otherwise it writes NaN and returns. Windowed
 * kernels start with it, so the shared NaN rule lives in one place.
 */
export function requireWindow(operands: string[], minWindow = 1): string {
  const missing = operands.map((g) => `afMissing(${g}(t - k, j))`).join(' || ');
  return `
  if (afWindow < ${minWindow} || t < afWindow - 1) { setOutput(NAN); return; }
  for (int k = 0; k < afWindow; k++) {
    if (${missing}) { setOutput(NAN); return; }
  }`;
}

/**
 * GLSL (after `requireWindow`) that looks over operand `get`'s window once, relative to its current value:
 * declares `<name>C` (the value at bar t, the shift every deviation is taken from, so that price- or volume-
 * sized windows keep the digits of their small spread), `<name>Varies` (whether any bar differs from it, found
 * by comparing values, so a constant window is recognised exactly) and `<name>P` (a power-of-two scale near
 * 1 / the largest deviation; 1 for a constant window). `deviation(get, name)` is then the scaled deviation at
 * bar t - k.
 */
export function scanWindow(get: string, name: string): string {
  return `
  float ${name}C = ${get}(t, j);
  bool ${name}Varies = false;
  float ${name}Spread = 0.0;
  for (int k = 1; k < afWindow; k++) {
    float v = ${get}(t - k, j);
    if (v != ${name}C) ${name}Varies = true;
    ${name}Spread = max(${name}Spread, abs(v - ${name}C));
  }
  float ${name}P = ${name}Varies ? afInvScale(${name}Spread) : 1.0;`;
}

/**
 * The scaled deviation (v - C) P of `get` at bar t - k, written as v P - C P: exact like the difference when
 * nothing overflows, and still finite when v - C itself would overflow (the scale is then tiny).
 */
export function deviation(get: string, name: string): string {
  return `(${get}(t - k, j) * ${name}P - ${name}C * ${name}P)`;
}

/**
 * GLSL (after `scanWindow` of `getX0` as `x` and `getX1` as `y`, both varying) that takes the co-moments of the
 * pair in two passes: `mx`, `my` (means of the scaled deviations) and the centred sums `sxx`, `syy`, `sxy`.
 */
export const PAIR_SUMS = `
  float n = float(afWindow);
  float ax = 0.0;
  float ay = 0.0;
  for (int k = 0; k < afWindow; k++) {
    ax += ${deviation('getX0', 'x')};
    ay += ${deviation('getX1', 'y')};
  }
  float mx = ax / n;
  float my = ay / n;
  float sxx = 0.0;
  float syy = 0.0;
  float sxy = 0.0;
  for (int k = 0; k < afWindow; k++) {
    float dx = ${deviation('getX0', 'x')} - mx;
    float dy = ${deviation('getX1', 'y')} - my;
    sxx += dx * dx;
    syy += dy * dy;
    sxy += dx * dy;
  }`;

/**
 * Double-float arithmetic (a value as an unevaluated sum hi + lo of two float32, about 44 significant bits), for
 * the few results whose float32 evaluation cancels away the digits the host kernels keep in float64. Products
 * use Dekker's exact product with the operands split by masking their low 12 mantissa bits, which no compiler
 * can rewrite (the split by multiplying by 4097 can be broken by fused multiply-adds), and every partial
 * product of the split halves is exact, so contraction into FMAs cannot change them either.
 */
export const GLSL_DOUBLE_FLOAT = `
vec2 dfTwoSum(float a, float b) {
  float s = a + b;
  float bb = s - a;
  return vec2(s, (a - (s - bb)) + (b - bb));
}
vec2 dfQuickTwoSum(float a, float b) {
  float s = a + b;
  return vec2(s, b - (s - a));
}
vec2 dfTwoProd(float a, float b) {
  float p = a * b;
  float ah = uintBitsToFloat(floatBitsToUint(a) & 0xfffff000u);
  float bh = uintBitsToFloat(floatBitsToUint(b) & 0xfffff000u);
  float al = a - ah;
  float bl = b - bh;
  return vec2(p, ((ah * bh - p) + ah * bl + al * bh) + al * bl);
}
vec2 dfAdd(vec2 a, vec2 b) {
  vec2 s = dfTwoSum(a.x, b.x);
  vec2 e = dfTwoSum(a.y, b.y);
  s.y += e.x;
  s = dfQuickTwoSum(s.x, s.y);
  s.y += e.y;
  return dfQuickTwoSum(s.x, s.y);
}
vec2 dfSub(vec2 a, vec2 b) {
  return dfAdd(a, -b);
}
vec2 dfMul(vec2 a, vec2 b) {
  vec2 p = dfTwoProd(a.x, b.x);
  p.y += a.x * b.y + a.y * b.x;
  return dfQuickTwoSum(p.x, p.y);
}
vec2 dfDiv(vec2 a, vec2 b) {
  float q1 = a.x / b.x;
  vec2 r = dfSub(a, dfMul(b, vec2(q1, 0.0)));
  float q2 = r.x / b.x;
  r = dfSub(r, dfMul(b, vec2(q2, 0.0)));
  float q3 = r.x / b.x;
  vec2 q = dfQuickTwoSum(q1, q2);
  return dfAdd(q, vec2(q3, 0.0));
}
`;
