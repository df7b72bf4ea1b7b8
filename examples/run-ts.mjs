#!/usr/bin/env node
// Runs a TypeScript example without a build step: bundles it with esbuild (installed with the
// dev dependencies, as tsup's) and runs the bundle. `dockerfile-llb` imports resolve to this
// repository's src/, so examples run against the code they document.
//   node examples/run-ts.mjs examples/graph-api/build.ts [args...]
import { build } from 'esbuild';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  process.stderr.write('usage: node examples/run-ts.mjs FILE.ts [args...]\n');
  process.exit(2);
}
const dir = mkdtempSync(path.join(tmpdir(), 'dfllb-example-'));
const out = path.join(dir, 'example.mjs');
try {
  await build({
    entryPoints: [path.resolve(entry)],
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    outfile: out,
    logLevel: 'error',
    alias: { 'dockerfile-llb': path.join(root, 'src/index.ts') },
  });
  process.argv = [process.argv[0], path.resolve(entry), ...args];
  await import(pathToFileURL(out).href);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
