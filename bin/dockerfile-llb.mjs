#!/usr/bin/env node
// Thin launcher: the CLI itself is bundled into dist/cli.js by `npm run build`.
import { fileURLToPath } from 'node:url';

const cli = new URL('../dist/cli.js', import.meta.url);

let main;
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
