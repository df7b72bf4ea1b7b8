// compile() against BuildKit's own converter, on the same Dockerfiles in one run (uses dist/: run
// `npm run build` first; needs the oracle's refllb, see docs/contributing.md).
//
//   node bench/oracle.bench.mjs              every single-platform case of our fixtures (and of the
//                                            golden corpus when present)
//   node bench/oracle.bench.mjs NAME...      only cases whose name contains NAME
//   node bench/oracle.bench.mjs --runs 7     runs per side and case (default 5; the median is kept)
//
// Both sides convert the Dockerfile and serialize the Definition in a loop inside one process, so
// process start-up is left out: ours is compile() (parse, convert, marshal); BuildKit's is refllb
// -bench N (Dockerfile2LLB and Marshal, as its frontend runs them). Each case is measured `runs`
// times on each side, alternating, and the median ms/op is kept. Prints the cases with the largest
// ratios, then the totals: the sum of the medians on each side and their ratio (ours / BuildKit's),
// and the median of the per-case ratios.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from './lib/stats.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
if (!existsSync(join(root, 'dist/index.js'))) {
  console.error('run `npm run build` first');
  process.exit(2);
}
const oracle = process.env.BUILDKIT_ORACLE || join(homedir(), '.cache', 'buildkit-oracle');
const refllb = join(oracle, 'bin', 'refllb');
if (!existsSync(refllb)) {
  console.error(`no refllb at ${refllb}: build the oracle first (docs/contributing.md)`);
  process.exit(2);
}
const { compile, parseDockerignore, StaticImageResolver } = await import(join(root, 'dist/index.js'));
const { corpora, dockerignoreOf, expectedOutputs, listCases, readCaseJson } = await import('../scripts/lib/corpus.mjs');

const argv = process.argv.slice(2);
const runsAt = argv.indexOf('--runs');
const runs = runsAt >= 0 ? Number(argv[runsAt + 1]) : 5;
const filters = argv.filter((a, i) => !a.startsWith('--') && !(runsAt >= 0 && i === runsAt + 1));


/** Iterations so that one measurement takes about 100 ms on our side. */
function iterationsFor(ms) {
  return Math.max(5, Math.min(2000, Math.round(100 / Math.max(ms, 0.01))));
}

async function ours(c, iterations) {
  const start = performance.now();
  for (let i = 0; i < iterations; i++) await compile(c.text, c.options);
  return (performance.now() - start) / iterations;
}

function theirs(c, iterations) {
  const args = ['-f', 'Dockerfile', '-images', c.images, '-bench', String(iterations)];
  if (c.hasCaseJson) args.push('-case', 'case.json');
  const r = spawnSync(refllb, args, { cwd: c.dir, encoding: 'utf8' });
  const m = /bench: \d+ iterations, ([0-9.]+) ms\/op/.exec(r.stdout);
  if (r.status !== 0 || !m) throw new Error(`${c.name}: refllb failed: ${r.stderr.trim()}`);
  return Number(m[1]);
}

const cases = [];
for (const corpus of corpora()) {
  // The golden images.json's pinned keys are read as recorded (BuildKit's test resolver's digests).
  const resolver = StaticImageResolver.of(JSON.parse(readFileSync(corpus.images, 'utf8')), { pins: corpus.pins });
  for (const c of listCases(corpus, { sets: ['features', 'real', 'e2e'] })) {
    if (expectedOutputs(c).kind !== 'single') continue;
    const id = `${corpus.id}:${c.name}`;
    if (filters.length && !filters.some((f) => id.includes(f))) continue;
    const cfg = readCaseJson(c.dir);
    const ignore = dockerignoreOf(c.dir);
    cases.push({
      name: id,
      dir: c.dir,
      images: corpus.images,
      hasCaseJson: existsSync(join(c.dir, 'case.json')),
      text: readFileSync(join(c.dir, 'Dockerfile')),
      options: {
        resolver,
        target: cfg.target,
        platform: cfg.platform,
        buildArgs: cfg.buildArgs ?? {},
        excludePatterns: ignore === undefined ? undefined : parseDockerignore(ignore),
      },
    });
  }
}
if (cases.length === 0) {
  console.error('no case to measure');
  process.exit(2);
}

// Warm up our side (the JIT sees every case before any is measured).
for (let i = 0; i < 3; i++) for (const c of cases) await ours(c, 2);

const rows = [];
for (const c of cases) {
  // Size the loop from our side; BuildKit's loop gets the same count.
  const iterations = iterationsFor(await ours(c, 3));
  const a = [];
  const b = [];
  for (let r = 0; r < runs; r++) {
    a.push(await ours(c, iterations));
    b.push(theirs(c, iterations));
  }
  rows.push({ name: c.name, ours: median(a), theirs: median(b) });
}

rows.sort((x, y) => y.ours / y.theirs - x.ours / x.theirs);
const fmt = (ms) => ms.toFixed(3).padStart(9);
console.log(`${'case'.padEnd(56)} ${'ours ms'.padStart(9)} ${'BuildKit'.padStart(9)}  ratio`);
for (const r of rows.slice(0, 10)) console.log(`${r.name.slice(0, 56).padEnd(56)} ${fmt(r.ours)} ${fmt(r.theirs)}  ${(r.ours / r.theirs).toFixed(2)}`);
const sumOurs = rows.reduce((s, r) => s + r.ours, 0);
const sumTheirs = rows.reduce((s, r) => s + r.theirs, 0);
console.log(
  `${rows.length} cases, ${runs} runs each (median): ours ${sumOurs.toFixed(2)} ms, BuildKit ${sumTheirs.toFixed(2)} ms, ` +
    `ratio ${(sumOurs / sumTheirs).toFixed(2)} (ours / BuildKit; median per-case ratio ${median(rows.map((r) => r.ours / r.theirs)).toFixed(2)})`,
);
