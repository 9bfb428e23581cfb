/**
 * Expression trees: the plain data a factor is. Leaves are fields and numeric constants; inner nodes call an
 * operator of the table by its canonical name. Trees carry no source positions: identity is canonical text
 * (see `print.ts`), so trees built by the parser and by the GP miner are interchangeable.
 */

export interface FieldNode {
  readonly kind: 'field';
  readonly name: string;
}

export interface ConstNode {
  readonly kind: 'const';
  readonly value: number;
}

export interface CallNode {
  readonly kind: 'call';
  /** Canonical operator name (a key of the operator table). */
  readonly op: string;
  /** Window for windowed operators, else undefined. */
  readonly window?: number;
  readonly args: readonly Node[];
}

export type Node = FieldNode | ConstNode | CallNode;

export const field = (name: string): FieldNode => ({ kind: 'field', name });
export const constant = (value: number): ConstNode => ({ kind: 'const', value });
export const call = (op: string, args: readonly Node[], window?: number): CallNode =>
  window === undefined ? { kind: 'call', op, args } : { kind: 'call', op, window, args };

/** Fields every bar file is expected to offer (others are allowed when the data has them). */
export const STANDARD_FIELDS: readonly string[] = ['open', 'high', 'low', 'close', 'volume', 'amount', 'vwap'];
