/**
 * The inputs and attributes of the metric kernels, checked and resolved once for every backend's
 * implementation: for `af_daily_metrics` and `af_factor_corr` a population `[F, D, N]`, optional label `[D, N]`,
 * and the day range clamped to the data (defaults: all days); for `af_take_rows` a panel and row indices.
 */
import type { NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';

export interface MetricArgs {
  readonly factors: TensorInfo;
  readonly F: number;
  readonly D: number;
  readonly N: number;
  readonly minStocks: number;
  readonly first: number;
  readonly last: number;
  /** Days first..last (0 when the range is empty). */
  readonly nDays: number;
}

export function metricArgs(kernel: string, inputs: NamedTensorInfoMap, attrs: NamedAttrMap | undefined): MetricArgs {
  const factors = inputs.factors;
  if (!factors || factors.shape.length !== 3) throw new Error(`${kernel}: factors must be [F, D, N], got [${factors?.shape}]`);
  const [F, D, N] = factors.shape;
  const first = Math.max(0, (attrs?.first as number | undefined) ?? 0);
  const last = Math.min(D - 1, (attrs?.last as number | undefined) ?? D - 1);
  return { factors, F, D, N, minStocks: attrs?.minStocks as number, first, last, nDays: Math.max(0, last - first + 1) };
}

/** metricArgs plus the label `[D, N]` and the number of groups, for `af_daily_metrics`. */
export function dailyMetricArgs(inputs: NamedTensorInfoMap, attrs: NamedAttrMap | undefined): MetricArgs & { label: TensorInfo; q: number } {
  const a = metricArgs('af_daily_metrics', inputs, attrs);
  const label = inputs.label;
  if (!label || label.shape[0] !== a.D || label.shape[1] !== a.N) throw new Error(`af_daily_metrics: label must be [${a.D}, ${a.N}], got [${label?.shape}]`);
  return { ...a, label, q: attrs?.groups as number };
}

/** The inputs of `af_take_rows`: a panel `x` `[T, N]` and int32 row indices `rows` `[R]`. */
export function takeRowsArgs(inputs: NamedTensorInfoMap): { x: TensorInfo; rows: TensorInfo; T: number; N: number; R: number } {
  const { x, rows } = inputs;
  if (!x || x.shape.length !== 2) throw new Error(`af_take_rows: x must be [T, N], got [${x?.shape}]`);
  if (!rows || rows.shape.length !== 1 || rows.dtype !== 'int32') throw new Error(`af_take_rows: rows must be int32 [R], got ${rows?.dtype} [${rows?.shape}]`);
  return { x, rows, T: x.shape[0]!, N: x.shape[1]!, R: rows.shape[0]! };
}
