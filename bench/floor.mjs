// `npm run bench:floor`: what the runtime itself costs as a compile grows (uses dist/: run
// `npm run build` first). bench/run.mjs shows our time per stage growing from 10 to 10,000
// stages faster than BuildKit's; this shows where that growth comes from, in three measurements:
//
// 1. Keeping what is allocated, with none of our code: bench/lib/retain.mjs in Node and the same
//    program in Go (bench/lib/retain.go, built with the oracle's Go toolchain when it is there).
//    V8's young generation makes a small program's short-lived and kept objects almost free
//    (they die, or the program ends, before a collection), and every kept byte of a large one is
//    copied by the scavenger (twice) on its way to the old generation; Go's collector does not
//    move objects, and marks them on another core.
// 2. Our compile() at 10 to 10,000 stages, each size in fresh processes (the fastest of three),
//    as V8 starts it and with the young generation held at 1 MB (`--max-semi-space-size=1`, a
//    flag only a process's own command line can set): with a young generation too small for a
//    small compile to live in, time per stage is flat from 10 to 1,000 stages.
// 3. JIT warm-up: the time of each of 8 compiles of 1,000 stages in one fresh process, the first
//    one cold, against refllb as a process on the same file: the CLI compiles once, in that first
//    column.
//
//   node bench/floor.mjs           all three
//   node bench/floor.mjs --quick   sizes 10, 100 and 1,000 only
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from './lib/stats.mjs';
import { synthetic } from './lib/synthetic.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');
if (!existsSync(join(root, 'dist/node.js'))) {
  console.error('bench: dist/ is missing: run `npm run build` first');
  process.exit(2);
}
const quick = process.argv.includes('--quick');
const sizes = quick ? [10, 100, 1000] : [10, 100, 1000, 10000];
const oracleDir = process.env.BUILDKIT_ORACLE || join(homedir(), '.cache', 'buildkit-oracle');
const work = mkdtempSync(join(tmpdir(), 'dfllb-floor-'));

/** Runs a command that prints one JSON line; its value, or undefined (with the reason on stderr). */
function json(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) {
    console.error(`bench: ${cmd} ${args.join(' ')} failed: ${(r.stderr || r.error?.message || '').trim()}`);
    return undefined;
  }
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

/** The oracle's Go toolchain (../shared/oracle/build.sh unpacks it there), else `go` on PATH. */
function goTool() {
  const base = join(oracleDir, 'go', 'usr', 'lib');
  const dirs = existsSync(base) ? readdirSync(base).filter((d) => d.startsWith('go-')).sort() : [];
  if (dirs.length > 0) {
    const goroot = join(base, dirs[dirs.length - 1]);
    return { go: join(goroot, 'bin', 'go'), env: { GOROOT: goroot } };
  }
  return spawnSync('go', ['version']).status === 0 ? { go: 'go', env: {} } : undefined;
}

/**
 * Microseconds per stage per size from one runner, each size in a fresh process, three processes
 * per size: the fastest (a moment of load only ever slows a run down).
 */
function perSize(run) {
  const out = {};
  for (const n of sizes) {
    for (let i = 0; i < 3; i++) {
      const r = run(n);
      if (r === undefined) return undefined;
      out[n] = Math.min(out[n] ?? Infinity, r[n]);
    }
  }
  return out;
}

const fmt = (x) => (x < 10 ? x.toFixed(2) : x < 100 ? x.toFixed(1) : x.toFixed(0));
const cell = (row, n) => `${fmt(row[n])} (x${(row[n] / row[sizes[0]]).toFixed(2)})`;
function table(title, rows) {
  console.log(`\n${title}`);
  console.log(`  ${''.padEnd(44)}${sizes.map((n) => n.toLocaleString('en').padStart(16)).join('')}`);
  for (const [name, row] of rows) {
    console.log(`  ${name.padEnd(44)}${row ? sizes.map((n) => cell(row, n).padStart(16)).join('') : '   (not measured)'}`);
  }
}

const [l1, l5, l15] = loadavg();
console.log(`bench:floor: microseconds per stage, in brackets against ${sizes[0]} stages (flat = linear); load average ${l1.toFixed(1)} ${l5.toFixed(1)} ${l15.toFixed(1)}`);

// 1. The runtimes alone.
const nodeRetain = json(process.execPath, [join(here, 'lib/retain.mjs'), ...sizes.map(String)]);
let goRetain;
const go = goTool();
if (go) {
  const bin = join(work, 'retain');
  const gocache = join(oracleDir, 'gocache');
  const env = { ...go.env, GO111MODULE: 'off', GOTOOLCHAIN: 'local', ...(existsSync(gocache) ? { GOCACHE: gocache } : {}) };
  const b = spawnSync(go.go, ['build', '-o', bin, join(here, 'lib/retain.go')], { encoding: 'utf8', env: { ...process.env, ...env } });
  if (b.status === 0) goRetain = json(bin, sizes.map(String));
  else console.error(`bench: building bench/lib/retain.go failed: ${(b.stderr || b.error?.message || '').trim()}`);
}
table('1. Keeping what is allocated, no code of ours (bench/lib/retain.*): 140 kept and 840 short-lived records per stage', [
  ['Node (V8)', nodeRetain],
  [go ? 'Go' : 'Go (no Go toolchain: see ../shared/oracle)', goRetain],
]);

// 2. Our compile, with V8's young generation as it starts and held at 1 MB.
const loop = (flags) => (n) => json(process.execPath, [...flags, join(here, 'lib/compile-loop.mjs'), 'loop', String(n)]);
table('2. Our compile() of the synthetic file, each size in fresh processes (the fastest of three)', [
  ['V8 as it starts (semi-spaces grow to 16 MB)', perSize(loop([]))],
  ['young generation held at 1 MB', perSize(loop(['--max-semi-space-size=1']))],
]);

// 3. JIT warm-up.
const series = json(process.execPath, [join(here, 'lib/compile-loop.mjs'), 'series', '1000', '8']);
console.log('\n3. JIT warm-up: 8 compiles of 1,000 stages in one fresh process, ms (the first is cold; the CLI runs only that one)');
console.log(`  ours:   ${series ? series.map((t) => t.toFixed(0)).join(' ') : '(not measured)'}`);
const refllb = join(oracleDir, 'bin', 'refllb');
const { GOLDEN, FIXTURES } = await import('../scripts/lib/corpus.mjs');
const corpus = GOLDEN ?? FIXTURES;
if (existsSync(refllb)) {
  const df = join(work, 'Dockerfile');
  writeFileSync(df, synthetic(1000));
  const times = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    const r = spawnSync(refllb, ['-f', df, '-images', corpus.images, '-out-pb', join(work, 'out.pb')]);
    if (r.status !== 0) break;
    times.push(performance.now() - t);
  }
  if (times.length === 5) console.log(`  refllb: ${median(times).toFixed(0)} ms as a whole process (median of 5), start-up included`);
} else console.log(`  refllb: not there (${refllb}; see ../shared/oracle)`);
rmSync(work, { recursive: true, force: true });
