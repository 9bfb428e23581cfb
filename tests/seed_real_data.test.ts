/**
 * The seed factors on real market data: the 100 factors of `seed_30min_100.txt` (three of which, lines 49, 51
 * and 92, have unbalanced parentheses and must be rejected with a ParseError) evaluated on the real 30-minute
 * A-share bars through `evaluateToArrays`, each compared cell by cell with the naive float64 reference
 * evaluated on the same float32 field values, over the full panel (all bars, all stocks, so cross-sectional
 * ranks see every stock). Every factor must match in >= 99% of cells; five factors that amplify the evaluator's
 * float32 storage of intermediates are listed in FLOAT32_SENSITIVE with the reason, and are held to the same 99%
 * against the reference that rounds intermediates to float32 instead. The data lives outside the project in
 * `../shared/` (it may not be committed); the tests skip with a message when it is absent.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from '../src/expr/parse.ts';
import { print } from '../src/expr/print.ts';
import { ParseError } from '../src/expr/errors.ts';
import { STANDARD_FIELDS, type Node } from '../src/expr/ast.ts';
import { loadBars } from '../src/data/csv.ts';
import { evaluateToArrays } from '../src/eval/evaluate.ts';
import type { Panel } from '../src/data/panel.ts';
import { evaluateReference, nodeKey, refParse } from './support/reference.ts';

const SHARED = fileURLToPath(new URL('../../shared/', import.meta.url));
const FACTORS = `${SHARED}factors/seed_30min_100.txt`;
const BARS = `${SHARED}data/ashare_15min_sse/bars_30min.csv.gz`;

/** 1-based line numbers of the seed factors with unbalanced parentheses. */
const BROKEN_LINES = new Set([49, 51, 92]);
const MIN_MATCH = 0.99;

/**
 * Factors whose value in exact (float64) arithmetic differs from the one the evaluator can give, because the
 * evaluator stores every intermediate result as float32 (tfjs tensors) and these factors amplify that rounding.
 * They are still checked, against the reference with every intermediate rounded to float32 (see
 * `float32Intermediates`), and must match it in >= 99% of cells; their float64 match rate is printed.
 */
const FLOAT32_SENSITIVE = new Map<number, string>([
  [2, 'sig(close) is exactly 1 in float32 for prices above ~17, so correlation(11,sig(close),...) is NaN (constant operand)'],
  [24, 'arctan(volume) rounds to float32(pi/2) for volumes above ~1e7, so rank(arctan(volume)) is all ties'],
  [41, 'arctan(close) sits within 1/close of pi/2, where float32 steps are 1.2e-7: the correlation sees a quantised series'],
  [62, 'log(add(low,close)) is nearly flat over 6 bars; its float32 rounding decides the slope, and is exactly flat in places'],
  [67, 'arctan(sqrt(vwap)) is nearly flat near pi/2; its float32 rounding dominates the 6-bar regression on it'],
]);

/** Keys of every subtree of a tree (including itself). */
function subtreeKeys(node: Node, into: Set<string>): Set<string> {
  into.add(nodeKey(node));
  if (node.kind === 'call') for (const a of node.args) subtreeKeys(a, into);
  return into;
}

interface MatchStats {
  rate: number;
  present: number;
  nanMismatch: number;
  example: string;
}

/** Share of cells where both are NaN or the relative error is at most 1e-3 (absolute below |ref| = 1e-3). */
function matchStats(panel: Panel, got: Float32Array, ref: Float64Array): MatchStats {
  const cells = panel.T * panel.N;
  let match = 0;
  let present = 0;
  let nanMismatch = 0;
  let firstNanMismatch = -1;
  let worstCell = -1;
  let worstErr = 1e-3;
  for (let i = 0; i < cells; i++) {
    const r = ref[i]!;
    const v = got[i]!;
    const rNaN = r !== r;
    const vNaN = v !== v;
    if (!rNaN) present++;
    if (rNaN || vNaN) {
      if (rNaN && vNaN) match++;
      else {
        nanMismatch++;
        if (firstNanMismatch < 0) firstNanMismatch = i;
      }
      continue;
    }
    const err = Math.abs(v - r) / Math.max(Math.abs(r), 1e-3);
    if (err <= 1e-3) match++;
    else if (err > worstErr) {
      worstErr = err;
      worstCell = i;
    }
  }
  const at = firstNanMismatch >= 0 ? firstNanMismatch : worstCell;
  const example =
    at < 0
      ? ''
      : `cell (t=${Math.floor(at / panel.N)} ${panel.times[Math.floor(at / panel.N)]}, ${panel.codes[at % panel.N]}) expected ${ref[at]}, got ${got[at]}`;
  return { rate: match / cells, present, nanMismatch, example };
}

function skipUnless(t: { skip(msg?: string): void }, ...paths: string[]): boolean {
  const missing = paths.filter((p) => !existsSync(p));
  if (missing.length === 0) return false;
  const msg = `real data not available (missing ${missing.join(', ')}); skipping`;
  console.log(msg);
  t.skip(msg);
  return true;
}

function seedLines(): string[] {
  const lines = readFileSync(FACTORS, 'utf8').split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1]!.trim() === '') lines.pop();
  return lines;
}

/** The 97 parseable seeds as (line number, text, tree from the project's parser). */
function parsedSeeds(): { line: number; text: string; node: Node }[] {
  return seedLines()
    .map((text, k) => ({ line: k + 1, text }))
    .filter((s) => !BROKEN_LINES.has(s.line))
    .map((s) => ({ ...s, node: parse(s.text, { fields: STANDARD_FIELDS }) }));
}

test('seed factors: lines 49, 51 and 92 throw ParseError, the other 97 parse to the intended trees', (t) => {
  if (skipUnless(t, FACTORS)) return;
  const lines = seedLines();
  assert.equal(lines.length, 100, 'the seed file has 100 factors');
  let parsed = 0;
  lines.forEach((text, k) => {
    const line = k + 1;
    if (BROKEN_LINES.has(line)) {
      let depth = 0;
      for (const c of text) depth += c === '(' ? 1 : c === ')' ? -1 : 0;
      assert.notEqual(depth, 0, `line ${line} should have unbalanced parentheses (test data changed?)`);
      assert.throws(() => refParse(text), `the reference parser accepts broken line ${line}`);
      assert.throws(
        () => parse(text, { fields: STANDARD_FIELDS }),
        (e: unknown) => {
          assert.ok(e instanceof ParseError, `line ${line}: expected a ParseError, got ${String(e)}`);
          assert.ok(Number.isInteger(e.column) && e.column >= 1 && e.column <= text.length + 1, `line ${line}: column ${e.column}`);
          return true;
        },
        `line ${line} must not parse`,
      );
      return;
    }
    const node = parse(text, { fields: STANDARD_FIELDS });
    // Same tree as the independent reference parser, and printing gives the text back.
    assert.equal(nodeKey(node), nodeKey(refParse(text)), `line ${line}: tree differs from the reference parse`);
    assert.equal(print(node).replace(/\s+/g, ''), text.replace(/\s+/g, ''), `line ${line}: print(parse(text))`);
    parsed++;
  });
  assert.equal(parsed, 97);
});

test('seed factors on real 30-minute bars match the float64 reference in >= 99% of cells (the 5 float32-sensitive ones: with float32 intermediates)', async (t) => {
  if (skipUnless(t, FACTORS, BARS)) return;
  const t0 = performance.now();
  const panel = await loadBars(BARS);
  const tLoad = performance.now();
  assert.ok(panel.T > 2000 && panel.N === 300, `unexpected panel shape ${panel.T} x ${panel.N}`);
  const seeds = parsedSeeds();
  assert.equal(seeds.length, 97);
  const got = await evaluateToArrays(panel, seeds.map((s) => s.node));
  const tEval = performance.now();
  assert.equal(got.length, seeds.length);

  // One reference cache for all factors; a subtree is dropped after the last factor that contains it.
  const lastUse = new Map<string, number>();
  seeds.forEach((s, k) => subtreeKeys(s.node, new Set()).forEach((key) => lastUse.set(key, k)));
  const cache = new Map<string, Float64Array>();
  const cells = panel.T * panel.N;
  const rows: ({ line: number; text: string; f32?: MatchStats } & MatchStats)[] = [];
  seeds.forEach((s, k) => {
    const ref = evaluateReference(panel, s.node, {}, cache);
    for (const key of [...cache.keys()]) if (lastUse.get(key)! <= k) cache.delete(key);
    assert.equal(got[k]!.length, cells, `line ${s.line}: output length`);
    rows.push({ line: s.line, text: s.text, ...matchStats(panel, got[k]!, ref) });
  });
  // The float32-sensitive factors, also against the reference that rounds every intermediate to float32.
  const f32cache = new Map<string, Float64Array>();
  for (const row of rows) {
    if (!FLOAT32_SENSITIVE.has(row.line)) continue;
    const k = seeds.findIndex((s) => s.line === row.line);
    const ref = evaluateReference(panel, seeds[k]!.node, { float32Intermediates: true }, f32cache);
    row.f32 = matchStats(panel, got[k]!, ref);
  }
  const tRef = performance.now();

  rows.sort((a, b) => a.rate - b.rate);
  const pct = (x: number) => `${(100 * x).toFixed(3)}%`;
  const fmt = (r: (typeof rows)[number]) =>
    `  line ${r.line}: ${pct(r.rate)} match (float64 reference)` +
    `${r.f32 ? `, ${pct(r.f32.rate)} (float32 intermediates)` : ''}, ${r.present} reference values, ` +
    `${r.nanMismatch} NaN-pattern mismatches${r.example ? `; worst ${r.example}` : ''}\n    ${r.text}`;
  console.log(
    `seed factors on ${panel.T} x ${panel.N}: load ${((tLoad - t0) / 1000).toFixed(1)} s, evaluateToArrays ${((tEval - tLoad) / 1000).toFixed(1)} s, ` +
      `reference ${((tRef - tEval) / 1000).toFixed(1)} s\nworst match rates:\n${rows.slice(0, 10).map(fmt).join('\n')}`,
  );
  const empty = rows.filter((r) => r.present === 0);
  assert.equal(empty.length, 0, `factors NaN everywhere in the reference:\n${empty.map(fmt).join('\n')}`);
  const failing = rows.filter((r) => (r.f32 ? r.f32.rate < MIN_MATCH && r.rate < MIN_MATCH : r.rate < MIN_MATCH));
  assert.equal(
    failing.length,
    0,
    `factors below ${100 * MIN_MATCH}% matching cells:\n${failing
      .map((r) => `${fmt(r)}${FLOAT32_SENSITIVE.has(r.line) ? `\n    (float32-sensitive: ${FLOAT32_SENSITIVE.get(r.line)})` : ''}`)
      .join('\n')}`,
  );
});
