/**
 * Regenerates the generated parts of the docs (the README's operator reference) from the operator table.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { withOperatorReference } from '../src/ops/reference_doc.ts';

const path = fileURLToPath(new URL('../README.md', import.meta.url));
const before = readFileSync(path, 'utf8');
const after = withOperatorReference(before);
if (after !== before) {
  writeFileSync(path, after);
  console.log('README.md: operator reference updated');
} else console.log('README.md: operator reference already up to date');
