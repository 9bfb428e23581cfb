#!/usr/bin/env node
// Entry point for `npx alphaflow`: runs the TypeScript sources through tsx in a checkout, or the compiled
// dist/ build when tsx is not installed (a consumer's production install).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = new URL('..', import.meta.url);
const src = fileURLToPath(new URL('src/cli/main.ts', root));
let main;
try {
  const { register } = await import('tsx/esm/api');
  if (!existsSync(src)) throw new Error('no sources');
  register();
  ({ main } = await import(new URL('src/cli/main.ts', root).href));
} catch {
  ({ main } = await import(new URL('dist/src/cli/main.js', root).href));
}
process.exitCode = await main(process.argv.slice(2));
