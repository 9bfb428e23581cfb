/**
 * The operator table: one row per operator, the single source of truth for names, aliases, arity, windows,
 * lookback, documentation (with each operator's NaN rule) and kernels. Parser, printer, evaluator, GP, UI and
 * the generated README reference all read these rows.
 *
 * Shared rules, stated once in the README: every result that is not finite is NaN; a windowed operator at bar
 * t needs every operand present at each bar t-n+1..t (else NaN, and NaN for the first n-1 bars).
 */
import type { OpKind, OpSpec, OpKernels } from './types.ts';
import * as cpu from '../../kernels/cpu/index.ts';
import * as webgpu from '../../kernels/webgpu/index.ts';
import * as webgl from '../../kernels/webgl/index.ts';
import * as composite from '../../kernels/composite/index.ts';

interface RowInit {
  name: string;
  aliases?: string[];
  args: string[];
  kind: OpKind;
  /** Windowed operators only: smallest window (default 1) and lookback for window n (default n - 1). */
  minWindow?: number;
  lookback?: (n: number) => number;
  doc: string;
  kernels: OpKernels;
}

function row(init: RowInit): OpSpec {
  const windowed = init.kind === 'time_series';
  return Object.freeze({
    name: init.name,
    aliases: Object.freeze(init.aliases ?? []),
    args: Object.freeze(init.args),
    windowed,
    minWindow: windowed ? (init.minWindow ?? 1) : 0,
    kind: init.kind,
    lookback: windowed ? (init.lookback ?? ((n: number) => n - 1)) : () => 0,
    doc: init.doc,
    kernelName: `af_${init.name}`,
    kernels: Object.freeze(init.kernels),
  });
}

const ew = 'elementwise' as const;
const cs = 'cross_section' as const;
const ts = 'time_series' as const;
const lag = (n: number) => n;

export const OPS: readonly OpSpec[] = Object.freeze([
  // Elementwise: NaN in any operand gives NaN.
  row({ name: 'add', args: ['x', 'y'], kind: ew, doc: 'x + y.', kernels: { cpu: cpu.add, webgpu: webgpu.add, webgl: webgl.add, composite: composite.add } }),
  row({ name: 'sub', args: ['x', 'y'], kind: ew, doc: 'x - y.', kernels: { cpu: cpu.sub, webgpu: webgpu.sub, webgl: webgl.sub, composite: composite.sub } }),
  row({ name: 'mul', args: ['x', 'y'], kind: ew, doc: 'x * y.', kernels: { cpu: cpu.mul, webgpu: webgpu.mul, webgl: webgl.mul, composite: composite.mul } }),
  row({
    name: 'div', args: ['x', 'y'], kind: ew,
    doc: 'Protected division (gplearn): x / y if |y| > 0.001, else 1; NaN if x or y is NaN.',
    kernels: { cpu: cpu.div, webgpu: webgpu.div, webgl: webgl.div, composite: composite.div },
  }),
  row({ name: 'neg', args: ['x'], kind: ew, doc: '-x.', kernels: { cpu: cpu.neg, webgpu: webgpu.neg, webgl: webgl.neg, composite: composite.neg } }),
  row({ name: 'abs', args: ['x'], kind: ew, doc: '|x|.', kernels: { cpu: cpu.abs, webgpu: webgpu.abs, webgl: webgl.abs, composite: composite.abs } }),
  row({ name: 'sign', aliases: ['SIGN'], args: ['x'], kind: ew, doc: '-1, 0 or 1 by the sign of x.', kernels: { cpu: cpu.sign, webgpu: webgpu.sign, webgl: webgl.sign, composite: composite.sign } }),
  row({ name: 'sqrt', args: ['x'], kind: ew, doc: 'Protected square root (gplearn): sqrt(|x|).', kernels: { cpu: cpu.sqrt, webgpu: webgpu.sqrt, webgl: webgl.sqrt, composite: composite.sqrt } }),
  row({
    name: 'log', args: ['x'], kind: ew,
    doc: 'Protected logarithm (gplearn): log(|x|) if |x| > 0.001, else 0.',
    kernels: { cpu: cpu.log, webgpu: webgpu.log, webgl: webgl.log, composite: composite.log },
  }),
  row({ name: 'arctan', aliases: ['actan'], args: ['x'], kind: ew, doc: 'atan(x), in (-pi/2, pi/2).', kernels: { cpu: cpu.arctan, webgpu: webgpu.arctan, webgl: webgl.arctan, composite: composite.arctan } }),
  row({ name: 'sig', args: ['x'], kind: ew, doc: 'Logistic sigmoid 1 / (1 + exp(-x)).', kernels: { cpu: cpu.sig, webgpu: webgpu.sig, webgl: webgl.sig, composite: composite.sig } }),
  row({ name: 'max', args: ['x', 'y'], kind: ew, doc: 'The larger of x and y; NaN if either is NaN.', kernels: { cpu: cpu.max, webgpu: webgpu.max, webgl: webgl.max, composite: composite.max } }),
  row({ name: 'min', args: ['x', 'y'], kind: ew, doc: 'The smaller of x and y; NaN if either is NaN.', kernels: { cpu: cpu.min, webgpu: webgpu.min, webgl: webgl.min, composite: composite.min } }),

  // Cross-sectional: at each bar, over the stocks that have a value; NaN stays NaN.
  row({
    name: 'rank', args: ['x'], kind: cs,
    doc: 'Percentile rank across stocks at each bar: average 1-based rank of ties divided by the number of stocks with a value, in (0, 1].',
    kernels: { cpu: cpu.rank, webgpu: webgpu.rank, webgl: webgl.rank, composite: composite.rank },
  }),
  row({
    name: 'zscore', args: ['x'], kind: cs,
    doc: '(x - mean) / std across stocks at each bar (sample std, n - 1); NaN where fewer than 2 stocks have a value or they are all equal.',
    kernels: { cpu: cpu.zscore, webgpu: webgpu.zscore, webgl: webgl.zscore, composite: composite.zscore },
  }),
  row({
    name: 'scale', args: ['x'], kind: cs,
    doc: 'x / sum(|x|) across stocks at each bar; NaN where that sum is 0.',
    kernels: { cpu: cpu.scale, webgpu: webgpu.scale, webgl: webgl.scale, composite: composite.scale },
  }),

  // Time series: windows count bars of the aligned panel.
  row({ name: 'delay', args: ['x'], kind: ts, lookback: lag, doc: 'x[t-n]; NaN for the first n bars.', kernels: { cpu: cpu.delay, webgpu: webgpu.delay, webgl: webgl.delay, composite: composite.delay } }),
  row({ name: 'delta', args: ['x'], kind: ts, lookback: lag, doc: 'x[t] - x[t-n].', kernels: { cpu: cpu.delta, webgpu: webgpu.delta, webgl: webgl.delta, composite: composite.delta } }),
  row({
    name: 'pctchange_ts', aliases: ['pctange_ts'], args: ['x'], kind: ts, lookback: lag,
    doc: 'x[t] / x[t-n] - 1; NaN when x[t-n] is 0.',
    kernels: { cpu: cpu.pctchange_ts, webgpu: webgpu.pctchange_ts, webgl: webgl.pctchange_ts, composite: composite.pctchange_ts },
  }),
  row({ name: 'ts_Sum', args: ['x'], kind: ts, doc: 'Sum over the last n bars.', kernels: { cpu: cpu.ts_sum, webgpu: webgpu.ts_sum, webgl: webgl.ts_sum, composite: composite.ts_sum } }),
  row({ name: 'ts_Mean', args: ['x'], kind: ts, doc: 'Mean over the last n bars.', kernels: { cpu: cpu.ts_mean, webgpu: webgpu.ts_mean, webgl: webgl.ts_mean, composite: composite.ts_mean } }),
  row({ name: 'ts_Max', args: ['x'], kind: ts, doc: 'Maximum over the last n bars.', kernels: { cpu: cpu.ts_max, webgpu: webgpu.ts_max, webgl: webgl.ts_max, composite: composite.ts_max } }),
  row({ name: 'ts_Min', args: ['x'], kind: ts, doc: 'Minimum over the last n bars.', kernels: { cpu: cpu.ts_min, webgpu: webgpu.ts_min, webgl: webgl.ts_min, composite: composite.ts_min } }),
  row({
    name: 'ts_ArgMax', args: ['x'], kind: ts,
    doc: 'Bars since the maximum of the last n bars (0 = now, up to n - 1); ties go to the most recent bar.',
    kernels: { cpu: cpu.ts_arg_max, webgpu: webgpu.ts_arg_max, webgl: webgl.ts_arg_max, composite: composite.ts_arg_max },
  }),
  row({
    name: 'ts_ArgMin', args: ['x'], kind: ts,
    doc: 'Bars since the minimum of the last n bars (0 = now, up to n - 1); ties go to the most recent bar.',
    kernels: { cpu: cpu.ts_arg_min, webgpu: webgpu.ts_arg_min, webgl: webgl.ts_arg_min, composite: composite.ts_arg_min },
  }),
  row({
    name: 'ts_Rank', args: ['x'], kind: ts,
    doc: 'Rank of x[t] within the last n bars, average 1-based rank of ties, divided by n, in (0, 1].',
    kernels: { cpu: cpu.ts_rank, webgpu: webgpu.ts_rank, webgl: webgl.ts_rank, composite: composite.ts_rank },
  }),
  row({
    name: 'stddev', args: ['x'], kind: ts, minWindow: 2,
    doc: 'Sample standard deviation (n - 1) over the last n bars; exactly 0 when the window is constant.',
    kernels: { cpu: cpu.stddev, webgpu: webgpu.stddev, webgl: webgl.stddev, composite: composite.stddev },
  }),
  row({
    name: 'ts_Skew', args: ['x'], kind: ts, minWindow: 3,
    doc: 'Sample skewness over the last n bars, adjusted Fisher-Pearson (as pandas rolling skew); NaN when the window is constant.',
    kernels: { cpu: cpu.ts_skew, webgpu: webgpu.ts_skew, webgl: webgl.ts_skew, composite: composite.ts_skew },
  }),
  row({
    name: 'EMA', args: ['x'], kind: ts,
    doc: 'Exponential moving average over a finite window of n bars: weights (1-a)^k for the bar k back, a = 2/(n+1), normalised to sum 1.',
    kernels: { cpu: cpu.ema, webgpu: webgpu.ema, webgl: webgl.ema, composite: composite.ema },
  }),
  row({
    name: 'decay_linear', args: ['x'], kind: ts,
    doc: 'Linearly decaying average over n bars: weights n (now) down to 1 (oldest), normalised to sum 1.',
    kernels: { cpu: cpu.decay_linear, webgpu: webgpu.decay_linear, webgl: webgl.decay_linear, composite: composite.decay_linear },
  }),
  row({
    name: 'covariance', args: ['x', 'y'], kind: ts, minWindow: 2,
    doc: 'Sample covariance (n - 1) of x and y over the last n bars; both must be present at every bar.',
    kernels: { cpu: cpu.covariance, webgpu: webgpu.covariance, webgl: webgl.covariance, composite: composite.covariance },
  }),
  row({
    name: 'correlation', args: ['x', 'y'], kind: ts, minWindow: 2,
    doc: 'Pearson correlation of x and y over the last n bars; NaN when x or y is constant over the window.',
    kernels: { cpu: cpu.correlation, webgpu: webgpu.correlation, webgl: webgl.correlation, composite: composite.correlation },
  }),
  row({
    name: 'REGbeta_ts', args: ['x', 'y'], kind: ts, minWindow: 2,
    doc: 'Least-squares slope of x regressed on y over the last n bars, cov(x, y) / var(y); NaN when y is constant.',
    kernels: { cpu: cpu.reg_beta_ts, webgpu: webgpu.reg_beta_ts, webgl: webgl.reg_beta_ts, composite: composite.reg_beta_ts },
  }),
  row({
    name: 'REGresid_ts', args: ['x', 'y'], kind: ts, minWindow: 2,
    doc: 'Residual now of that regression: x[t] - (a + b * y[t]) with the window fit\'s intercept a and slope b; NaN when y is constant.',
    kernels: { cpu: cpu.reg_resid_ts, webgpu: webgpu.reg_resid_ts, webgl: webgl.reg_resid_ts, composite: composite.reg_resid_ts },
  }),
]);

const byName = new Map<string, OpSpec>();
for (const op of OPS) {
  for (const key of [op.name, ...op.aliases]) {
    if (byName.has(key)) throw new Error(`operator table: '${key}' is defined twice`);
    byName.set(key, op);
  }
}

/** The row for a canonical name or an alias, or undefined. */
export function lookupOp(name: string): OpSpec | undefined {
  return byName.get(name);
}

/** The row for a canonical name; throws for an unknown one (a programming error, not user input). */
export function getOp(name: string): OpSpec {
  const op = byName.get(name);
  if (!op || op.name !== name) throw new Error(`unknown canonical operator '${name}'`);
  return op;
}

/** All names the parser accepts (canonical names and aliases). */
export function allOpNames(): string[] {
  return [...byName.keys()];
}
