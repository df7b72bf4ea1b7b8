#!/usr/bin/env node
// End to end: builds every e2e fixture (test/fixtures/cases/e2e) twice on a running buildkitd, once
// with BuildKit's own Dockerfile frontend and once from our LLB piped into `buildctl build`, and
// compares the two exported filesystems: paths, types, modes, owners, symlink targets, contents
// (mtimes are left out).
//
//   npm run e2e                  every e2e fixture
//   npm run e2e -- NAME...       only those whose name contains NAME
//   npm run e2e -- --keep        keep the work folder (contexts, LLB, tars, logs) and print its path
//   npm run e2e -- --cache       let our build reuse the daemon's cache (default: --no-cache, so our
//                                LLB's steps really run instead of hitting the frontend build's cache)
//
// Base images are resolved at run time from the registry the Dockerfiles name (the oracle's
// localhost:5000), by our own resolver for our LLB and by BuildKit for its frontend, so the run
// needs no images file and works on any machine with the oracle's daemon and registry.
// Finds buildctl at $BUILDKIT_ORACLE/bin/buildctl (default ~/.cache/buildkit-oracle) and the daemon
// at $BUILDKIT_HOST (default unix://$BUILDKIT_ORACLE/buildkitd.sock). `npm run e2e` builds first.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { cliFlags, frontendOpts } from './lib/case-request.mjs';
import { EXPECTED_FILES, FIXTURES, listCases, readCaseJson, ROOT } from './lib/corpus.mjs';
import { BUILDCTL as buildctl, BUILDKIT_HOST as host, requireDaemon, run } from './lib/oracle.mjs';
import { compareTrees, tarTree } from './lib/tar.mjs';

const argv = process.argv.slice(2);
const keep = argv.includes('--keep');
const useCache = argv.includes('--cache');
const filters = argv.filter((a) => !a.startsWith('--'));

const cli = join(ROOT, 'bin', 'dockerfile-llb.cjs');

await requireDaemon('e2e');

const cases = listCases(FIXTURES, { sets: ['e2e'] }).filter((c) => filters.length === 0 || filters.some((f) => c.name.includes(f)));
if (cases.length === 0) {
  console.error(`e2e: no e2e fixture matches ${filters.join(' ')}`);
  process.exit(2);
}
const work = mkdtempSync(join(tmpdir(), 'dfllb-e2e-'));
let identical = 0;
let skipped = 0;

for (const c of cases) {
  const name = basename(c.dir);
  const dir = join(work, name);
  const ctx = join(dir, 'context');
  mkdirSync(dir, { recursive: true });
  // The build context: the case folder without the expected files (BuildKit's answers are not part
  // of the project).
  const generated = new Set([...EXPECTED_FILES, 'expected']);
  cpSync(c.dir, ctx, { recursive: true, verbatimSymlinks: true, filter: (src) => src === c.dir || !generated.has(basename(src)) || join(src, '..') !== c.dir });
  const cfg = readCaseJson(c.dir);
  if ((cfg.platforms ?? []).length > 1) {
    console.log(`${name} SKIPPED (a multi-platform request; e2e compares one platform)`);
    skipped++;
    continue;
  }

  // Ours: compile (base images resolved from their registry now), then build the LLB.
  const ours = await run(process.execPath, [cli, 'compile', '-f', join(ctx, 'Dockerfile'), ...cliFlags(cfg), '-o', join(dir, 'ours.pb'), ctx]);
  if (ours.code !== 0) {
    console.log(`${name} COMPILE-ERROR ${ours.stderr.trim().split('\n')[0]}`);
    continue;
  }
  const builds = [
    ['frontend', ['--frontend', 'dockerfile.v0', '--local', `context=${ctx}`, '--local', `dockerfile=${ctx}`, ...frontendOpts(cfg).flatMap((o) => ['--opt', o])], undefined],
    ['ours', ['--local', `context=${ctx}`, ...(useCache ? [] : ['--no-cache'])], readFileSync(join(dir, 'ours.pb'))],
  ];
  let failed = false;
  for (const [side, args, input] of builds) {
    const r = await run(buildctl, ['--addr', host, 'build', '--progress=plain', ...args, '--output', `type=tar,dest=${join(dir, `${side}.tar`)}`], { input });
    writeFileSync(join(dir, `${side}.log`), r.stderr);
    if (r.code !== 0) {
      const tail = r.stderr.trim().split('\n').slice(-4).join('\n    ');
      console.log(`${name} BUILD-ERROR (${side})\n    ${tail}`);
      failed = true;
      break;
    }
  }
  if (failed) continue;
  const a = tarTree(readFileSync(join(dir, 'frontend.tar')));
  const b = tarTree(readFileSync(join(dir, 'ours.tar')));
  const diffs = compareTrees(a, b);
  if (diffs.length === 0) {
    identical++;
    console.log(`${name} IDENTICAL (${a.size} paths)`);
  } else {
    console.log(`${name} DIFFERENT (${diffs.length} of ${new Set([...a.keys(), ...b.keys()]).size} paths)`);
    for (const d of diffs.slice(0, 20)) console.log(`    ${d}`);
  }
  if (!keep) {
    rmSync(join(dir, 'frontend.tar'), { force: true });
    rmSync(join(dir, 'ours.tar'), { force: true });
  }
}

const built = cases.length - skipped;
if (keep || identical !== built) console.log(`work files (contexts, LLB, logs): ${work}`);
else rmSync(work, { recursive: true, force: true });
console.log(`e2e ${identical}/${built} identical${skipped ? ` (${skipped} skipped)` : ''}`);
process.exit(identical === built && built > 0 ? 0 : 1);
