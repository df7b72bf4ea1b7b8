#!/usr/bin/env node
// Thin launcher: the CLI itself is bundled into dist/cli.js by `npm run build`.
import { main } from '../dist/cli.js';

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
