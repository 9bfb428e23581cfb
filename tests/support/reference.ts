/**
 * The test oracle: an independent, deliberately naive float64 implementation of every operator's documented
 * semantics, and of whole expression trees on a panel. Each windowed cell is recomputed from scratch from the
 * window's values (no rolling sums, no incremental updates); "constant window" is decided by explicit equality
 * of the values, never by a variance threshold. It shares nothing with the kernels but the `Node` and `Panel`
 * types, and it has its own tiny parser (`refParse`) so parser bugs cannot hide evaluator bugs.
 *
 * Rules (from the operator table's docs): NaN means missing; any non-finite result is NaN; a windowed operator
 * at bar t needs every operand present at each bar t-n+1..t (else NaN, and NaN for the first n-1 bars);
 * delta / pctchange_ts read only x[t] and x[t-n], delay only x[t-n] (NaN for t < n).
 */
import type { Node } from '../../src/expr/ast.ts';
import type { Panel } from '../../src/data/panel.ts';

export type RefKind = 'elementwise' | 'cross_section' | 'time_series';

export interface RefOp {
  readonly name: string;
  readonly arity: number;
  readonly kind: RefKind;
  readonly windowed: boolean;
  /** Bars of history before t read at t, for window n. */
  lookback(n: number): number;
  /** Computes a whole `[T, N]` output in float64 from float64 operands. */
  apply(xs: readonly Float64Array[], T: number, N: number, n: number): Float64Array;
}

const fin = (v: number): number => (Number.isFinite(v) ? v : NaN);
const isNaNv = (v: number): boolean => v !== v;

// ---------------------------------------------------------------------------------------------------------
// Elementwise

function unary(name: string, f: (x: number) => number): RefOp {
  return {
    name, arity: 1, kind: 'elementwise', windowed: false, lookback: () => 0,
    apply(xs, T, N) {
      const x = xs[0]!;
      const out = new Float64Array(T * N);
      for (let i = 0; i < T * N; i++) out[i] = isNaNv(x[i]!) ? NaN : fin(f(x[i]!));
      return out;
    },
  };
}

function binary(name: string, f: (x: number, y: number) => number): RefOp {
  return {
    name, arity: 2, kind: 'elementwise', windowed: false, lookback: () => 0,
    apply(xs, T, N) {
      const x = xs[0]!;
      const y = xs[1]!;
      const out = new Float64Array(T * N);
      for (let i = 0; i < T * N; i++) out[i] = isNaNv(x[i]!) || isNaNv(y[i]!) ? NaN : fin(f(x[i]!, y[i]!));
      return out;
    },
  };
}

// ---------------------------------------------------------------------------------------------------------
// Cross-sectional: per bar, over the stocks that have a value.

function crossSection(name: string, f: (vals: number[]) => number[] | null): RefOp {
  return {
    name, arity: 1, kind: 'cross_section', windowed: false, lookback: () => 0,
    apply(xs, T, N) {
      const x = xs[0]!;
      const out = new Float64Array(T * N).fill(NaN);
      for (let t = 0; t < T; t++) {
        const idx: number[] = [];
        const vals: number[] = [];
        for (let j = 0; j < N; j++) {
          const v = x[t * N + j]!;
          if (!isNaNv(v)) {
            idx.push(j);
            vals.push(v);
          }
        }
        if (vals.length === 0) continue;
        const res = f(vals);
        if (res === null) continue;
        for (let k = 0; k < idx.length; k++) out[t * N + idx[k]!] = fin(res[k]!);
      }
      return out;
    },
  };
}

function rankValues(vals: number[]): number[] {
  const m = vals.length;
  const order = vals.map((_, k) => k).sort((a, b) => vals[a]! - vals[b]!);
  const res = new Array<number>(m);
  let s = 0;
  while (s < m) {
    let e = s;
    while (e + 1 < m && vals[order[e + 1]!] === vals[order[s]!]) e++;
    // Ties share the average of the 1-based ranks s+1 .. e+1 they occupy.
    const avg = (s + 1 + e + 1) / 2;
    for (let k = s; k <= e; k++) res[order[k]!] = avg / m;
    s = e + 1;
  }
  return res;
}

function allEqual(vals: ArrayLike<number>, n: number): boolean {
  for (let k = 1; k < n; k++) if (vals[k] !== vals[0]) return false;
  return true;
}

function zscoreValues(vals: number[]): number[] | null {
  const m = vals.length;
  if (m < 2 || allEqual(vals, m)) return null;
  let sum = 0;
  for (const v of vals) sum += v;
  const mean = sum / m;
  let ss = 0;
  for (const v of vals) ss += (v - mean) * (v - mean);
  const sd = Math.sqrt(ss / (m - 1));
  return vals.map((v) => (v - mean) / sd);
}

function scaleValues(vals: number[]): number[] | null {
  let s = 0;
  for (const v of vals) s += Math.abs(v);
  if (s === 0) return null;
  return vals.map((v) => v / s);
}

// ---------------------------------------------------------------------------------------------------------
// Time series

/** x[t] and x[t-n] only (delay: x[t-n] only, so `needsNow` is false). */
function lagOp(name: string, f: (now: number, past: number) => number, needsNow = true): RefOp {
  return {
    name, arity: 1, kind: 'time_series', windowed: true, lookback: (n) => n,
    apply(xs, T, N, n) {
      const x = xs[0]!;
      const out = new Float64Array(T * N).fill(NaN);
      for (let t = n; t < T; t++) {
        for (let j = 0; j < N; j++) {
          const now = x[t * N + j]!;
          const past = x[(t - n) * N + j]!;
          out[t * N + j] = (needsNow && isNaNv(now)) || isNaNv(past) ? NaN : fin(f(now, past));
        }
      }
      return out;
    },
  };
}

/**
 * Copies the window of stock j ending at bar t into `buf` (buf[k] = x[t-k], k bars back); false if the window
 * starts before bar 0 or any value is missing.
 */
function gather(x: Float64Array, t: number, N: number, j: number, n: number, buf: Float64Array): boolean {
  if (t - n + 1 < 0) return false;
  for (let k = 0; k < n; k++) {
    const v = x[(t - k) * N + j]!;
    if (isNaNv(v)) return false;
    buf[k] = v;
  }
  return true;
}

function windowOp(name: string, f: (w: Float64Array, n: number) => number): RefOp {
  return {
    name, arity: 1, kind: 'time_series', windowed: true, lookback: (n) => n - 1,
    apply(xs, T, N, n) {
      const x = xs[0]!;
      const out = new Float64Array(T * N).fill(NaN);
      const w = new Float64Array(n);
      for (let t = 0; t < T; t++) {
        for (let j = 0; j < N; j++) {
          if (gather(x, t, N, j, n, w)) out[t * N + j] = fin(f(w, n));
        }
      }
      return out;
    },
  };
}

function pairOp(name: string, f: (wx: Float64Array, wy: Float64Array, n: number) => number): RefOp {
  return {
    name, arity: 2, kind: 'time_series', windowed: true, lookback: (n) => n - 1,
    apply(xs, T, N, n) {
      const x = xs[0]!;
      const y = xs[1]!;
      const out = new Float64Array(T * N).fill(NaN);
      const wx = new Float64Array(n);
      const wy = new Float64Array(n);
      for (let t = 0; t < T; t++) {
        for (let j = 0; j < N; j++) {
          if (gather(x, t, N, j, n, wx) && gather(y, t, N, j, n, wy)) out[t * N + j] = fin(f(wx, wy, n));
        }
      }
      return out;
    },
  };
}

function mean(w: Float64Array, n: number): number {
  let s = 0;
  for (let k = 0; k < n; k++) s += w[k]!;
  return s / n;
}

/** Sums of products of deviations from the window means (two passes): sxy, sxx, syy. */
interface CoSums {
  sxy: number;
  sxx: number;
  syy: number;
  mx: number;
  my: number;
}

function coSums(wx: Float64Array, wy: Float64Array, n: number): CoSums {
  const mx = mean(wx, n);
  const my = mean(wy, n);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let k = 0; k < n; k++) {
    const dx = wx[k]! - mx;
    const dy = wy[k]! - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return { sxy, sxx, syy, mx, my };
}

const REF_LIST: readonly RefOp[] = [
  binary('add', (x, y) => x + y),
  binary('sub', (x, y) => x - y),
  binary('mul', (x, y) => x * y),
  binary('div', (x, y) => (Math.abs(y) > 0.001 ? x / y : 1)),
  unary('neg', (x) => -x),
  unary('abs', (x) => Math.abs(x)),
  unary('sign', (x) => (x > 0 ? 1 : x < 0 ? -1 : 0)),
  unary('sqrt', (x) => Math.sqrt(Math.abs(x))),
  unary('log', (x) => (Math.abs(x) > 0.001 ? Math.log(Math.abs(x)) : 0)),
  unary('arctan', (x) => Math.atan(x)),
  unary('sig', (x) => 1 / (1 + Math.exp(-x))),
  binary('max', (x, y) => (x > y ? x : y)),
  binary('min', (x, y) => (x < y ? x : y)),

  crossSection('rank', rankValues),
  crossSection('zscore', zscoreValues),
  crossSection('scale', scaleValues),

  lagOp('delay', (_now, past) => past, false),
  lagOp('delta', (now, past) => now - past),
  lagOp('pctchange_ts', (now, past) => (past === 0 ? NaN : now / past - 1)),

  windowOp('ts_Sum', (w, n) => {
    let s = 0;
    for (let k = 0; k < n; k++) s += w[k]!;
    return s;
  }),
  windowOp('ts_Mean', (w, n) => mean(w, n)),
  windowOp('ts_Max', (w, n) => {
    let m = w[0]!;
    for (let k = 1; k < n; k++) if (w[k]! > m) m = w[k]!;
    return m;
  }),
  windowOp('ts_Min', (w, n) => {
    let m = w[0]!;
    for (let k = 1; k < n; k++) if (w[k]! < m) m = w[k]!;
    return m;
  }),
  windowOp('ts_ArgMax', (w, n) => {
    let best = 0; // strict comparison: ties keep the most recent bar
    for (let k = 1; k < n; k++) if (w[k]! > w[best]!) best = k;
    return best;
  }),
  windowOp('ts_ArgMin', (w, n) => {
    let best = 0;
    for (let k = 1; k < n; k++) if (w[k]! < w[best]!) best = k;
    return best;
  }),
  windowOp('ts_Rank', (w, n) => {
    let less = 0;
    let equal = 0; // includes x[t] itself
    for (let k = 0; k < n; k++) {
      if (w[k]! < w[0]!) less++;
      else if (w[k] === w[0]) equal++;
    }
    return (less + (equal + 1) / 2) / n;
  }),
  windowOp('stddev', (w, n) => {
    if (allEqual(w, n)) return 0;
    const m = mean(w, n);
    let ss = 0;
    for (let k = 0; k < n; k++) ss += (w[k]! - m) * (w[k]! - m);
    return Math.sqrt(ss / (n - 1));
  }),
  windowOp('ts_Skew', (w, n) => {
    if (allEqual(w, n)) return NaN;
    const m = mean(w, n);
    let s2 = 0;
    let s3 = 0;
    for (let k = 0; k < n; k++) {
      const d = w[k]! - m;
      s2 += d * d;
      s3 += d * d * d;
    }
    const m2 = s2 / n;
    const m3 = s3 / n;
    return (Math.sqrt(n * (n - 1)) / (n - 2)) * (m3 / Math.pow(m2, 1.5));
  }),
  windowOp('EMA', (w, n) => {
    const a = 2 / (n + 1);
    let num = 0;
    let den = 0;
    for (let k = 0; k < n; k++) {
      const wt = Math.pow(1 - a, k);
      num += wt * w[k]!;
      den += wt;
    }
    return num / den;
  }),
  windowOp('decay_linear', (w, n) => {
    let num = 0;
    let den = 0;
    for (let k = 0; k < n; k++) {
      num += (n - k) * w[k]!;
      den += n - k;
    }
    return num / den;
  }),
  pairOp('covariance', (wx, wy, n) => coSums(wx, wy, n).sxy / (n - 1)),
  pairOp('correlation', (wx, wy, n) => {
    if (allEqual(wx, n) || allEqual(wy, n)) return NaN;
    const c = coSums(wx, wy, n);
    return c.sxy / Math.sqrt(c.sxx * c.syy);
  }),
  pairOp('REGbeta_ts', (wx, wy, n) => {
    if (allEqual(wy, n)) return NaN;
    const c = coSums(wx, wy, n);
    return c.sxy / c.syy;
  }),
  pairOp('REGresid_ts', (wx, wy, n) => {
    if (allEqual(wy, n)) return NaN;
    const c = coSums(wx, wy, n);
    const b = c.sxy / c.syy;
    const a = c.mx - b * c.my;
    return wx[0]! - (a + b * wy[0]!);
  }),
];

/** Reference operators by canonical name. */
export const REF_OPS: ReadonlyMap<string, RefOp> = new Map(REF_LIST.map((op) => [op.name, op]));

/** Applies one reference operator to float64 operands. */
export function refApply(name: string, xs: readonly Float64Array[], T: number, N: number, window = 0): Float64Array {
  const op = REF_OPS.get(name);
  if (!op) throw new Error(`reference: no operator '${name}'`);
  if (xs.length !== op.arity) throw new Error(`reference: '${name}' takes ${op.arity} operands, got ${xs.length}`);
  return op.apply(xs, T, N, window);
}

// ---------------------------------------------------------------------------------------------------------
// Expression trees

/** A structural key of a tree (op, window, operands); equal keys mean equal trees. */
export function nodeKey(node: Node): string {
  switch (node.kind) {
    case 'field':
      return `$${node.name}`;
    case 'const':
      return `#${Object.is(node.value, -0) ? '-0' : String(node.value)}`;
    case 'call':
      return `${node.op}(${node.window === undefined ? '' : `${node.window};`}${node.args.map(nodeKey).join(',')})`;
  }
}

export interface RefEvalOptions {
  /**
   * Round every intermediate node's result to float32 (as an evaluator that stores float32 tensors does), so
   * composed expressions can be compared tightly. Default false: pure float64 above the float32 fields.
   */
  readonly float32Intermediates?: boolean;
}

/** Evaluates trees on a panel in float64, memoising shared subtrees in `cache` (pass one to share it). */
export function evaluateReference(
  panel: Panel,
  node: Node,
  opts: RefEvalOptions = {},
  cache: Map<string, Float64Array> = new Map(),
): Float64Array {
  const key = nodeKey(node);
  const hit = cache.get(key);
  if (hit) return hit;
  const { T, N } = panel;
  let out: Float64Array;
  switch (node.kind) {
    case 'field': {
      const f = panel.fields.get(node.name);
      if (!f) throw new Error(`reference: unknown field '${node.name}'`);
      out = Float64Array.from(f);
      break;
    }
    case 'const':
      out = new Float64Array(T * N).fill(opts.float32Intermediates ? Math.fround(node.value) : node.value);
      break;
    case 'call': {
      const args = node.args.map((a) => evaluateReference(panel, a, opts, cache));
      out = refApply(node.op, args, T, N, node.window ?? 0);
      if (opts.float32Intermediates) {
        for (let i = 0; i < out.length; i++) {
          const v = Math.fround(out[i]!);
          out[i] = Number.isFinite(v) ? v : NaN;
        }
      }
      break;
    }
  }
  cache.set(key, out);
  return out;
}

/**
 * A minimal parser for canonical expression text (`op(window,args...)`, fields, numbers), independent of
 * `src/expr`. Only canonical operator names; windowed operators take an integer first argument. Throws on any
 * malformed input (unbalanced parentheses included).
 */
export function refParse(text: string): Node {
  let pos = 0;
  const src = text.trim();
  const fail = (msg: string): never => {
    throw new Error(`refParse: ${msg} at offset ${pos} in '${text}'`);
  };
  const skip = () => {
    while (pos < src.length && /\s/.test(src[pos]!)) pos++;
  };
  const expr = (): Node => {
    skip();
    const num = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?/.exec(src.slice(pos));
    if (num) {
      pos += num[0].length;
      return { kind: 'const', value: Number(num[0]) };
    }
    const id = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(pos));
    if (!id) return fail('expected an expression');
    pos += id[0].length;
    skip();
    if (src[pos] !== '(') return { kind: 'field', name: id[0] };
    pos++;
    const op = REF_OPS.get(id[0]);
    if (!op) return fail(`unknown operator '${id[0]}'`);
    let window: number | undefined;
    if (op.windowed) {
      skip();
      const w = /^\d+/.exec(src.slice(pos));
      if (!w) return fail('expected a window');
      window = Number(w[0]);
      pos += w[0].length;
      skip();
      if (src[pos] !== ',') return fail("expected ','");
      pos++;
    }
    const args: Node[] = [];
    for (let k = 0; k < op.arity; k++) {
      if (k > 0) {
        skip();
        if (src[pos] !== ',') return fail("expected ','");
        pos++;
      }
      args.push(expr());
    }
    skip();
    if (src[pos] !== ')') return fail("expected ')'");
    pos++;
    return window === undefined ? { kind: 'call', op: op.name, args } : { kind: 'call', op: op.name, window, args };
  };
  const node = expr();
  skip();
  if (pos !== src.length) fail('trailing input');
  return node;
}
