/// <reference types="node" />
/**
 * Vite config of the explorer page (`npm run explorer`, `npm run explorer:build`).
 *
 * `dockerfile-llb` resolves to the library's own entry point (`src/index.ts`), so the page always
 * runs the code of this checkout, through its public API only, and the bundler tree-shakes it.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: here,
  // Relative asset URLs: the static site works from any folder of any web server.
  base: './',
  resolve: {
    alias: { 'dockerfile-llb': fileURLToPath(new URL('../src/index.ts', import.meta.url)) },
  },
  server: { fs: { allow: [fileURLToPath(new URL('..', import.meta.url))] } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    reportCompressedSize: false,
    chunkSizeWarningLimit: 2048,
    // Rolldown's note on slow plugins is noise on a busy 2-core machine.
    rolldownOptions: { checks: { bundlerTimings: false } },
  },
  logLevel: 'warn',
});
