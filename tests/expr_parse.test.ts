/**
 * The expression language: parsing every operator of the table, aliases and dialects, canonical printing and
 * round trips on random trees, and each kind of ParseError with its exact column.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from '../src/expr/parse.ts';
import { print } from '../src/expr/print.ts';
import { ParseError } from '../src/expr/errors.ts';
import { type Node, STANDARD_FIELDS, call, constant, field } from '../src/expr/ast.ts';
import { OPS } from '../src/ops/table.ts';
import { MAX_WINDOW } from '../src/ops/types.ts';
import { lookback } from '../src/expr/analyze.ts';
import { mulberry32 } from '../src/util/rng.ts';
import { SEED_FACTORS, missing } from './support/paths.ts';

function sample(opName: string): string {
  const op = OPS.find((o) => o.name === opName)!;
  const args = op.args.map((_, i) => STANDARD_FIELDS[i]);
  return `${op.name}(${[...(op.windowed ? [String(Math.max(op.minWindow, 5))] : []), ...args].join(',')})`;
}

test('every operator of the table parses and prints back to itself', () => {
  for (const op of OPS) {
    const text = sample(op.name);
    const tree = parse(text);
    assert.equal(tree.kind, 'call');
    assert.equal(print(tree), text, op.name);
  }
});

test('aliases and dialects parse to canonical operators', () => {
  assert.equal(print(parse('actan(close)')), 'arctan(close)');
  assert.equal(print(parse('pctange_ts(3,close)')), 'pctchange_ts(3,close)');
  assert.equal(print(parse('SIGN(volume)')), 'sign(volume)');
  assert.equal(print(parse('close_Lag5')), 'delay(5,close)');
  assert.equal(
    print(parse('mul(div(log(abs(total_turnover_Lag1)),SIGN(volume_Lag20)),high)', { fields: [...STANDARD_FIELDS, 'total_turnover'] })),
    'mul(div(log(abs(delay(1,total_turnover))),sign(delay(20,volume))),high)',
  );
});

test('canonical text drops spaces and normalises numbers', () => {
  assert.equal(print(parse(' add( close ,\t1.50 ) ')), 'add(close,1.5)');
  assert.equal(print(parse('mul(close,1e3)')), 'mul(close,1000)');
  assert.equal(print(parse('mul(close,-0.0)')), 'mul(close,0)');
  assert.equal(print(parse('add(close,.25)')), 'add(close,0.25)');
  assert.equal(print(parse('ts_Mean(8.0,low)')), 'ts_Mean(8,low)');
  assert.equal(print(parse('sub(close,-2)')), 'sub(close,-2)');
});

function randomTree(rng: () => number, depth: number): Node {
  if (depth === 0 || rng() < 0.25) {
    return rng() < 0.8 ? field(STANDARD_FIELDS[Math.floor(rng() * STANDARD_FIELDS.length)]) : constant(Math.round((rng() - 0.5) * 1e4) / 100);
  }
  const op = OPS[Math.floor(rng() * OPS.length)];
  const args = op.args.map(() => randomTree(rng, depth - 1));
  return call(op.name, args, op.windowed ? op.minWindow + Math.floor(rng() * 20) : undefined);
}

test('parse(print(t)) gives back the same tree, and print is idempotent', () => {
  const rng = mulberry32(7);
  for (let i = 0; i < 500; i++) {
    const t = randomTree(rng, 5);
    const text = print(t);
    const back = parse(text);
    assert.deepEqual(back, t, text);
    assert.equal(print(back), text);
  }
});

function parseError(text: string, fields?: string[]): ParseError {
  try {
    parse(text, fields ? { fields } : {});
  } catch (e) {
    assert.ok(e instanceof ParseError, `expected ParseError for ${text}, got ${e}`);
    return e;
  }
  assert.fail(`expected '${text}' to fail`);
}

test('errors carry the 1-based column of the offending text and a caret', () => {
  let e = parseError('sub(close,ts_mean(8,low))');
  assert.equal(e.column, 11);
  assert.match(e.reason, /unknown operator 'ts_mean'; did you mean 'ts_Mean'\?/);
  assert.equal(e.caret(), 'sub(close,ts_mean(8,low))\n          ^^^^^^^');
  assert.match(e.format(3), /^3:11: unknown operator/);

  e = parseError('add(close)');
  assert.equal(e.column, 1);
  assert.match(e.reason, /add\(x,y\) takes 2 arguments, got 1/);
  e = parseError('neg(close,open)');
  assert.equal(e.column, 11);
  assert.match(e.reason, /takes 1 argument, got 2; this argument is extra/);
  e = parseError('ts_Mean(2.5,low)');
  assert.equal(e.column, 9);
  assert.match(e.reason, /window must be a positive integer, found '2.5'/);
  e = parseError('ts_Mean(0,low)');
  assert.equal(e.column, 9);
  e = parseError(`ts_Mean(${MAX_WINDOW + 1},low)`);
  assert.match(e.reason, new RegExp(`above the maximum of ${MAX_WINDOW}`));
  e = parseError('ts_Mean(low,8)');
  assert.equal(e.column, 9);
  assert.match(e.reason, /needs a window first/);
  e = parseError('stddev(1,close)');
  assert.match(e.reason, /at least 2/);
  e = parseError('add(close,open))');
  assert.equal(e.column, 16);
  assert.match(e.reason, /unbalanced parentheses/);
  e = parseError('add(close,neg(open)');
  assert.equal(e.column, 4);
  assert.match(e.reason, /unbalanced parentheses: this '\(' is never closed/);
  e = parseError('add(close,open) high');
  assert.equal(e.column, 17);
  assert.match(e.reason, /unexpected 'high' after a complete expression/);
  e = parseError('add(close,opne)');
  assert.equal(e.column, 11);
  assert.match(e.reason, /unknown field 'opne'; did you mean 'open'\?/);
  e = parseError('add(close,turn)');
  assert.match(e.reason, /unknown field 'turn'/);
  assert.equal(print(parse('add(close,turn)', { fields: ['close', 'turn'] })), 'add(close,turn)');
  e = parseError('rank');
  assert.match(e.reason, /operator 'rank' needs arguments: rank\(x\)/);
  e = parseError('add(close,,open)');
  assert.equal(e.column, 11);
  e = parseError('add(close;open)');
  assert.equal(e.column, 10);
  assert.match(e.reason, /unexpected character ';'/);
  e = parseError('   ');
  assert.match(e.reason, /empty expression/);
});

test('lookback adds windows along the deepest path', () => {
  assert.equal(lookback(parse('sub(close,ts_Mean(8,low))')), 7);
  assert.equal(lookback(parse('stddev(6,delta(11,log(volume)))')), 16);
  assert.equal(lookback(parse('add(delay(3,close),ts_Max(10,open))')), 9);
});

test('the report\'s 100 factors: lines 49, 51 and 92 have unbalanced parentheses, the other 97 parse', (t) => {
  const why = missing(SEED_FACTORS);
  if (why) return t.skip(why);
  const lines = readFileSync(SEED_FACTORS, 'utf8').split(/\r?\n/).filter((l) => l.trim());
  assert.equal(lines.length, 100);
  const failed: number[] = [];
  lines.forEach((line, i) => {
    try {
      const tree = parse(line);
      assert.equal(print(parse(print(tree))), print(tree));
    } catch (e) {
      assert.ok(e instanceof ParseError);
      assert.match(e.reason, /unbalanced parentheses/, `line ${i + 1}: ${e.reason}`);
      failed.push(i + 1);
    }
  });
  assert.deepEqual(failed, [49, 51, 92]);
});
