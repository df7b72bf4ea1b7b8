// The CLI as a process, for bench/run.mjs (which runs this file as a process of its own):
//
//   node bench/lib/cli-process.mjs --small DOCKERFILE [--s1000 DOCKERFILE] [--quick]
//
// Start-up overhead: the wall time of `dockerfile-llb -f DOCKERFILE --images images.json` on the
// small file against `node -e 0`, and refllb's. Then on the 1,000-stage file,
// wall time, CPU time and peak RSS of ours and of refllb.
//
// How, so that the difference is the CLI's own cost and nothing else:
// - This runs in a fresh process with a small heap, not inside run.mjs after its in-process
//   loops: a parent holding hundreds of MB pays more to spawn each child (fork copies its page
//   tables), and its leftover GC and compiler threads take the cores the children run on.
// - Each command runs once untimed first (the files are in the page cache for every side).
// - Rounds alternate the commands, and each round starts with the next one (node, ours, go; then
//   ours, go, node; ...), so that neither drift of the machine's load nor which process ran just
//   before favours one side. Medians of 21 rounds (7 with --quick).
// - The same environment for every side (NODE_EXTRA_CA_CERTS included: it costs every Node
//   process, node -e 0 too), the same stdio: stdin closed, stdout and stderr pipes, read whole.
//   refllb writes to /dev/stdout, which Go cannot open on a socket (Node's pipes): its stdout
//   is /dev/null.
// - CPU time (all threads) from `perf stat` when it works here, in separate rounds (perf's own
//   start-up would count in the wall times), else from /proc (the children's cutime + cstime, in
//   10 ms ticks: only the mean over many runs means anything). CPU time is what a machine
//   shared with other work disturbs least.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, homedir, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FIXTURES, GOLDEN } from '../../scripts/lib/corpus.mjs';
import { childCpuTicks } from './child-cpu.mjs';
import { median } from './stats.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const bin = join(root, 'bin/dockerfile-llb.cjs');
const argv = process.argv.slice(2);
const option = (name) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const quick = argv.includes('--quick');
const small = option('--small');
const large = option('--s1000');
if (!small) throw new Error('cli-process: --small DOCKERFILE is required');

const corpus = GOLDEN ?? FIXTURES;
const oracleDir = process.env.BUILDKIT_ORACLE || join(homedir(), '.cache', 'buildkit-oracle');
const refllb = join(oracleDir, 'bin', 'refllb');
const haveOracle = existsSync(refllb);
const timeBin = '/usr/bin/time';
const haveTime = existsSync(timeBin);
const work = mkdtempSync(join(tmpdir(), 'dfllb-cli-bench-'));
const perfOut = join(work, 'perf.txt');
const perfProbe = spawnSync('perf', ['stat', '-x,', '-o', perfOut, '-e', 'task-clock', process.execPath, '-e', '0'], { stdio: 'ignore' });
const havePerf = perfProbe.status === 0 && existsSync(perfOut) && /task-clock/.test(readFileSync(perfOut, 'utf8'));

const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** A command: what it runs, and where its stdout goes. */
const node = (args) => ({ cmd: process.execPath, args, stdout: 'pipe' });
const go = (args) => ({ cmd: refllb, args, stdout: 'ignore' });
const ours = (f) => node([bin, '-f', f, ...corpus.imagesFlags]);
const theirs = (f) => go(['-f', f, '-images', corpus.images, '-out-pb', '/dev/stdout']);

/** Runs `c` once: wall ms, and CPU ms (from /proc, 10 ms ticks) or undefined. */
function once(c) {
  const c0 = childCpuTicks();
  const t = process.hrtime.bigint();
  const r = spawnSync(c.cmd, c.args, { stdio: ['ignore', c.stdout, 'pipe'], maxBuffer: 1 << 28 });
  const wall = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0) throw new Error(`${c.cmd} ${c.args.join(' ')} exited ${r.status}: ${r.stderr}`);
  const c1 = childCpuTicks();
  return { wall, cpu: c0 === undefined || c1 === undefined ? undefined : (c1 - c0) * 10 };
}

/** CPU time (all threads) of one run of `c`, through perf stat. */
function perfCpu(c) {
  const r = spawnSync('perf', ['stat', '-x,', '-o', perfOut, '-e', 'task-clock', c.cmd, ...c.args], { stdio: ['ignore', c.stdout, 'pipe'], maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`perf stat ${c.cmd} exited ${r.status}: ${r.stderr}`);
  return Number(readFileSync(perfOut, 'utf8').split('\n').find((l) => l.includes('task-clock')).split(',')[0]);
}

/**
 * Runs the commands of `set` (name -> command) `rounds` times, alternating, each round starting
 * one command further: per name, the median wall time and the CPU time (perf's median, or the
 * /proc mean).
 */
function measure(set, rounds) {
  const names = Object.keys(set);
  const wall = Object.fromEntries(names.map((n) => [n, []]));
  const cpu = Object.fromEntries(names.map((n) => [n, []]));
  for (const n of names) once(set[n]);
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < names.length; k++) {
      const n = names[(r + k) % names.length];
      const m = once(set[n]);
      wall[n].push(m.wall);
      if (!havePerf && m.cpu !== undefined) cpu[n].push(m.cpu);
    }
  }
  if (havePerf) for (let r = 0; r < rounds; r++) for (const n of names) cpu[n].push(perfCpu(set[n]));
  const out = {};
  for (const n of names) {
    out[n] = { wall: median(wall[n]), fastest: Math.min(...wall[n]), cpu: cpu[n].length ? (havePerf ? median(cpu[n]) : mean(cpu[n])) : undefined };
  }
  return out;
}

/** Peak RSS in MB of one run of `c`, through /usr/bin/time. */
function rss(c) {
  const r = spawnSync(timeBin, ['-f', '%M', c.cmd, ...c.args], { stdio: ['ignore', c.stdout, 'pipe'], encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`${c.cmd} exited ${r.status}: ${r.stderr}`);
  return Number(r.stderr.trim().split('\n').pop()) / 1024;
}

const load = () => loadavg().map((l) => l.toFixed(1)).join(' ');
const rounds = quick ? 7 : 21;
const cpuKind = havePerf ? 'perf stat, median' : '/proc, mean';
const f1 = (x) => (x === undefined ? '-' : x.toFixed(1));
const name = small.split('/').slice(-2, -1)[0];

const set = { node: node(['-e', '0']), ours: ours(small), ...(haveOracle ? { go: theirs(small) } : {}) };
const s = measure(set, rounds);
console.log(`\nCLI as a process (fresh parent, ${rounds} rounds alternating, medians; load average ${load()})`);
console.log(`  node -e 0:                          ${f1(s.node.wall)} ms (CPU ${f1(s.node.cpu)} ms)`);
console.log(
  `  dockerfile-llb on ${name}: ${f1(s.ours.wall)} ms (CPU ${f1(s.ours.cpu)} ms): start-up overhead ${f1(s.ours.wall - s.node.wall)} ms above node -e 0 (CPU ${f1(s.ours.cpu - s.node.cpu)} ms)`,
);
if (haveOracle) console.log(`  refllb (Go) on the same file:       ${f1(s.go.wall)} ms (CPU ${f1(s.go.cpu)} ms)`);
// Other work on the machine only ever adds to a run's wall time, and more to the side that uses
// more CPU: when the load average is above the number of cores, the medians above measure that
// as much as start-up. The fastest runs of each side, and the CPU times, are what it disturbs
// least; shown beside the medians, not instead of them.
console.log(`  (CPU: all threads, ${cpuKind}; fastest runs: node -e 0 ${f1(s.node.fastest)} ms, dockerfile-llb ${f1(s.ours.fastest)} ms, ${f1(s.ours.fastest - s.node.fastest)} ms above)`);
if (loadavg()[0] > cpus().length) console.log(`  (load average ${loadavg()[0].toFixed(1)} is above the ${cpus().length} cores: the wall times above are not reliable)`);
// Node reads NODE_EXTRA_CA_CERTS's certificates at start-up, before any JavaScript, whether the
// program uses TLS or not: on a machine that sets it, every Node process (node -e 0 too) pays
// for that, and refllb does not. Shown, not subtracted: both sides above keep it.
if (process.env.NODE_EXTRA_CA_CERTS) {
  const { NODE_EXTRA_CA_CERTS: _, ...env } = process.env;
  const bare = [];
  for (let i = 0; i < rounds; i++) {
    const t = process.hrtime.bigint();
    spawnSync(process.execPath, ['-e', '0'], { stdio: 'ignore', env });
    bare.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  console.log(`  NODE_EXTRA_CA_CERTS is set: it costs every Node process ${f1(s.node.wall - median(bare))} ms at start-up (node -e 0 without it: ${f1(median(bare))} ms)`);
}

if (large) {
  const l = measure({ ours: ours(large), ...(haveOracle ? { go: theirs(large) } : {}) }, quick ? 3 : 7);
  const peak = (c) => (haveTime ? `, peak RSS ${median([rss(c), rss(c), rss(c)]).toFixed(0)} MB` : '');
  console.log(`  1,000 stages, dockerfile-llb:       ${l.ours.wall.toFixed(0)} ms (CPU ${l.ours.cpu?.toFixed(0) ?? '-'} ms)${peak(ours(large))}`);
  if (haveOracle) console.log(`  1,000 stages, refllb (Go):          ${l.go.wall.toFixed(0)} ms (CPU ${l.go.cpu?.toFixed(0) ?? '-'} ms)${peak(theirs(large))}`);
}
rmSync(work, { recursive: true, force: true });
