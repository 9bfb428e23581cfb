/**
 * The library surface of alphaflow: parse and print factor expressions, read the operator table, load bars and
 * evaluate factors. Everything but `loadBars` (which reads files with node:fs) is runtime-neutral: the
 * browser parses dropped files with `parseBarsCsvAsync`.
 */
export type { Node, FieldNode, ConstNode, CallNode } from './expr/ast.ts';
export { field, constant, call, STANDARD_FIELDS } from './expr/ast.ts';
export { parse, type ParseOptions } from './expr/parse.ts';
export { print, formatNumber } from './expr/print.ts';
export { ParseError } from './expr/errors.ts';
export { lookback, depth, size, fieldsOf } from './expr/analyze.ts';
export { OPS, lookupOp, getOp } from './ops/table.ts';
export type { OpSpec, OpKind, HostKernel, HostKernelArgs } from './ops/types.ts';
export { MAX_WINDOW } from './ops/types.ts';
export type { Panel } from './data/panel.ts';
export { makePanel } from './data/panel.ts';
export { DataError, parseBarsText, parseBarsCsvAsync, BarsCsvParser, isGzip } from './data/csv_parse.ts';
export { loadBars, parseBarsCsv } from './data/csv.ts';
export { loadData, parseData, detectFormat, type LoadOptions } from './data/load.ts';
export { detectFrequency, parseFrequency, resample } from './data/frequency.ts';
export { loadAttributes, parseAttributes, alignAttributes } from './data/attributes.ts';
export { tradingDays, type TradingDays } from './data/calendar.ts';
export { computeLabels, dailyFactor, execPrices, type ExecPrice, type LabelOptions, type Labels } from './data/labels.ts';
export { neutralize, parseNeutralize, logFloatCap } from './data/neutralize.ts';
export { parseUniverse, restrictPanel } from './data/universe.ts';
export { splitDays, parseSplitArgs, segmentRows, purgeLabels, DEFAULT_SPLIT, type Segment, type SplitSpec } from './data/splits.ts';
export { generateMarket, type SynthOptions, type SyntheticMarket } from './data/synth.ts';
export { Evaluator, EvalError, evaluateToArrays } from './eval/evaluate.ts';
export { initBackend, releaseBackend, registerOpKernels, BACKENDS, type BackendName, DeviceError, DeviceLimitError, panelNeed, type DeviceNeed } from './eval/backend.ts';
export { EvalPool, availableCores } from './eval/pool.ts';
export { mulberry32, type Rng, type StatefulRng } from './util/rng.ts';
export {
  factorMetrics, populationMetrics, populationMetricsTensor, icDecay, factorCorrelation,
  type MetricOptions, type DailySeries, type FactorSummary,
} from './fitness/metrics.ts';
export { registerFitness, getFitness, passes } from './fitness/registry.ts';
export { runMetricKernel, METRIC_KERNELS, type MetricPath } from './fitness/metric_kernels.ts';
export { Scorer, type ScoreSetup, type ScoreResult } from './eval/scorer.ts';
export { resolvePrimitives, GpConfigError, type GpPrimitives, type PrimitiveOptions } from './gp/primitives.ts';
export { randomTree, rampedHalfAndHalf, isValidTree } from './gp/generate.ts';
export { crossover, subtreeMutation, pointMutation, hoistMutation, windowMutation } from './gp/variation.ts';
export { tournament, roulette, elite } from './gp/select.ts';
export { DEFAULT_CONFIG, resolveConfig, MineConfigError, type MineConfig } from './mine/config.ts';
export {
  mine, mineGenerations,
  type MineOptions, type MineEvent, type MineResult, type Checkpoint, type GenerationRecord, type PoolMember, type StopReason,
} from './mine/miner.ts';
