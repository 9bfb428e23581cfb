/**
 * The web app's expression check (web/expr-check.ts) without a browser: what <af-expr-box> shows comes from the
 * library's parser, so the column and length of a mistake are the ParseError's, and valid text is reported in
 * canonical form with the tree's size, depth and lookback. Runs under Node and Deno.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkExpression } from '../web/expr-check.ts';

test('valid text: canonical form and tree measures', () => {
  assert.deepEqual(checkExpression(' sub( close , ts_Mean(8,low))'), {
    ok: true, canonical: 'sub(close,ts_Mean(8,low))', size: 4, depth: 3, lookback: 7,
  });
});

test('mistakes: the parser column and length, for the caret', () => {
  const r = checkExpression('sub(close,ts_mean(8,low))');
  assert.equal(r.ok, false);
  if (r.ok) return;
  assert.equal(r.column, 11);
  assert.equal(r.length, 'ts_mean'.length);
  assert.match(r.message, /unknown operator 'ts_mean'; did you mean 'ts_Mean'\?/);
  assert.equal(r.source, 'sub(close,ts_mean(8,low))');
  const field = checkExpression('sub(close,turn)', ['close']);
  assert.equal(field.ok, false);
  if (!field.ok) assert.equal(field.column, 11);
});
