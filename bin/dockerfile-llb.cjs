#!/usr/bin/env node
'use strict';
// Thin launcher: the CLI itself is built into dist/ by `npm run build`.
//
// Start-up is most of the time of a small compile, so the CLI is loaded the fastest way there is
// (see scripts/build-cli.mjs): dist/cli.bundle.js, one ASCII script read as latin1 (one byte a
// character, no UTF-8 decoding) and compiled with the V8 code cache the build made for this V8
// when there is one; else dist/cli.js, the ES module. This file is CommonJS and does its work
// synchronously: an ES module entry costs Node's module loader (a few ms) before the first line.
//
// There are two caches: one warmed by a small compile, for a small Dockerfile (V8 reads all of a
// cache at once, so functions a small compile does not run would only cost it), and one warmed
// by compiles that take every common path, for a Dockerfile named by -f that is large (a large
// file runs those paths anyway, and compiling them itself costs it more).
const { readFileSync, statSync } = require('node:fs');
const { join } = require('node:path');

const dist = join(__dirname, '..', 'dist');
const bundle = join(dist, 'cli.bundle.js');

/** Dockerfiles of at least this many bytes get the large cache (LARGE_DOCKERFILE in src/cli/heap.ts). */
const LARGE_DOCKERFILE = 64 * 1024;

/**
 * Whether the arguments name a Dockerfile with -f or --file (as src/cli/args.ts reads them) of
 * at least LARGE_DOCKERFILE bytes. A guess that only chooses a cache: the CLI itself checks the
 * arguments.
 */
function largeDockerfile(argv) {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    let path;
    if (a === '--') return false;
    if (a === '-f' || a === '--file') path = argv[i + 1];
    else if (a.startsWith('--file=')) path = a.slice('--file='.length);
    else if (a.startsWith('-f')) path = a.slice(a[2] === '=' ? 3 : 2);
    else continue;
    try {
      return path !== undefined && path !== '-' && statSync(path).size >= LARGE_DOCKERFILE;
    } catch {
      return false;
    }
  }
  return false;
}

/** The CLI's `main` from the bundle, or undefined when there is no bundle. */
function loadBundle() {
  let source;
  try {
    source = readFileSync(bundle, 'latin1');
  } catch {
    return undefined;
  }
  let cachedData;
  try {
    const kind = largeDockerfile(process.argv.slice(2)) ? '.large' : '';
    cachedData = readFileSync(join(dist, `cli.bundle.${process.versions.v8}-${process.arch}${kind}.cache`));
  } catch {
    cachedData = undefined;
  }
  const script = new (require('node:vm').Script)(source, { filename: bundle, cachedData });
  const mod = { exports: {} };
  // The bundle requires Node's own modules only (the build checks), so this file's require does.
  script.runInThisContext()(mod.exports, require, mod, bundle, dist);
  return mod.exports.main;
}

/** The CLI's `main` from dist/cli.js (the ES module the tests import). */
async function loadModule() {
  const cli = join(dist, 'cli.js');
  // Node 22.1+ caches compiled ES modules itself.
  require('node:module').enableCompileCache?.();
  try {
    return (await import(require('node:url').pathToFileURL(cli).href)).main;
  } catch (err) {
    // A clone that was never built has no dist/: say how to build, not a module-loader stack.
    if (err && err.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes(cli)) {
      process.stderr.write('dockerfile-llb: the CLI is not built (dist/cli.js is missing): run npm run build\n');
      process.exit(1);
    }
    throw err;
  }
}

function run(main) {
  main(process.argv.slice(2), { process: true }).then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      process.stderr.write(`dockerfile-llb: internal error: ${err && err.message ? err.message : err}\n`);
      if (process.env.DEBUG && err && err.stack) process.stderr.write(`${err.stack}\n`);
      process.exitCode = 70;
    },
  );
}

const main = loadBundle();
if (main) run(main);
else loadModule().then(run);
