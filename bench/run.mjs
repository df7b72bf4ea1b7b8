// `npm run bench`: our compiler against BuildKit v0.32.2's own converter, side by side in one run
// (uses dist/: run `npm run build` first).
//
//   node bench/run.mjs                 the table, the growth, the CLI
//   node bench/run.mjs --runs 7        measurements per side and file (default 5; medians kept)
//   node bench/run.mjs --quick         3 runs, shorter loops, no 10,000-stage file
//   node bench/run.mjs --no-cli        only the in-process table
//   node bench/run.mjs --profile NAME  write a --cpu-prof of our compile() looping on file NAME
//                                      (085, buildkit-root, python, s10, s100, s1000, s10000)
//
// In-process: per file, our compile() (parse, convert, marshal) in a loop, against `refllb -bench
// N` (BuildKit's Dockerfile2LLB and Marshal in a loop, in one Go process; see ../shared/oracle).
// Both loops run the same Dockerfile against the same images.json for the same number of
// iterations, after a warm-up; each file is measured `runs` times on each side, alternating, and
// the medians are kept. The ratio is BuildKit's time over ours: above 1, we are faster. Absolute
// times move with the machine's load; ratios measured side by side move much less. Before
// timing, each file is compiled once by both sides and the Definitions compared byte for byte, so
// the two loops do the same work.
//
// The files: three of BuildKit's golden cases (from the golden corpus beside the clone, or our
// fixtures) and a generated file of 10, 100, 1,000 stages of 7 instructions each; 10,000 stages
// as well, to show growth is linear (time per stage, against 10 stages).
//
// CLI: wall time of `dockerfile-llb -f Dockerfile --images images.json` on the smallest file
// against `node -e 0` (our start-up overhead) and against refllb as a process; on the 1,000-stage
// file, wall time, CPU time and peak RSS of both. Measured by bench/lib/cli-process.mjs in a
// fresh process (see there how, and why).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, homedir, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Session } from 'node:inspector/promises';
import { median } from './lib/stats.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
// The Node entry: what Node programs use (it hashes with node:crypto).
const dist = join(root, 'dist/node.js');
if (!existsSync(dist)) {
  console.error('bench: dist/ is missing: run `npm run build` first');
  process.exit(2);
}
const { compile, readDefinition, StaticImageResolver } = await import(dist);
const { FIXTURES, GOLDEN } = await import('../scripts/lib/corpus.mjs');
const { synthetic } = await import('./lib/synthetic.mjs');

const argv = process.argv.slice(2);
const flag = (name) => argv.includes(name);
const option = (name) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const quick = flag('--quick');
const runs = Number(option('--runs') ?? (quick ? 3 : 5));
const profile = option('--profile');
/** Target length of one timed loop on our side, ms. */
const loopMs = quick ? 60 : 150;

const oracleDir = process.env.BUILDKIT_ORACLE || join(homedir(), '.cache', 'buildkit-oracle');
const refllb = join(oracleDir, 'bin', 'refllb');
const haveOracle = existsSync(refllb);


const corpus = GOLDEN ?? FIXTURES;
const imagesPath = corpus.images;
// The golden images.json's pinned keys are read as recorded (BuildKit's test resolver's digests).
const images = StaticImageResolver.of(JSON.parse(readFileSync(imagesPath, 'utf8')), { pins: corpus.pins });
const work = mkdtempSync(join(tmpdir(), 'dfllb-bench-'));

/** A file to measure: its name, its Dockerfile's path, and its text. */
function file(name, path, stages) {
  return { name, path, stages, text: readFileSync(path), lines: readFileSync(path, 'utf8').split('\n').length - 1 };
}
function syntheticFile(n) {
  const p = join(work, `synthetic-${n}`, 'Dockerfile');
  spawnSync('mkdir', ['-p', dirname(p)]);
  writeFileSync(p, synthetic(n));
  return file(`synthetic, ${n.toLocaleString('en')} stages`, p, n);
}
function golden(set, name, label) {
  const p = join(corpus.dir, 'cases', set, name, 'Dockerfile');
  return existsSync(p) ? file(`${label}`, p) : undefined;
}

const files = [
  golden('features', '085-copy-basic', 'golden features/085-copy-basic'),
  golden('real', 'buildkit-root', 'golden real/buildkit-root'),
  golden('real', 'docker-library-python-3.14-alpine3.23', 'golden real/docker-library-python'),
  syntheticFile(10),
  syntheticFile(100),
  syntheticFile(1000),
].filter(Boolean);
const big = quick || profile ? undefined : syntheticFile(10000);
const keys = { 85: 0, '085': 0, 'buildkit-root': 1, python: 2, s10: 3, s100: 4, s1000: 5 };

async function ours(f, iterations) {
  const t = performance.now();
  for (let i = 0; i < iterations; i++) await compile(f.text, { resolver: images });
  return (performance.now() - t) / iterations;
}

function theirs(f, iterations) {
  const r = spawnSync(refllb, ['-f', f.path, '-images', imagesPath, '-bench', String(iterations)], { encoding: 'utf8' });
  const m = /bench: \d+ iterations, ([0-9.]+) ms\/op/.exec(r.stdout);
  if (r.status !== 0 || !m) throw new Error(`refllb failed on ${f.name}: ${r.stderr.trim()}`);
  return Number(m[1]);
}

/**
 * Whether both sides write the same ops, byte for byte and in the same order, for `f` (so the
 * loops do the same work). The Definitions' bytes as a whole differ: Go writes the metadata map in
 * random order, and progress group ids are random.
 */
async function sameOps(f) {
  const out = join(work, 'want.pb');
  const r = spawnSync(refllb, ['-f', f.path, '-images', imagesPath, '-out-pb', out], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`refllb failed on ${f.name}: ${r.stderr.trim()}`);
  const want = readDefinition(readFileSync(out)).def;
  const got = (await compile(f.text, { resolver: images })).definition.def;
  return want.length === got.length && want.every((op, i) => Buffer.compare(Buffer.from(op), Buffer.from(got[i])) === 0);
}

/**
 * The functions with the most self time in a CPU profile, and their share of the samples. Shares
 * count samples rather than summing each sample's time delta: on a machine shared with other
 * work, a sample taken after the process was descheduled carries the whole wait, and a few such
 * samples put any function at the top. The ms column is the share of the profile's duration.
 */
function printProfile(p, top = 30) {
  const hits = new Map();
  for (const id of p.samples) hits.set(id, (hits.get(id) ?? 0) + 1);
  const self = new Map();
  for (const n of p.nodes) {
    const { functionName, url, lineNumber } = n.callFrame;
    const key = `${functionName || '(anonymous)'} ${url.split('/').pop()}:${lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + (hits.get(n.id) ?? 0));
  }
  const total = p.samples.length;
  const duration = (p.endTime - p.startTime) / 1000;
  console.log('self time  share  function (by sample count)');
  for (const [k, n] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`${((duration * n) / total).toFixed(0).padStart(7)} ms ${((100 * n) / total).toFixed(1).padStart(5)}%  ${k}`);
  }
}

if (profile) {
  const f = big && profile === 's10000' ? big : files[keys[profile] ?? -1];
  if (!f) throw new Error(`--profile: no file ${profile}`);
  for (let i = 0; i < 3; i++) await ours(f, 1);
  const iterations = Math.max(3, Math.round(3000 / (await ours(f, 3))));
  await ours(f, Math.min(iterations, 50));
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 100 });
  await session.post('Profiler.start');
  await ours(f, iterations);
  const { profile: p } = await session.post('Profiler.stop');
  const outPath = resolve(`bench-${profile}.cpuprofile`);
  writeFileSync(outPath, JSON.stringify(p));
  console.log(`${iterations} iterations of ${f.name}: ${outPath}`);
  printProfile(p);
  rmSync(work, { recursive: true, force: true });
  process.exit(0);
}

const load = () => loadavg().map((l) => l.toFixed(1)).join(' ');
console.log(`dockerfile-llb ${JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version}, Node ${process.version}, ${cpus().length} cores, load average ${load()}`);
console.log(`images: ${corpus.id === 'golden' ? 'the golden corpus' : 'our fixtures'} (${imagesPath}); ${runs} runs per side, alternating, medians`);
if (!haveOracle) console.log(`BuildKit: no refllb at ${refllb} (see ../shared/oracle): our times only`);

// Warm up our side: the JIT sees every file before anything is timed.
for (const f of files) await ours(f, f.stages >= 1000 ? 1 : 5);

const rows = [];
for (const f of [...files, ...(big ? [big] : [])]) {
  const identical = haveOracle ? await sameOps(f) : undefined;
  const probe = await ours(f, 1);
  const iterations = Math.max(1, Math.min(5000, Math.round(loopMs / probe)));
  const n = f === big ? Math.min(runs, 3) : runs;
  const a = [];
  const b = [];
  for (let r = 0; r < n; r++) {
    a.push(await ours(f, iterations));
    if (haveOracle) b.push(theirs(f, iterations));
  }
  rows.push({ f, identical, ours: median(a), theirs: haveOracle ? median(b) : undefined });
}

const ms = (x) => (x === undefined ? '-' : x < 10 ? x.toFixed(3) : x.toFixed(1));
const cols = [38, 6, 10, 10, 8, 10];
const line = (cells) => cells.map((c, i) => (i === 0 ? String(c).padEnd(cols[i]) : String(c).padStart(cols[i]))).join(' ');
console.log(`\n${line(['file', 'lines', 'ours ms', 'BuildKit', 'ratio', 'same ops'])}`);
for (const r of rows) {
  const ratio = r.theirs === undefined ? '-' : (r.theirs / r.ours).toFixed(2);
  console.log(line([r.f.name, r.f.lines, ms(r.ours), ms(r.theirs), ratio, r.identical === undefined ? '-' : r.identical ? 'yes' : 'NO']));
}
const six = rows.filter((r) => r.f !== big);
if (haveOracle) {
  const ratios = six.map((r) => r.theirs / r.ours);
  console.log(
    `ratio = BuildKit / ours (above 1: we are faster). Over the ${six.length} files: median ${median(ratios).toFixed(2)}, lowest ${Math.min(...ratios).toFixed(2)}`,
  );
}
const staged = rows.filter((r) => r.f.stages);
if (staged.length > 1) {
  const base = staged[0];
  const per = (r, k) => r[k] / r.f.stages;
  const growth = (k) =>
    staged.map((r) => `${r.f.stages}: ${(per(r, k) * 1000).toFixed(1)} us (x${(per(r, k) / per(base, k)).toFixed(2)})`).join(', ');
  console.log(`\ntime per stage, against 10 stages (flat = linear)`);
  console.log(`  ours:     ${growth('ours')}`);
  if (haveOracle) console.log(`  BuildKit: ${growth('theirs')}`);
}

if (!flag('--no-cli')) {
  // In a process of its own (see bench/lib/cli-process.mjs): this one has grown during the loops.
  const s1000 = files.find((f) => f.stages === 1000);
  const args = ['--small', files[0].path, ...(s1000 ? ['--s1000', s1000.path] : []), ...(quick ? ['--quick'] : [])];
  const r = spawnSync(process.execPath, [join(root, 'bench/lib/cli-process.mjs'), ...args], { stdio: 'inherit' });
  if (r.status !== 0) process.exitCode = 1;
}
rmSync(work, { recursive: true, force: true });
