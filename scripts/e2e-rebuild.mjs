#!/usr/bin/env node
/**
 * npm run e2e:rebuild: proves `explain --since` against a real buildkitd.
 *
 * For every fixture (test/fixtures/rebuild/NAME/: a build context in context/ and the single
 * changes to try in changes.json; and every end-to-end project of test/fixtures/cases/e2e, with
 * changes made up from its files: each file modified, a file added, deleted, its mode changed,
 * its mtime touched) and every change:
 *
 *   1. copy the context to a fresh directory and make every file's content unique to this run
 *      (a nonce line), so that nothing the daemon cached before (ours or anyone else's builds)
 *      can answer for it;
 *   2. compile it with dockerfile-llb, build that LLB with buildctl (the baseline);
 *   3. keep a copy of the context, apply the change, ask `dockerfile-llb explain --since COPY`
 *      which steps run again;
 *   4. build again with --progress=rawjson and compare, op digest by op digest, the vertices
 *      BuildKit ran (not cached) with the prediction: every `rebuilds` must have run, no
 *      `cached` may have run; `maybe` may go either way.
 *
 * Needs the oracle's buildkitd and registry (../shared/oracle/README.md):
 *   eval "$(bash ../shared/oracle/build.sh env)"; npm run e2e:rebuild [-- FILTER] [--keep] [--report FILE] [--record]
 * With --record, writes what BuildKit did into each fixture's expected.json (and the image
 * metadata the fixtures were built with into test/fixtures/rebuild/images.json), which the unit
 * tests replay without a daemon.
 * Exit status 0 when every prediction agrees and maybe stays under 5% of the verdicts; 1 when
 * not; 2 when the set-up is missing.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, chmodSync, chownSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { cliFlags } from './lib/case-request.mjs';
import { EXPECTED_FILES, FIXTURES, listCases, readCaseJson } from './lib/corpus.mjs';
import { ORACLE } from './lib/oracle.mjs';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const fixturesDir = join(repo, 'test/fixtures/rebuild');
const cli = join(repo, 'bin/dockerfile-llb.cjs');

const argv = process.argv.slice(2);
const keep = argv.includes('--keep');
const record = argv.includes('--record');
const reportAt = argv.includes('--report') ? argv[argv.indexOf('--report') + 1] : undefined;
const filter = argv.find((a, i) => !a.startsWith('--') && argv[i - 1] !== '--report');

function fail(message, code = 2) {
  process.stderr.write(`e2e-rebuild: ${message}\n`);
  process.exit(code);
}

// ----- set-up ---------------------------------------------------------------------------------------

const oracle = ORACLE;
const buildctl = existsSync(join(oracle, 'bin/buildctl')) ? join(oracle, 'bin/buildctl') : 'buildctl';
if (!process.env.BUILDKIT_HOST) fail('BUILDKIT_HOST is not set: eval "$(bash ../shared/oracle/build.sh env)"');
if (spawnSync(buildctl, ['debug', 'workers'], { encoding: 'utf8' }).status !== 0) fail(`buildkitd does not answer at ${process.env.BUILDKIT_HOST}: bash ../shared/oracle/build.sh start`);
const imagesFile = process.env.E2E_IMAGES ?? join(oracle, 'e2e/images.json');
if (!existsSync(imagesFile)) fail(`no image metadata for the local registry at ${imagesFile} (bash ../shared/oracle/build.sh e2e)`);
if (!existsSync(join(repo, 'dist/cli.js'))) fail('dist/ is missing: npm run build');

// ----- fixtures -------------------------------------------------------------------------------------

/** Where the e2e projects' recorded results go (their own folders belong to the fixture corpus). */
const e2eRecords = join(fixturesDir, 'e2e-cases');

function loadFixtures() {
  const out = [];
  for (const name of readdirSync(fixturesDir).sort()) {
    const dir = join(fixturesDir, name);
    if (!statSync(dir).isDirectory() || !existsSync(join(dir, 'changes.json'))) continue;
    if (filter && !name.includes(filter)) continue;
    out.push({ name, context: join(dir, 'context'), drop: [], spec: JSON.parse(readFileSync(join(dir, 'changes.json'), 'utf8')), recordAt: join(dir, 'expected.json') });
  }
  for (const c of listCases(FIXTURES, { sets: ['e2e'] })) {
    const name = `e2e-${c.name.split('/').pop()}`;
    if (filter && !name.includes(filter)) continue;
    const cfg = readCaseJson(c.dir);
    if ((cfg.platforms ?? []).length > 1) continue;
    const drop = [...EXPECTED_FILES, 'expected'];
    out.push({ name, context: c.dir, drop, spec: madeUpChanges(c.dir, drop, cliFlags(cfg)), recordAt: join(e2eRecords, `${c.name.split('/').pop()}.json`) });
  }
  return out;
}

/** Single changes for a project that lists none: each file modified, one added, one deleted, one chmod-ed, one touched. */
function madeUpChanges(dir, drop, args) {
  const files = filesUnder(dir).filter((f) => !drop.includes(f.split('/')[0]));
  const others = files.filter((f) => f !== 'Dockerfile' && f !== 'case.json');
  const changes = files.filter((f) => f !== 'Dockerfile').map((f) => ({ name: `modify ${f}`, ops: [['write', f]] }));
  changes.push({ name: 'add a file at the root', ops: [['write', 'added-by-e2e-rebuild.txt']] });
  const nested = others.find((f) => f.includes('/'));
  if (nested) changes.push({ name: `add a file next to ${nested}`, ops: [['write', `${nested.slice(0, nested.lastIndexOf('/'))}/added.txt`]] });
  // A file in a directory: deleting a file that a COPY names would fail the build, not test it.
  if (nested) changes.push({ name: `delete ${nested}`, ops: [['rm', nested]] });
  if (others[0]) changes.push({ name: `mode of ${others[0]}`, ops: [['chmod', others[0], '700']] });
  if (files[0]) changes.push({ name: `mtime of ${files[0]}`, ops: [['touch', files[0]]] });
  return { description: 'an end-to-end project of test/fixtures/cases/e2e, with made-up changes', args, changes };
}

/** Every regular file below `dir`, relative, with `/`. */
function filesUnder(dir, rel = '') {
  const out = [];
  for (const n of readdirSync(join(dir, rel)).sort()) {
    const p = rel ? `${rel}/${n}` : n;
    const st = lstatSync(join(dir, p));
    if (st.isDirectory()) out.push(...filesUnder(dir, p));
    else if (st.isFile()) out.push(p);
  }
  return out;
}

function makeTar(ctx, tar, from) {
  execFileSync('tar', ['-cf', tar, '-C', ctx, '--sort=name', '--owner=0', '--group=0', '--numeric-owner', from]);
}

/** A copy of the fixture's context whose file contents are unique to this run. */
function prepare(fx, nonce) {
  const work = mkdtempSync(join(tmpdir(), `dfllb-rebuild-${fx.name}-`));
  const ctx = join(work, 'context');
  execFileSync('cp', ['-a', fx.context, ctx]);
  for (const d of fx.drop) rmSync(join(ctx, d), { recursive: true, force: true });
  const skip = new Set(fx.spec.noNonce ?? []);
  for (const f of filesUnder(ctx)) if (!skip.has(f)) appendFileSync(join(ctx, f), `\n# ${nonce}\n`);
  for (const [tar, from] of Object.entries(fx.spec.tars ?? {})) makeTar(ctx, join(ctx, tar), from);
  for (const op of fx.spec.setup ?? []) apply(ctx, op, nonce, fx);
  return { work, ctx };
}

let counter = 0;
/** Applies one change operation to the context directory. */
function apply(ctx, op, nonce, fx) {
  const [what, path, arg] = op;
  const p = join(ctx, path);
  switch (what) {
    case 'write':
      mkdirSync(dirname(p), { recursive: true });
      writeFileSync(p, `# changed ${nonce} ${++counter}\n`);
      return;
    case 'mkdir':
      mkdirSync(p, { recursive: true });
      return;
    case 'rm':
      rmSync(p, { recursive: true, force: true });
      return;
    case 'chmod':
      chmodSync(p, parseInt(arg, 8));
      return;
    case 'touch': {
      const t = new Date(Date.now() + 3600_000 + ++counter * 1000);
      utimesSync(p, t, t);
      return;
    }
    case 'chown': {
      const [uid, gid] = arg.split(':').map(Number);
      chownSync(p, uid, gid);
      return;
    }
    case 'symlink':
      rmSync(p, { force: true });
      mkdirSync(dirname(p), { recursive: true });
      symlinkSync(arg, p);
      return;
    case 'rename':
      renameSync(p, join(ctx, arg));
      return;
    case 'retar':
      makeTar(ctx, p, fx.spec.tars[path]);
      return;
    default:
      throw new Error(`${fx.name}: unknown change operation ${JSON.stringify(op)}`);
  }
}

// ----- building and observing --------------------------------------------------------------------

function build(ctx, pb, log) {
  const r = spawnSync(buildctl, ['build', '--progress=rawjson', '--local', `context=${ctx}`], { input: readFileSync(pb), encoding: 'utf8', maxBuffer: 1 << 28 });
  writeFileSync(log, r.stderr ?? '');
  if (r.status !== 0) throw new Error(`buildctl build failed (log: ${log}):\n${(r.stderr ?? '').split('\n').filter((l) => !l.startsWith('{')).slice(-8).join('\n')}`);
  return observe(r.stderr);
}

/**
 * What BuildKit did with each vertex, from --progress=rawjson. A vertex is `cached` when BuildKit
 * took its result from the cache, `ran` when it executed it. For a vertex without inputs (a
 * source, an inline file), BuildKit also reports computing its cache key (resolving an image,
 * say) as a start and a completion; that is not running it, so such a vertex ran only when it
 * started a second time.
 */
function observe(text) {
  const v = new Map();
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    let o;
    try {
      o = JSON.parse(line);
    } catch {
      continue;
    }
    for (const x of o.vertexes ?? []) {
      let s = v.get(x.digest);
      if (!s) v.set(x.digest, (s = { cached: false, starts: new Set(), inputs: 0 }));
      s.inputs = Math.max(s.inputs, (x.inputs ?? []).length);
      if (x.cached) s.cached = true;
      else if (x.started) s.starts.add(x.started);
    }
  }
  return v;
}

/** `ran`, `cached` or `absent` (not in the progress at all) for one predicted step. */
function outcome(seen, step) {
  const s = seen.get(step.digest);
  if (!s) return 'absent';
  if (s.cached) return 'cached';
  return s.starts.size >= (s.inputs === 0 ? 2 : 1) ? 'ran' : 'cached';
}

/** The entries of a context directory as the analysis's tree option takes them (types, link targets). */
function contextTree(dir, rel = '', out = {}) {
  for (const n of readdirSync(join(dir, rel)).sort()) {
    const p = rel ? `${rel}/${n}` : n;
    const st = lstatSync(join(dir, p));
    if (st.isSymbolicLink()) out[p] = { type: 'symlink', target: readlinkSync(join(dir, p)) };
    else if (st.isDirectory()) {
      out[p] = { type: 'dir' };
      contextTree(dir, p, out);
    } else out[p] = { type: 'file' };
  }
  return out;
}

/**
 * Writes each fixture's expected.json: per change, the changes `explain --since` saw, the tree,
 * and what BuildKit did with every step (by Definition index; names with image digests removed,
 * since the registry's digests differ between machines).
 */
function writeRecords() {
  const stripDigest = (s) => s.replace(/@sha256:[0-9a-f]{64}/g, '');
  const byFixture = new Map();
  for (const r of results) {
    if (r.error) continue;
    const list = byFixture.get(r.fixture) ?? [];
    list.push({
      name: r.change,
      changes: r.changes.map(({ path, kind, type }) => (type ? { path, kind, type } : { path, kind })),
      tree: r.tree,
      steps: r.steps.filter((s) => s.kind !== 'result').map((s) => ({ index: s.index, name: stripDigest(s.label), buildkit: r.rows.find((x) => x.digest === s.digest).observed })),
    });
    byFixture.set(r.fixture, list);
  }
  for (const [name, changes] of byFixture) {
    const fx = fixtures.find((f) => f.name === name);
    const doc = { generatedBy: 'scripts/e2e-rebuild.mjs --record (BuildKit v0.32.2 buildkitd, --progress=rawjson)', args: fx.spec.args ?? [], changes };
    mkdirSync(dirname(fx.recordAt), { recursive: true });
    writeFileSync(fx.recordAt, `${JSON.stringify(doc, null, 1)}\n`);
  }
  const images = JSON.parse(readFileSync(imagesFile, 'utf8'));
  writeFileSync(join(fixturesDir, 'images.json'), `${JSON.stringify(images, null, 1)}\n`);
  process.stdout.write(`recorded ${byFixture.size} fixtures' expected.json\n`);
}

function cliJson(args) {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`dockerfile-llb ${args.join(' ')} failed:\n${r.stderr}`);
  return r.stdout;
}

// ----- the run --------------------------------------------------------------------------------------

const fixtures = loadFixtures();
if (fixtures.length === 0) fail(`no fixtures${filter ? ` matching ${filter}` : ''} in ${fixturesDir}`);
const results = [];
const totals = { fixtures: 0, changes: 0, verdicts: 0, rebuilds: 0, cached: 0, maybe: 0, maybeRan: 0, maybeCached: 0, agree: 0, disagree: 0 };
const started = Date.now();
for (const fx of fixtures) {
  totals.fixtures++;
  for (const change of fx.spec.changes) {
    const nonce = `nonce-${randomBytes(8).toString('hex')}`;
    const { work, ctx } = prepare(fx, nonce);
    const pb = join(work, 'build.pb');
    const label = `${fx.name}: ${change.name}`;
    try {
      const compiled = spawnSync(process.execPath, [cli, '-f', join(ctx, 'Dockerfile'), ctx, '--images', imagesFile, ...(fx.spec.args ?? []), '-o', pb], { encoding: 'utf8' });
      if (compiled.status !== 0) throw new Error(`compile failed:\n${compiled.stderr}`);
      build(ctx, pb, join(work, 'baseline.log'));
      const before = join(work, 'before');
      execFileSync('cp', ['-a', ctx, before]);
      for (const op of change.ops) apply(ctx, op, nonce, fx);
      const predicted = JSON.parse(cliJson(['explain', ctx, '-f', pb, '--since', before, '--json']));
      const treeAfter = contextTree(ctx);
      const seen = build(ctx, pb, join(work, 'rebuild.log'));
      const rows = [];
      for (const s of predicted.steps) {
        if (s.kind === 'result') continue;
        const observed = outcome(seen, s);
        const ran = observed === 'ran';
        const ok = s.status === 'maybe' || (s.status === 'rebuilds') === ran;
        totals.verdicts++;
        totals[s.status]++;
        if (s.status === 'maybe') totals[ran ? 'maybeRan' : 'maybeCached']++;
        if (ok) totals.agree++;
        else totals.disagree++;
        rows.push({ step: s.label, digest: s.digest, predicted: s.status, observed, ok, reason: s.reason });
      }
      const bad = rows.filter((r) => !r.ok);
      totals.changes++;
      results.push({ fixture: fx.name, change: change.name, ops: change.ops, rows, changes: predicted.changes, steps: predicted.steps, tree: treeAfter });
      const counts = `${rows.filter((r) => r.predicted === 'rebuilds').length} rebuild, ${rows.filter((r) => r.predicted === 'cached').length} cached, ${rows.filter((r) => r.predicted === 'maybe').length} maybe`;
      process.stdout.write(`${bad.length ? 'DIFFERS' : 'ok     '} ${label} (${counts})\n`);
      for (const r of bad) process.stdout.write(`        predicted ${r.predicted}, BuildKit ${r.observed}: ${r.step}${r.reason ? `  [${r.reason}]` : ''}\n`);
    } catch (e) {
      totals.disagree++;
      results.push({ fixture: fx.name, change: change.name, error: String(e.message ?? e) });
      process.stdout.write(`ERROR   ${label}: ${e.message ?? e}\n`);
    } finally {
      if (!keep) rmSync(work, { recursive: true, force: true });
      else process.stdout.write(`        kept ${work}\n`);
    }
  }
}

const maybeRate = totals.verdicts ? totals.maybe / totals.verdicts : 0;
const summary = {
  ...totals,
  maybeRate: Number((maybeRate * 100).toFixed(2)),
  seconds: Math.round((Date.now() - started) / 1000),
};
process.stdout.write(
  `\n${summary.fixtures} fixtures, ${summary.changes} changes, ${summary.verdicts} verdicts: ${summary.agree} agree with BuildKit, ${summary.disagree} differ\n` +
    `rebuilds ${summary.rebuilds}, cached ${summary.cached}, maybe ${summary.maybe} (${summary.maybeRate}%: ${summary.maybeRan} ran, ${summary.maybeCached} cached) in ${summary.seconds} s\n`,
);
if (record) writeRecords();
if (reportAt) writeFileSync(resolve(reportAt), `${JSON.stringify({ summary, results }, null, 2)}\n`);
process.exit(summary.disagree === 0 && maybeRate < 0.05 ? 0 : 1);
