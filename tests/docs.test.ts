/**
 * The README's operator reference is generated from the operator table and must match it, so documentation
 * cannot drift from behaviour (`npm run docs` regenerates it).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { OPS } from '../src/ops/table.ts';
import { withOperatorReference } from '../src/ops/reference_doc.ts';
import { PROJECT_ROOT } from './support/paths.ts';

test('README operator reference is up to date with the operator table', () => {
  const readme = readFileSync(`${PROJECT_ROOT}README.md`, 'utf8');
  assert.equal(withOperatorReference(readme), readme, 'README.md is stale: run `npm run docs`');
  for (const op of OPS) assert.ok(readme.includes(`\`${op.name}(`), `${op.name} missing from README`);
});

test('README quick start shows the test command', () => {
  const readme = readFileSync(`${PROJECT_ROOT}README.md`, 'utf8');
  assert.match(readme, /npm install\nnpm test/);
});
