/**
 * The GP primitive set: which operators, fields, windows and constants the miner may build trees from, and the
 * size limits every tree must respect. `resolvePrimitives` turns loose user options into a checked, frozen
 * `GpPrimitives`; every bad option fails early as a `GpConfigError` naming the option, so the CLI and the web
 * UI can point at it instead of a run dying generations later. Operator facts (arity, windows, kind) come only
 * from the operator table rows.
 */
import { STANDARD_FIELDS } from '../expr/ast.ts';
import { nearest } from '../expr/suggest.ts';
import { OPS, allOpNames, lookupOp } from '../ops/table.ts';
import { MAX_WINDOW, type OpSpec } from '../ops/types.ts';

/** A bad GP option. `field` names it as the user wrote it (`'ops[3]'`, `'windows'`, `'initDepth'`). */
export class GpConfigError extends Error {
  override readonly name = 'GpConfigError';
  /** The offending option, e.g. `'ops[3]'`. */
  readonly field: string;
  /** The nearest valid name, for unknown operator names. */
  readonly suggestion: string | undefined;

  constructor(field: string, message: string, suggestion?: string) {
    super(`${field}: ${message}`);
    this.field = field;
    this.suggestion = suggestion;
  }
}

export interface GpPrimitives {
  /** Operator rows the miner may use, in table order, without duplicates. */
  readonly ops: readonly OpSpec[];
  readonly fields: readonly string[];
  /** Allowed windows, ascending, unique. An operator only ever gets those `>= minWindow`. */
  readonly windows: readonly number[];
  /** Constant leaves; empty means trees have no constants at all. */
  readonly constants: readonly number[];
  /** Chance that a non-anchor operand of an elementwise call is a constant (when constants exist). */
  readonly constProb: number;
  /** Depth limit: a bare leaf has depth 1, so a call over fields has depth 2. */
  readonly maxDepth: number;
  /** Node limit (windows are not nodes). */
  readonly maxSize: number;
  /** Depth range `[lo, hi]` the initial population is ramped over. */
  readonly initDepth: readonly [number, number];
  /** Canonical names of requested operators that were left out because no allowed window fits them. */
  readonly dropped: readonly string[];
}

export interface PrimitiveOptions {
  /** Operator names or aliases; default every operator of the table. */
  ops?: readonly string[];
  /** Default: the standard bar fields. */
  fields?: readonly string[];
  /** Default 1..15, the window range of the report's factors. */
  windows?: readonly number[];
  /**
   * Default none: the report's factors are built from data alone, and constants mostly let GP fit scale
   * factors that rank-based fitness ignores anyway.
   */
  constants?: readonly number[];
  /** Default 0.1; only matters when `constants` is non-empty. */
  constProb?: number;
  /** Default 6. */
  maxDepth?: number;
  /** Default 30. */
  maxSize?: number;
  /** Default [2, 4]. */
  initDepth?: readonly [number, number];
}

export const DEFAULT_WINDOWS: readonly number[] = Object.freeze(Array.from({ length: 15 }, (_, i) => i + 1));
export const DEFAULT_MAX_DEPTH = 6;
export const DEFAULT_MAX_SIZE = 30;
export const DEFAULT_INIT_DEPTH: readonly [number, number] = Object.freeze([2, 4] as [number, number]);
export const DEFAULT_CONST_PROB = 0.1;

const IDENT_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;
const LAG_RE = /^(.+)_Lag(\d+)$/;

function isPositiveInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 1;
}

function resolveOps(names: readonly string[] | undefined): OpSpec[] {
  if (names === undefined) return [...OPS];
  if (!Array.isArray(names) || names.length === 0) throw new GpConfigError('ops', 'needs at least one operator');
  const seen = new Set<string>();
  names.forEach((name, i) => {
    const op = typeof name === 'string' ? lookupOp(name) : undefined;
    if (!op) {
      const guess = typeof name === 'string' ? nearest(name, allOpNames()) : undefined;
      const hint = guess ? `; did you mean '${guess}'?` : '';
      throw new GpConfigError(`ops[${i}]`, `unknown operator '${String(name)}'${hint}`, guess);
    }
    seen.add(op.name);
  });
  // Table order, so the same set of names in any order (or spelling) gives the same run for a seed.
  return OPS.filter((op) => seen.has(op.name));
}

function resolveFields(names: readonly string[] | undefined): string[] {
  if (names === undefined) return [...STANDARD_FIELDS];
  if (!Array.isArray(names) || names.length === 0) throw new GpConfigError('fields', 'needs at least one field');
  const out: string[] = [];
  names.forEach((name, i) => {
    if (typeof name !== 'string' || !IDENT_RE.test(name)) {
      throw new GpConfigError(`fields[${i}]`, `'${String(name)}' is not a field name (letters, digits, _)`);
    }
    if (lookupOp(name)) throw new GpConfigError(`fields[${i}]`, `'${name}' is an operator name, not a field`);
    if (!out.includes(name)) out.push(name);
  });
  // `X_LagK` parses as delay(K,X) when X is a field, so such a field could never round-trip through text.
  out.forEach((name) => {
    const lag = LAG_RE.exec(name);
    if (lag && out.includes(lag[1])) {
      throw new GpConfigError(`fields[${names.indexOf(name)}]`, `'${name}' would read as delay(${lag[2]},${lag[1]})`);
    }
  });
  return out;
}

function resolveWindows(ws: readonly number[] | undefined): number[] {
  if (ws === undefined) return [...DEFAULT_WINDOWS];
  if (!Array.isArray(ws) || ws.length === 0) throw new GpConfigError('windows', 'needs at least one window');
  ws.forEach((w, i) => {
    if (!isPositiveInt(w)) throw new GpConfigError(`windows[${i}]`, `window must be a positive integer, got ${String(w)}`);
    if (w > MAX_WINDOW) throw new GpConfigError(`windows[${i}]`, `window ${w} is above the maximum of ${MAX_WINDOW}`);
  });
  return [...new Set(ws)].sort((a, b) => a - b);
}

function resolveConstants(cs: readonly number[] | undefined): number[] {
  if (cs === undefined) return [];
  if (!Array.isArray(cs)) throw new GpConfigError('constants', 'must be a list of numbers');
  const out: number[] = [];
  cs.forEach((c, i) => {
    if (typeof c !== 'number' || !Number.isFinite(c)) {
      throw new GpConfigError(`constants[${i}]`, `constant must be a finite number, got ${String(c)}`);
    }
    // -0 prints as 0, so keeping both would make two "different" constants with one text.
    const v = c === 0 ? 0 : c;
    if (!out.includes(v)) out.push(v);
  });
  return out;
}

function intOption(name: string, v: number | undefined, dflt: number, min: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
    throw new GpConfigError(name, `must be an integer >= ${min}, got ${String(v)}`);
  }
  return v;
}

/**
 * Checks and completes the options. Roots are always calls, so depths start at 2. A windowed operator whose
 * `minWindow` is above every allowed window is dropped (listed in `dropped`); it is an error only when no
 * operator remains.
 */
export function resolvePrimitives(opts: PrimitiveOptions = {}): GpPrimitives {
  const requested = resolveOps(opts.ops);
  const fields = resolveFields(opts.fields);
  const windows = resolveWindows(opts.windows);
  const constants = resolveConstants(opts.constants);
  const maxWindow = windows[windows.length - 1];
  const ops = requested.filter((op) => !op.windowed || op.minWindow <= maxWindow);
  const dropped = requested.filter((op) => !ops.includes(op)).map((op) => op.name);
  if (ops.length === 0) {
    throw new GpConfigError('windows', `no operator can use windows up to ${maxWindow} (dropped: ${dropped.join(', ')})`);
  }

  let constProb = DEFAULT_CONST_PROB;
  if (opts.constProb !== undefined) {
    const p = opts.constProb;
    if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new GpConfigError('constProb', `must be in [0, 1], got ${String(p)}`);
    constProb = p;
  }

  const maxDepth = intOption('maxDepth', opts.maxDepth, DEFAULT_MAX_DEPTH, 2);
  const minArity = Math.min(...ops.map((op) => op.args.length));
  const maxSize = intOption('maxSize', opts.maxSize, DEFAULT_MAX_SIZE, 1 + minArity);

  let initDepth: [number, number] = [DEFAULT_INIT_DEPTH[0], Math.min(DEFAULT_INIT_DEPTH[1], maxDepth)];
  if (opts.initDepth !== undefined) {
    const d = opts.initDepth;
    if (!Array.isArray(d) || d.length !== 2 || !Number.isInteger(d[0]) || !Number.isInteger(d[1])) {
      throw new GpConfigError('initDepth', 'must be two integers [lo, hi]');
    }
    if (d[0] < 2) throw new GpConfigError('initDepth', `lo must be >= 2 (a root is a call), got ${d[0]}`);
    if (d[0] > d[1]) throw new GpConfigError('initDepth', `lo ${d[0]} is above hi ${d[1]}`);
    if (d[1] > maxDepth) throw new GpConfigError('initDepth', `hi ${d[1]} is above maxDepth ${maxDepth}`);
    initDepth = [d[0], d[1]];
  }

  return Object.freeze({
    ops: Object.freeze(ops),
    fields: Object.freeze(fields),
    windows: Object.freeze(windows),
    constants: Object.freeze(constants),
    constProb,
    maxDepth,
    maxSize,
    initDepth: Object.freeze(initDepth) as readonly [number, number],
    dropped: Object.freeze(dropped),
  });
}

/** Lookup sets derived from a primitive set, computed once per (frozen) object. */
export interface PrimIndex {
  readonly ops: ReadonlyMap<string, OpSpec>;
  readonly fields: ReadonlySet<string>;
  readonly windows: ReadonlySet<number>;
  readonly constants: ReadonlySet<number>;
  /** Allowed windows per windowed operator name (ascending, each `>= minWindow`). */
  readonly windowsFor: ReadonlyMap<string, readonly number[]>;
  /** Smallest operand count among the operators. */
  readonly minArity: number;
}

const indexCache = new WeakMap<GpPrimitives, PrimIndex>();

export function primIndex(prims: GpPrimitives): PrimIndex {
  const hit = indexCache.get(prims);
  if (hit) return hit;
  const windowsFor = new Map<string, readonly number[]>();
  for (const op of prims.ops) {
    if (op.windowed) windowsFor.set(op.name, prims.windows.filter((w) => w >= op.minWindow));
  }
  const idx: PrimIndex = {
    ops: new Map(prims.ops.map((op) => [op.name, op])),
    fields: new Set(prims.fields),
    windows: new Set(prims.windows),
    constants: new Set(prims.constants),
    windowsFor,
    minArity: Math.min(...prims.ops.map((op) => op.args.length)),
  };
  indexCache.set(prims, idx);
  return idx;
}

/** Windows an operator may get: the allowed ones at or above its `minWindow` (empty for unwindowed ops). */
export function windowsFor(prims: GpPrimitives, op: OpSpec): readonly number[] {
  return primIndex(prims).windowsFor.get(op.name) ?? [];
}
