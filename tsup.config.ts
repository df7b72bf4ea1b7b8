import { defineConfig } from 'tsup';

// The library's two entry points (the browser-safe core and the Node entry) and the CLI share
// one copy of every module (code splitting): an error thrown through `dockerfile-llb/node` is an
// instance of `DockerfileLlbError` from `dockerfile-llb`. Within each format, that is: ESM and
// CJS are separate module systems, each with its own shared chunks. One config, so that `clean`
// cannot race another build writing into dist/.
const library = { index: 'src/index.ts', node: 'src/node/index.ts' };

export default defineConfig({
  // cli.js is what bin/dockerfile-llb.cjs loads; cli.cjs is a by-product of the CJS format.
  entry: { ...library, cli: 'src/cli/main.ts' },
  format: ['esm', 'cjs'],
  dts: { entry: library, compilerOptions: { types: ['node'] } },
  tsconfig: 'tsconfig.node.json',
  sourcemap: true,
  clean: true,
  target: 'node20',
  platform: 'node',
  splitting: true,
});
