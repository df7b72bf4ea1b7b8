/**
 * One worker of the CLI fuzzer: runs the built CLI's `main` (dist/cli.js, the code the binary
 * runs) in this process on inputs start..start+count-1 of a seeded run, one after another.
 *
 * Usage: node cli-fuzz-worker.mjs '{"seed":1,"start":0,"count":100}'
 *
 * Writes one line per event to stdout, for the parent to follow:
 *   > I               input I starts (the parent's watchdog uses these)
 *   ! I CODE TEXT     input I exited with CODE, neither 0 nor 1; TEXT is JSON: {stderr, dockerfile}
 *   = JSON            the end: {n, codes, maxRssKb, slowest: {i, ms}, ms}
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { commandFor, input, loadSeeds } from './cli-fuzz.mjs';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const { seed, start, count } = JSON.parse(process.argv[2] ?? '{}');
const { main } = await import(join(repoRoot, 'dist/cli.js'));
const { seeds, imagesFlags } = loadSeeds(repoRoot);

const dir = mkdtempSync(join(tmpdir(), 'dfllb-fuzz-'));
const dockerfile = join(dir, 'Dockerfile');
writeFileSync(join(dir, 'hello.txt'), 'hello\n');
const sink = { write: () => true, isTTY: false };
const codes = {};
let slowest = { i: -1, ms: 0 };
const began = Date.now();
const say = (line) => process.stdout.write(`${line}\n`);

try {
  for (let i = start; i < start + count; i++) {
    say(`> ${i}`);
    const { text, r } = input(seed, i, seeds);
    writeFileSync(dockerfile, text);
    let stderr = '';
    const t = performance.now();
    let code;
    try {
      code = await main(commandFor(r, dockerfile, dir, imagesFlags, dir), {
        stdout: sink,
        stderr: { write: (s) => ((stderr += s.slice(0, 4000 - stderr.length)), true) },
        env: {},
        cwd: dir,
      });
    } catch (e) {
      code = `threw ${e?.name}: ${e?.message}`;
    }
    const ms = performance.now() - t;
    if (ms > slowest.ms) slowest = { i, ms: Math.round(ms) };
    codes[code] = (codes[code] ?? 0) + 1;
    if (code !== 0 && code !== 1) say(`! ${i} ${String(code).replace(/\s+/g, '_')} ${JSON.stringify({ stderr: stderr.slice(0, 2000), dockerfile: text.slice(0, 2000) })}`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
say(`= ${JSON.stringify({ n: count, codes, maxRssKb: process.resourceUsage().maxRSS, slowest, ms: Date.now() - began })}`);
