/**
 * What <af-expr-box> shows about one expression text, from the library's parser and tree measures. A module of
 * its own so the page can load it lazily (the parser brings the operator table and its kernels with it) and so
 * it can be tested without a browser.
 */
import { parse } from '../src/expr/parse.ts';
import { print } from '../src/expr/print.ts';
import { depth, lookback, size } from '../src/expr/analyze.ts';
import { ParseError } from '../src/expr/errors.ts';

export type ExprCheck =
  | { ok: true; canonical: string; size: number; depth: number; lookback: number }
  | { ok: false; message: string; column: number; length: number; source: string };

export function checkExpression(text: string, fields?: Iterable<string>): ExprCheck {
  try {
    const node = parse(text, fields ? { fields } : {});
    return { ok: true, canonical: print(node), size: size(node), depth: depth(node), lookback: lookback(node) };
  } catch (e) {
    if (e instanceof ParseError) return { ok: false, message: e.reason, column: e.column, length: e.length, source: e.source };
    return { ok: false, message: (e as Error).message, column: 1, length: Math.max(1, text.length), source: text };
  }
}
