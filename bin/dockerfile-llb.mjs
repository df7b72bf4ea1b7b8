#!/usr/bin/env node
// Thin launcher: the CLI itself is built into dist/ by `npm run build`.
//
// Start-up is most of the time of a small compile, so the CLI is loaded the fastest way there is
// (see scripts/build-cli.mjs): dist/cli.bundle.js, one script compiled with the V8 code cache the
// build made for this V8 when there is one; else dist/cli.js, the ES module (with Node's own
// compile cache, on a Node that has one). Node's modules are taken with process.getBuiltinModule
// where it exists (Node 20.16+): an `import` of node:fs builds an ES module facade of all of fs,
// which loads Node's streams just to list them.
const builtin = process.getBuiltinModule ?? (await import('node:module')).createRequire(import.meta.url);
const { existsSync, readFileSync } = builtin('node:fs');
const { dirname } = builtin('node:path');
const { fileURLToPath } = builtin('node:url');

const cli = new URL('../dist/cli.js', import.meta.url);
const bundle = fileURLToPath(new URL('../dist/cli.bundle.js', import.meta.url));

/** The CLI's `main` from the bundle, or undefined when there is no bundle. */
function loadBundle() {
  let source;
  try {
    source = readFileSync(bundle, 'utf8');
  } catch {
    return undefined;
  }
  const cachePath = bundle.replace(/\.js$/, `.${process.versions.v8}-${process.arch}.cache`);
  const cachedData = existsSync(cachePath) ? readFileSync(cachePath) : undefined;
  const script = new (builtin('node:vm').Script)(source, { filename: bundle, cachedData });
  const mod = { exports: {} };
  script.runInThisContext()(mod.exports, builtin('node:module').createRequire(bundle), mod, bundle, dirname(bundle));
  return mod.exports.main;
}

let main = loadBundle();
if (!main) {
  // Node 22.1+ caches compiled ES modules itself.
  builtin('node:module').enableCompileCache?.();
  try {
    ({ main } = await import(cli.href));
  } catch (err) {
    // A clone that was never built has no dist/: say how to build, not a module-loader stack.
    if (err && err.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes(fileURLToPath(cli))) {
      process.stderr.write('dockerfile-llb: the CLI is not built (dist/cli.js is missing): run npm run build\n');
      process.exit(1);
    }
    throw err;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`dockerfile-llb: internal error: ${err && err.message ? err.message : err}\n`);
    if (process.env.DEBUG && err && err.stack) process.stderr.write(`${err.stack}\n`);
    process.exitCode = 70;
  },
);
