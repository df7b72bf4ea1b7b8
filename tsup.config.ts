import { defineConfig } from 'tsup';

export default defineConfig([
  {
    // The library: core (browser-safe) and the Node entry point.
    entry: { index: 'src/index.ts', node: 'src/node/index.ts' },
    format: ['esm', 'cjs'],
    dts: { compilerOptions: { types: ['node'] } },
    tsconfig: 'tsconfig.node.json',
    sourcemap: true,
    clean: true,
    target: 'es2022',
    splitting: false,
  },
  {
    // The CLI bundle, loaded by bin/dockerfile-llb.mjs.
    entry: { cli: 'src/cli/main.ts' },
    format: ['esm'],
    sourcemap: true,
    target: 'node20',
    platform: 'node',
    tsconfig: 'tsconfig.node.json',
    splitting: false,
  },
]);
