#!/usr/bin/env node
// Writes the expected files of our fixture corpus (test/fixtures) from BuildKit itself: refllb, BuildKit
// v0.32.2's own Dockerfile converter, built by the oracle recipe (docs/contributing.md).
//
//   npm run fixtures                       every case
//   npm run fixtures -- features errors    only these sets
//   npm run fixtures -- features/workdir   only cases whose name contains this
//   npm run fixtures -- --check            write nothing; list what is stale, exit 1 if anything is
//   npm run fixtures -- --corpus DIR       another corpus of the same layout (e.g. a copy of the golden one)
//
// For every case folder (cases/<set>/<name>/ and errors/<name>/, each with a Dockerfile, optional
// case.json and .dockerignore), refllb runs with every output flag, so each case gets BuildKit's LLB
// (expected.pb and expected.json, or expected/<os>-<arch>.pb|.json for a multi-platform case.json),
// or its error (expected-error.txt), and the build-check warnings, the check (lint) request, the outline
// and the targets (expected-warnings.json, expected-lint.json, expected-lint.txt, expected-outline.json,
// expected-targets.json) whenever BuildKit gives them.
//
// BuildKit writes a Definition's metadata map in random order and gives progress groups random ids, so
// an expected file is rewritten only when its decoded content changed; otherwise it is left byte for
// byte as it is. Expected files a case no longer produces are removed.
//
// Finds refllb at $BUILDKIT_ORACLE/bin/refllb ($BUILDKIT_ORACLE defaults to ~/.cache/buildkit-oracle).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { CASE_SETS, EXPECTED_FILES, FIXTURES, listCases, readCaseJson } from './lib/corpus.mjs';
import { sameDefinitionJson, sameExpectedText } from './lib/expected.mjs';
import { ORACLE } from './lib/oracle.mjs';

const argv = process.argv.slice(2);
const check = argv.includes('--check');
const corpusArg = argv.indexOf('--corpus');
const corpusDir = corpusArg >= 0 ? resolve(argv[corpusArg + 1] ?? '') : FIXTURES.dir;
const filters = argv.filter((a, i) => !a.startsWith('--') && !(corpusArg >= 0 && i === corpusArg + 1));

const refllb = join(ORACLE, 'bin', 'refllb');
if (!existsSync(refllb)) {
  console.error(`fixtures: no refllb at ${refllb}.
The expected files come from BuildKit itself. Build the oracle once (a few minutes on 2 cores):
  BUILDKIT_MIRROR=/path/to/a/clone/of/moby/buildkit bash ../shared/oracle/build.sh
  eval "$(bash ../shared/oracle/build.sh env)"
or point BUILDKIT_ORACLE at a directory holding bin/refllb. docs/contributing.md has the details.`);
  process.exit(2);
}

const corpus = { id: 'fixtures', dir: corpusDir, images: join(corpusDir, 'images.json') };
if (!existsSync(corpus.images)) {
  console.error(`fixtures: no images.json in ${corpusDir}`);
  process.exit(2);
}
const allSets = [...CASE_SETS, 'errors'];
const setFilters = filters.filter((f) => allSets.includes(f));
const nameFilters = filters.filter((f) => !allSets.includes(f));
const cases = listCases(corpus, { sets: setFilters.length ? setFilters : allSets }).filter(
  (c) => nameFilters.length === 0 || nameFilters.some((f) => c.name.includes(f)),
);
if (cases.length === 0) {
  console.error(`fixtures: no case matches ${filters.join(' ')}`);
  process.exit(2);
}

const work = mkdtempSync(join(tmpdir(), 'dfllb-fixtures-'));

function run(cmd, args, cwd) {
  return new Promise((done) => {
    const p = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('close', (code, signal) => done({ code, signal, stdout, stderr }));
  });
}

/** Every file below dir, as paths relative to it. */
function filesUnder(dir, prefix = '') {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`],
  );
}

/** The expected files a case folder holds now (relative paths). */
function currentExpected(dir) {
  return [...EXPECTED_FILES.filter((f) => existsSync(join(dir, f))), ...filesUnder(join(dir, 'expected'), 'expected/')];
}

/** Whether a freshly generated file says the same as the committed one. */
function unchanged(rel, dir, out) {
  const oldPath = join(dir, rel);
  if (!existsSync(oldPath)) return false;
  const newPath = join(out, rel);
  if (rel.endsWith('.pb')) {
    // A Definition is unchanged when its readable JSON is (the JSON renders every field of it), so the
    // .pb is judged with its .json.
    const j = rel.replace(/\.pb$/, '.json');
    return existsSync(join(dir, j)) && sameDefinitionJson(readFileSync(join(dir, j), 'utf8'), readFileSync(join(out, j), 'utf8'));
  }
  if (rel.startsWith('expected/') || rel === 'expected.json') {
    return sameDefinitionJson(readFileSync(oldPath, 'utf8'), readFileSync(newPath, 'utf8'));
  }
  return sameExpectedText(readFileSync(oldPath, 'utf8'), readFileSync(newPath, 'utf8'));
}

const problems = [];
const stale = [];
const counts = { written: 0, unchanged: 0, removed: 0 };

async function generate(c, index) {
  const out = join(work, String(index));
  mkdirSync(out, { recursive: true });
  const multi = (readCaseJson(c.dir).platforms ?? []).length > 0;
  const args = ['-f', 'Dockerfile', '-images', corpus.images];
  if (existsSync(join(c.dir, 'case.json'))) args.push('-case', 'case.json');
  if (multi) args.push('-out-pb', join(out, 'expected'), '-out-json', join(out, 'expected'));
  else args.push('-out-pb', join(out, 'expected.pb'), '-out-json', join(out, 'expected.json'));
  args.push(
    '-warnings', join(out, 'expected-warnings.json'),
    '-lint', join(out, 'expected-lint.json'),
    '-lint-text', join(out, 'expected-lint.txt'),
    '-outline', join(out, 'expected-outline.json'),
    '-targets', join(out, 'expected-targets.json'),
  );
  const r = await run(refllb, args, c.dir);
  if (r.code !== 0 && r.code !== 1) {
    problems.push(`${c.name}: refllb exited with ${r.signal ?? r.code}: ${r.stderr.trim()}`);
    return;
  }
  const built = existsSync(join(out, multi ? 'expected' : 'expected.pb'));
  if (!built) {
    // The conversion failed: its message is BuildKit's error for this Dockerfile.
    if (r.code !== 1 || !r.stderr.startsWith('error: ')) {
      problems.push(`${c.name}: no LLB and no error from refllb: ${r.stderr.trim()}`);
      return;
    }
    writeFileSync(join(out, 'expected-error.txt'), `${r.stderr.trim().replace(/^error: /, '')}\n`);
  }
  if (c.set === 'errors' && built) problems.push(`${c.name}: BuildKit accepts this Dockerfile; move it to cases/ or make it fail`);
  if ((c.set === 'features' || c.set === 'e2e') && !built) {
    problems.push(`${c.name}: BuildKit rejects it (${r.stderr.trim()}); a failing Dockerfile belongs in errors/`);
  }

  const produced = new Set(filesUnder(out));
  // Judge every file before writing any: a .pb is judged by its .json, which may be rewritten too.
  const changed = [...produced].sort().filter((rel) => !unchanged(rel, c.dir, out));
  counts.unchanged += produced.size - changed.length;
  for (const rel of changed) {
    stale.push(`${c.name}/${rel}`);
    if (check) continue;
    mkdirSync(join(c.dir, rel, '..'), { recursive: true });
    writeFileSync(join(c.dir, rel), readFileSync(join(out, rel)));
    counts.written++;
  }
  for (const rel of currentExpected(c.dir)) {
    if (produced.has(rel)) continue;
    stale.push(`${c.name}/${rel} (no longer produced)`);
    if (check) continue;
    rmSync(join(c.dir, rel));
    counts.removed++;
  }
  if (!check && existsSync(join(c.dir, 'expected')) && filesUnder(join(c.dir, 'expected')).length === 0) {
    rmSync(join(c.dir, 'expected'), { recursive: true });
  }
  rmSync(out, { recursive: true, force: true });
}

// Two at a time: refllb is single-threaded enough, and the machine is shared.
let next = 0;
await Promise.all(
  [0, 1].map(async () => {
    while (next < cases.length) {
      const i = next++;
      await generate(cases[i], i);
    }
  }),
);
rmSync(work, { recursive: true, force: true });

const bySet = {};
for (const c of cases) bySet[c.set] = (bySet[c.set] ?? 0) + 1;
for (const p of problems) console.error(`PROBLEM ${p}`);
if (check) for (const s of stale) console.log(`stale ${s}`);
const where = relative(process.cwd(), corpusDir) || '.';
console.log(
  `fixtures (${where}): ${cases.length} cases (${Object.entries(bySet).map(([k, v]) => `${k} ${v}`).join(', ')}); ` +
    (check ? `${stale.length} stale, ${counts.unchanged} up to date` : `${counts.written} written, ${counts.unchanged} unchanged, ${counts.removed} removed`),
);
process.exit(problems.length || (check && stale.length) ? 1 : 0);
