#!/usr/bin/env node
// Named build contexts end to end: every fixture of test/fixtures/named-contexts is built on a running
// buildkitd twice, once by BuildKit's own Dockerfile frontend given `--opt context:NAME=VALUE`, once
// from our LLB (`dockerfile-llb compile --build-context NAME=VALUE`) piped into `buildctl build` with
// the arguments `--print-locals` gives; the two exported filesystems must be the same. The frontend's
// own LLB (from its SLSA provenance, mode=max) is also compared with ours op by op: identical ops
// except the session-specific attributes of local sources (local.session / local.unique), which
// provenance leaves out.
//
//   npm run e2e:contexts                 every fixture
//   npm run e2e:contexts -- NAME...      only those whose name contains NAME
//   npm run e2e:contexts -- --keep       keep the work folder and print its path
//   npm run e2e:contexts -- --write      also write, for each fixture built identically, what the
//                                        offline test (test/cli/named-contexts.test.ts) compares with:
//                                        expected-llb.json (the frontend's LLB, from its provenance),
//                                        images.json (`dockerfile-llb lock` of the build) and, for OCI
//                                        layout contexts, oci-layouts.json (the layout's manifest and config)
//
// A fixture is a Dockerfile and its build context, with request.json:
//   {"contexts": {"NAME": VALUE}, "target"?: "...", "buildArgs"?: {...}}
// where VALUE is one of
//   "dir:PATH"                 a directory of the fixture (a local context)
//   "docker-image://REF"       as is
//   "git:PATH[#REF[:SUBDIR]]"  a git repository made from the fixture's PATH (branch main) and served
//                              over HTTP on 127.0.0.1 (git's dumb protocol)
//   "http:PATH"                the fixture's file PATH served over HTTP on 127.0.0.1
//   "oci-layout:REF"           an OCI layout directory holding the image REF (exported by buildctl)
// Base images come from the oracle's registry (localhost:5000). `npm run e2e:contexts` builds first; it needs the
// oracle's buildctl ($BUILDKIT_ORACLE, default ~/.cache/buildkit-oracle) and daemon ($BUILDKIT_HOST).
import { cpSync, createReadStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { basename, join, normalize } from 'node:path';
import { ROOT } from './lib/corpus.mjs';
import { canon, SESSION_ATTRS, stepsOf } from './lib/llb-steps.mjs';
import { BUILDCTL as buildctl, BUILDKIT_HOST as host, requireDaemon, run } from './lib/oracle.mjs';
import { compareTrees, tarTree } from './lib/tar.mjs';

const argv = process.argv.slice(2);
const keep = argv.includes('--keep');
const write = argv.includes('--write');
const filters = argv.filter((a) => !a.startsWith('--'));
const cli = join(ROOT, 'bin', 'dockerfile-llb.cjs');
const FIXTURES = join(ROOT, 'test', 'fixtures', 'named-contexts');

async function must(what, cmd, args, opts) {
  const r = await run(cmd, args, opts);
  if (r.code !== 0) throw new Error(`${what} failed: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  return r;
}

await requireDaemon('named-contexts-e2e');

// A static file server on loopback for the git repositories and HTTP files (the daemon fetches them).
const served = mkdtempSync(join(tmpdir(), 'dfllb-served-'));
const server = createServer((req, res) => {
  const path = normalize(join(served, decodeURIComponent(new URL(req.url, 'http://x').pathname)));
  if (!path.startsWith(served) || !existsSync(path) || !statSync(path).isFile()) {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { 'content-type': 'application/octet-stream' });
  createReadStream(path).pipe(res);
});
await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
const base = `http://127.0.0.1:${server.address().port}`;

/** A bare repository made from `src` (one commit on main), served as /<name>.git. */
async function serveGitRepo(src, name) {
  const work = mkdtempSync(join(tmpdir(), 'dfllb-git-'));
  cpSync(src, work, { recursive: true });
  const env = { GIT_AUTHOR_NAME: 'e2e', GIT_AUTHOR_EMAIL: 'e2e@example.com', GIT_COMMITTER_NAME: 'e2e', GIT_COMMITTER_EMAIL: 'e2e@example.com', GIT_AUTHOR_DATE: '2024-01-01T00:00:00Z', GIT_COMMITTER_DATE: '2024-01-01T00:00:00Z' };
  await must('git init', 'git', ['init', '-q', '-b', 'main'], { cwd: work, env });
  await must('git add', 'git', ['add', '-A'], { cwd: work, env });
  await must('git commit', 'git', ['commit', '-q', '-m', 'fixture'], { cwd: work, env });
  const bare = join(served, `${name}.git`);
  await must('git clone', 'git', ['clone', '-q', '--bare', work, bare], { env });
  await must('git update-server-info', 'git', ['update-server-info'], { cwd: bare, env });
  rmSync(work, { recursive: true, force: true });
  return `${base}/${name}.git`;
}

/** An OCI layout directory holding `ref`, exported by buildctl; returns it and its manifest digest. */
async function ociLayoutOf(ref, dir) {
  const df = mkdtempSync(join(tmpdir(), 'dfllb-oci-'));
  writeFileSync(join(df, 'Dockerfile'), `FROM ${ref}\n`);
  const tar = join(df, 'layout.tar');
  await must('oci export', buildctl, ['--addr', host, 'build', '--frontend', 'dockerfile.v0', '--local', `context=${df}`, '--local', `dockerfile=${df}`, '--output', `type=oci,dest=${tar}`]);
  mkdirSync(dir, { recursive: true });
  await must('tar', 'tar', ['-xf', tar, '-C', dir]);
  rmSync(df, { recursive: true, force: true });
  const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8'));
  return index.manifests[0].digest;
}

/** The frontend's LLB from the provenance in an OCI export, in the shape of {@link stepsOf}. */
async function provenanceSteps(ociTar) {
  const dir = `${ociTar}.d`;
  mkdirSync(dir, { recursive: true });
  await must('tar', 'tar', ['-xf', ociTar, '-C', dir]);
  const blob = (d) => JSON.parse(readFileSync(join(dir, 'blobs', ...d.split(':')), 'utf8'));
  const queue = [...JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')).manifests];
  try {
    while (queue.length) {
      const m = blob(queue.pop().digest);
      if (m.manifests) queue.push(...m.manifests);
      for (const l of m.layers ?? []) {
        if (!(l.annotations?.['in-toto.io/predicate-type'] ?? '').includes('slsa')) continue;
        const pred = blob(l.digest).predicate;
        const bc = pred.buildDefinition?.internalParameters?.buildConfig ?? pred.buildConfig;
        return bc.llbDefinition.map((st) => {
          const { Op, ...rest } = st.op;
          const op = { ...rest, ...Op };
          // Provenance already drops local.session and local.unique; oci.session names the
          // frontend's own session too.
          if (op.source?.attrs) for (const k of SESSION_ATTRS) delete op.source.attrs[k];
          return { op, inputs: st.inputs ?? [] };
        });
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  throw new Error('no provenance in the OCI export');
}

/** The served URLs' port changes from run to run: the expected files use a port nothing listens on. */
const portless = (text) => text.split(`127.0.0.1:${server.address().port}`).join('127.0.0.1:65535');

/** The files the offline test compares with (see --write). */
async function writeExpected(name, ctx, ours, theirs, layouts) {
  const out = join(FIXTURES, name);
  writeFileSync(join(out, 'expected-llb.json'), `${portless(JSON.stringify(canon(theirs), null, 2))}\n`);
  const lock = await must('lock', process.execPath, [cli, 'lock', '-f', join(ctx, 'Dockerfile'), ...ours, ctx]);
  writeFileSync(join(out, 'images.json'), lock.stdout);
  const stores = {};
  for (const [key, dir] of Object.entries(layouts)) {
    const blob = (d) => JSON.parse(readFileSync(join(dir, 'blobs', ...d.split(':')), 'utf8'));
    const digest = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')).manifests[0].digest;
    const manifest = blob(digest);
    stores[key] = { digest, manifest, config: blob(manifest.config.digest) };
  }
  if (Object.keys(stores).length) writeFileSync(join(out, 'oci-layouts.json'), `${JSON.stringify(stores, null, 2)}\n`);
}

const fixtures = readdirSync(FIXTURES)
  .filter((n) => existsSync(join(FIXTURES, n, 'request.json')))
  .sort()
  .filter((n) => filters.length === 0 || filters.some((f) => n.includes(f)));
const work = mkdtempSync(join(tmpdir(), 'dfllb-contexts-'));
let identical = 0;
let sameLlb = 0;
const kinds = new Map();

for (const name of fixtures) {
  const dir = join(work, name);
  const ctx = join(dir, 'context');
  cpSync(join(FIXTURES, name), ctx, { recursive: true });
  const req = JSON.parse(readFileSync(join(ctx, 'request.json'), 'utf8'));
  const layouts = {};
  const frontend = ['--frontend', 'dockerfile.v0', '--local', `context=${ctx}`, '--local', `dockerfile=${ctx}`];
  const ours = [];
  if (req.target) {
    frontend.push('--opt', `target=${req.target}`);
    ours.push('--target', req.target);
  }
  for (const [k, v] of Object.entries(req.buildArgs ?? {})) {
    frontend.push('--opt', `build-arg:${k}=${v}`);
    ours.push('--build-arg', `${k}=${v}`);
  }
  try {
    for (const [key, spec] of Object.entries(req.contexts)) {
      const [kind, arg] = [spec.slice(0, spec.indexOf(':')), spec.slice(spec.indexOf(':') + 1)];
      kinds.set(kind === 'docker-image' ? 'docker-image' : kind, (kinds.get(kind) ?? 0) + 1);
      if (kind === 'dir') {
        frontend.push('--local', `${key}=${join(ctx, arg)}`, '--opt', `context:${key}=local:${key}`);
        ours.push('--build-context', `${key}=${join(ctx, arg)}`);
      } else if (kind === 'docker-image') {
        frontend.push('--opt', `context:${key}=${spec}`);
        ours.push('--build-context', `${key}=${spec}`);
      } else if (kind === 'git') {
        const [path, frag] = arg.split('#');
        const url = (await serveGitRepo(join(ctx, path), `${name}-${basename(path)}`)) + (frag ? `#${frag}` : '');
        frontend.push('--opt', `context:${key}=${url}`);
        ours.push('--build-context', `${key}=${url}`);
      } else if (kind === 'http') {
        const file = `${name}-${basename(arg)}`;
        cpSync(join(ctx, arg), join(served, file));
        frontend.push('--opt', `context:${key}=${base}/${file}`);
        ours.push('--build-context', `${key}=${base}/${file}`);
      } else if (kind === 'oci-layout') {
        const layout = join(dir, `layout-${key}`);
        const digest = await ociLayoutOf(arg, layout);
        layouts[key] = layout;
        frontend.push('--oci-layout', `${key}=${layout}`, '--opt', `context:${key}=oci-layout://${key}:latest@${digest}`);
        ours.push('--build-context', `${key}=oci-layout://${layout}`);
      } else {
        throw new Error(`request.json: unknown context form ${spec}`);
      }
    }
  } catch (e) {
    console.log(`${name} SETUP-ERROR ${e.message}`);
    continue;
  }

  const compiled = await run(process.execPath, [cli, 'compile', '-f', join(ctx, 'Dockerfile'), ...ours, '--print-locals', '-o', join(dir, 'ours.pb'), ctx]);
  if (compiled.code !== 0) {
    console.log(`${name} COMPILE-ERROR ${compiled.stderr.trim().split('\n')[0]}`);
    continue;
  }
  // --print-locals: what buildctl needs for our LLB (paths have no spaces here).
  const locals = compiled.stdout.toString('utf8').trim().split(/\s+/).filter(Boolean);
  const builds = [
    ['frontend', [...frontend, '--output', `type=tar,dest=${join(dir, 'frontend.tar')}`]],
    ['provenance', [...frontend, '--opt', 'attest:provenance=mode=max', '--output', `type=oci,dest=${join(dir, 'frontend-oci.tar')}`]],
    ['ours', [...locals, '--no-cache', '--output', `type=tar,dest=${join(dir, 'ours.tar')}`]],
  ];
  let failed = false;
  for (const [side, args] of builds) {
    const r = await run(buildctl, ['--addr', host, 'build', '--progress=plain', ...args], { input: side === 'ours' ? readFileSync(join(dir, 'ours.pb')) : undefined });
    writeFileSync(join(dir, `${side}.log`), r.stderr);
    if (r.code !== 0) {
      console.log(`${name} BUILD-ERROR (${side})\n    ${r.stderr.trim().split('\n').slice(-4).join('\n    ')}`);
      failed = true;
      break;
    }
  }
  if (failed) continue;

  const a = tarTree(readFileSync(join(dir, 'frontend.tar')));
  const b = tarTree(readFileSync(join(dir, 'ours.tar')));
  const diffs = compareTrees(a, b);
  const dump = (await must('dump', process.execPath, [cli, 'dump', join(dir, 'ours.pb')])).stdout.toString('utf8').trim().split('\n').map((l) => JSON.parse(l));
  const oursSteps = stepsOf(dump);
  const theirs = await provenanceSteps(join(dir, 'frontend-oci.tar'));
  const llbSame = JSON.stringify(canon(oursSteps)) === JSON.stringify(canon(theirs));
  if (diffs.length === 0) identical++;
  if (llbSame) sameLlb++;
  console.log(`${name} ${diffs.length === 0 ? `IDENTICAL (${a.size} paths)` : `DIFFERENT (${diffs.length} paths)`}, LLB ${llbSame ? `same ${theirs.length} ops` : 'DIFFERENT'}`);
  for (const d of diffs.slice(0, 10)) console.log(`    ${d}`);
  if (!llbSame) {
    const i = theirs.findIndex((s, k) => JSON.stringify(canon(s)) !== JSON.stringify(canon(oursSteps[k])));
    console.log(`    first differing step ${i} (${oursSteps.length} ours, ${theirs.length} frontend's)\n    ours:     ${JSON.stringify(canon(oursSteps[i]))}\n    frontend: ${JSON.stringify(canon(theirs[i]))}`);
  }
  if (write && diffs.length === 0 && llbSame) await writeExpected(name, ctx, ours, theirs, layouts);
  if (!keep) for (const f of ['frontend.tar', 'ours.tar', 'frontend-oci.tar']) rmSync(join(dir, f), { force: true });
}

server.close();
rmSync(served, { recursive: true, force: true });
if (keep || identical !== fixtures.length || sameLlb !== fixtures.length) console.log(`work files: ${work}`);
else rmSync(work, { recursive: true, force: true });
console.log(`named contexts: ${identical}/${fixtures.length} identical filesystems, ${sameLlb}/${fixtures.length} the frontend's LLB (forms: ${[...kinds].map(([k, n]) => `${k} ${n}`).join(', ')})`);
process.exit(identical === fixtures.length && sameLlb === fixtures.length && fixtures.length > 0 ? 0 : 1);
