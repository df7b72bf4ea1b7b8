// Parse-time benchmark: generated Dockerfiles of growing size, parse() and parseInstructions().
// Usage: node bench/parse.bench.mjs [lines]   (default 50000)
// Bundles src/ on the fly with esbuild (already installed as tsup's dependency).
import { build } from 'esbuild';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dir = mkdtempSync(path.join(tmpdir(), 'dfllb-bench-'));
const out = path.join(dir, 'front.mjs');
await build({
  stdin: {
    contents: "export * from './src/parser/index.ts'; export * from './src/instructions/index.ts';",
    resolveDir: root,
    loader: 'ts',
  },
  bundle: true,
  format: 'esm',
  platform: 'neutral',
  outfile: out,
  logLevel: 'error',
});
const { parse, parseInstructions } = await import(pathToFileURL(out).href);
rmSync(dir, { recursive: true, force: true });

/** A Dockerfile of about `n` lines mixing every construct the parser handles. */
function generate(n) {
  const blocks = [
    (i) => [`FROM alpine:3.20 AS s${i}`],
    (i) => [`# comment ${i}`, `ARG V${i}=1`],
    (i) => [`ENV K${i}="value ${i}" OTHER=\${V${i}:-x}`],
    (i) => [`RUN --mount=type=cache,target=/c${i} apk add \\`, `    curl \\`, `    git && echo ${i}`],
    (i) => [`COPY --chown=1:1 --chmod=755 a${i} b${i} /dst/`],
    (i) => [`RUN <<EOF`, `echo ${i}`, `EOF`],
    (i) => [`CMD ["sh", "-c", "echo ${i}"]`],
    (i) => [`LABEL a${i}=b c="d e"`],
    () => [''],
  ];
  const lines = ['# syntax=docker/dockerfile:1', 'FROM scratch'];
  for (let i = 0; lines.length < n; i++) lines.push(...blocks[i % blocks.length](i));
  return lines.join('\n') + '\n';
}

function time(fn, runs = 5) {
  const samples = [];
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    fn();
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(runs / 2)];
}

const target = Number(process.argv[2] ?? 50000);
for (const n of [target / 8, target / 4, target / 2, target].map(Math.round)) {
  const text = generate(n);
  parse(text); // warm up
  const tParse = time(() => parse(text));
  const tAll = time(() => parseInstructions(parse(text).ast));
  console.log(`${String(n).padStart(7)} lines  parse ${tParse.toFixed(1).padStart(7)} ms  parse+instructions ${tAll.toFixed(1).padStart(7)} ms`);
}
