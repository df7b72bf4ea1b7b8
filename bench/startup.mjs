// `node bench/startup.mjs`: where the start-up of a small compile goes (after `npm run build`).
//
//   node bench/startup.mjs              the ladder below, 21 runs of each step, alternating
//   node bench/startup.mjs --runs 41    more runs
//   node bench/startup.mjs --profile    also 20 CPU profiles of the compile, summed: the functions
//                                       with the most time, self and inclusive
//
// A ladder of processes, each doing one step more than the one before, run in turn (so a busy
// machine slows them alike); the medians, and each step's cost over the step before:
//
//   node -e 0                     Node alone
//   read                          + reading dist/cli.bundle.js and its V8 code cache
//   compile script                + compiling the bundle with the cache (vm.Script)
//   evaluate bundle               + running its top level (module initialisation)
//   --version                     the real binary, doing the least a command does
//   compile, one image            the real binary on golden 085-copy-basic, with an images.json of
//                                 only the image it uses
//   compile, the corpus's images  the same with the corpus's whole images.json (what bench/run.mjs
//                                 and the issue measure): the rest is reading that file
//
// The first three rows repeat what bin/dockerfile-llb.cjs does (keep them in step with it). Wall
// time, and CPU time (all threads) from `perf stat` when it works here, else from /proc (10 ms
// ticks, so only the mean over many runs means anything).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FIXTURES, GOLDEN } from '../scripts/lib/corpus.mjs';
import { childCpuTicks } from './lib/child-cpu.mjs';
import { median } from './lib/stats.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'bin/dockerfile-llb.cjs');
const bundle = join(root, 'dist/cli.bundle.js');
if (!existsSync(bundle)) {
  console.error('bench: dist/cli.bundle.js is missing: run `npm run build` first');
  process.exit(2);
}
const argv = process.argv.slice(2);
const runs = Number(argv[argv.indexOf('--runs') + 1] || 21);
const work = mkdtempSync(join(tmpdir(), 'dfllb-startup-'));

const corpus = GOLDEN ?? FIXTURES;
const small = GOLDEN ? join(GOLDEN.dir, 'cases/features/085-copy-basic/Dockerfile') : join(root, 'examples/hello/Dockerfile');
// The one image the small file uses, in an images.json of its own.
const all = JSON.parse(readFileSync(corpus.images, 'utf8'));
const used = GOLDEN ? 'docker.io/library/alpine:3.20' : undefined;
const oneImage = join(work, 'images.json');
writeFileSync(oneImage, JSON.stringify(used ? { [used]: all[used] } : {}));
const flags = (images) => ['--images', images, ...corpus.imagesFlags.slice(2)];

// The launcher's first steps, stopping after step STOP (1 read, 2 compile, 3 evaluate).
const steps = `
const { readFileSync } = require('node:fs');
const stop = Number(process.argv[1]);
const source = readFileSync(${JSON.stringify(bundle)}, 'latin1');
let cachedData;
try { cachedData = readFileSync(${JSON.stringify(bundle.replace(/\.js$/, ''))} + '.' + process.versions.v8 + '-' + process.arch + '.cache'); } catch {}
if (stop > 1) {
  const script = new (require('node:vm').Script)(source, { filename: ${JSON.stringify(bundle)}, cachedData });
  if (cachedData && script.cachedDataRejected) throw new Error('the code cache was rejected');
  if (stop > 2) script.runInThisContext()({}, require, { exports: {} }, ${JSON.stringify(bundle)}, ${JSON.stringify(dirname(bundle))});
}`;
const ladder = [
  ['node -e 0', ['-e', '0']],
  ['read', ['-e', steps, '1']],
  ['compile script', ['-e', steps, '2']],
  ['evaluate bundle', ['-e', steps, '3']],
  ['--version', [bin, '--version']],
  ...(used ? [['compile, one image', [bin, '-f', small, ...flags(oneImage)]]] : []),
  ["compile, the corpus's images", [bin, '-f', small, ...flags(corpus.images)]],
];

const perf = spawnSync('perf', ['stat', '-x,', '-e', 'task-clock', process.execPath, '-e', '0'], { encoding: 'utf8' });
const havePerf = perf.status === 0 && /task-clock/.test(perf.stderr);
const ticks = childCpuTicks;
const perfOut = join(work, 'perf.txt');
/** Runs `args` with stdout a pipe: [wall ms, CPU ms or undefined]. */
function once(args) {
  const cmd = havePerf ? ['perf', ['stat', '-x,', '-o', perfOut, '-e', 'task-clock', process.execPath, ...args]] : [process.execPath, args];
  const c0 = ticks();
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd[0], cmd[1], { stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 26 });
  const wall = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${args.join(' ').slice(0, 200)} exited ${r.status}: ${r.stderr}`);
  if (havePerf) return [wall, Number(readFileSync(perfOut, 'utf8').split('\n').find((l) => l.includes('task-clock')).split(',')[0])];
  const c1 = ticks();
  return [wall, c0 === undefined ? undefined : (c1 - c0) * 10];
}

const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;

console.log(`Node ${process.version}, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}; ${runs} runs of each step, alternating, stdout a pipe`);
console.log(`small file: ${small}; images: ${corpus.images}`);
const wall = ladder.map(() => []);
const cpu = ladder.map(() => []);
for (let i = 0; i < runs; i++) {
  ladder.forEach(([, args], k) => {
    const [w, c] = once(args);
    wall[k].push(w);
    if (c !== undefined) cpu[k].push(c);
  });
}
const cpuOf = (k) => (cpu[k].length ? (havePerf ? median(cpu[k]) : mean(cpu[k])) : undefined);
const f = (x) => (x === undefined ? '-' : x.toFixed(1));
console.log(`\n${'step'.padEnd(30)} ${'wall'.padStart(7)} ${'+step'.padStart(7)} ${'+node'.padStart(7)}   ${havePerf ? 'CPU (perf, median)' : 'CPU (/proc, mean)'}  +step   +node`);
ladder.forEach(([name], k) => {
  const w = median(wall[k]);
  const prev = k ? median(wall[k - 1]) : w;
  const c = cpuOf(k);
  const cp = k ? cpuOf(k - 1) : c;
  const c0 = cpuOf(0);
  console.log(
    `${name.padEnd(30)} ${f(w).padStart(7)} ${f(w - prev).padStart(7)} ${f(w - median(wall[0])).padStart(7)}   ${f(c).padStart(18)} ${f(c === undefined ? undefined : c - cp).padStart(6)} ${f(c === undefined ? undefined : c - c0).padStart(7)}`,
  );
});
console.log('(--version runs the real binary: its step also holds the launcher and main(); "compile, one image" is the compile itself)');

if (argv.includes('--profile')) {
  const dir = join(work, 'prof');
  for (let i = 0; i < 20; i++) {
    const r = spawnSync(process.execPath, ['--cpu-prof', '--cpu-prof-interval', '250', '--cpu-prof-dir', dir, bin, '-f', small, ...flags(corpus.images)], { stdio: ['ignore', 'pipe', 'pipe'] });
    if (r.status !== 0) throw new Error(`profile run exited ${r.status}: ${r.stderr}`);
  }
  const self = new Map();
  const incl = new Map();
  let n = 0;
  for (const name of spawnSync('ls', [dir], { encoding: 'utf8' }).stdout.trim().split('\n')) {
    n++;
    const p = JSON.parse(readFileSync(join(dir, name), 'utf8'));
    const dt = new Map();
    p.samples.forEach((id, i) => dt.set(id, (dt.get(id) ?? 0) + (p.timeDeltas[i] ?? 0)));
    const byId = new Map(p.nodes.map((x) => [x.id, x]));
    const parent = new Map();
    for (const x of p.nodes) for (const c of x.children ?? []) parent.set(c, x.id);
    const key = (x) => `${x.callFrame.functionName || '(anonymous)'} ${x.callFrame.url.split('/').pop()}:${x.callFrame.lineNumber + 1}`;
    for (const x of p.nodes) {
      const t = dt.get(x.id) ?? 0;
      self.set(key(x), (self.get(key(x)) ?? 0) + t);
      const seen = new Set();
      for (let id = x.id; id !== undefined; id = parent.get(id)) {
        const k = key(byId.get(id));
        if (!seen.has(k)) {
          seen.add(k);
          incl.set(k, (incl.get(k) ?? 0) + t);
        }
      }
    }
  }
  const show = (title, m) => {
    console.log(`\n${title} (ms per run, mean of ${n} profiles; the profiler slows everything a little)`);
    for (const [k, t] of [...m].sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log(`${(t / 1000 / n).toFixed(2).padStart(7)}  ${k}`);
  };
  show('self time', self);
  show('inclusive time', incl);
}
rmSync(work, { recursive: true, force: true });
