/**
 * Vite build of the browser app in web/ (`npm run web` serves it, `npm run build:web` writes dist/web/). The
 * base is relative so the built folder works from any static path (a sub-folder of a site, a file share). The
 * mining worker is an ES module worker because it loads backends with dynamic imports, which classic workers
 * cannot split into chunks. Optional Node-only packages that src/eval/backend.ts names in variables
 * (tfjs-node, Dawn's `webgpu` binding) are never resolved by the bundler, so nothing here has to exclude them.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const POOL = fileURLToPath(new URL('./src/eval/pool.ts', import.meta.url));
const NO_POOL = fileURLToPath(new URL('./web/no-pool.ts', import.meta.url));

/** Replaces the Node/Deno worker pool with web/no-pool.ts (that file says why). */
function singleThreaded(): Plugin {
  return {
    name: 'alphaflow-single-threaded',
    enforce: 'pre',
    async resolveId(source, importer, options) {
      if (!/(^|\/)pool\.ts$/.test(source)) return null;
      const resolved = await this.resolve(source, importer, { ...options, skipSelf: true });
      return resolved?.id === POOL ? NO_POOL : null;
    },
  };
}

export default defineConfig({
  plugins: [singleThreaded()],
  root: 'web',
  base: './',
  build: {
    outDir: '../dist/web',
    emptyOutDir: true,
    target: 'es2022',
    // tfjs-core alone is over the 500 kB default; the warning says nothing useful about this app.
    chunkSizeWarningLimit: 2000,
  },
  worker: { format: 'es', plugins: () => [singleThreaded()] },
});
