#!/usr/bin/env node
// Parity with BuildKit on everything a `docker build` request asks beyond the default LLB (issue 11):
// every case of our fixtures and of the golden corpus (when present) that has BuildKit's answers runs
// through the CLI (its `main`, in process), and each answer is counted per corpus, set and kind:
//
//   lint-json   `check --format json`              = expected-lint.json (as a JSON value, random orders aside)
//   lint-text   `check`                            = expected-lint.txt (text)
//   warnings    `compile --warnings-json FILE`     = expected-warnings.json (as a JSON value)
//   build-error `compile` fails with BuildKit's message (cases with expected-error.txt)
//   outline     `outline --format json`            = expected-outline.json (bytes), or fails like BuildKit
//   targets     `outline --targets --format json`  = expected-targets.json (bytes), or fails like BuildKit
//   ops meta source config    (cases/options)      `compile` with the case's request as docker build flags,
//                                                  per platform, = expected.json / expected/<platform>.json
//
//   npm run parity:requests               counts, then each mismatch
//   npm run parity:requests -- CASE...    only cases whose name contains CASE
//
// Where BuildKit's own order is random (the golden README) any order counts as equal
// (scripts/lib/check-compare.mjs). `npm run parity:requests` builds first (it loads dist/).
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliFlags } from './lib/case-request.mjs';
import { normalizeErrorMessage, normalizeLint, normalizeUnknownImage, normalizeWarnings } from './lib/check-compare.mjs';
import { corpora, GOLDEN, goldenMissingLine, listCases, ROOT, readCaseJson } from './lib/corpus.mjs';
import { compareCase, expectedError, same } from './lib/golden-compare.mjs';

if (!existsSync(join(ROOT, 'dist/cli.js'))) {
  console.error('dist/ is missing: run `npm run build` first');
  process.exit(2);
}
const { main } = await import(join(ROOT, 'dist/cli.js'));
const { readDefinition, dumpDefinition } = await import(join(ROOT, 'dist/index.js'));

const filters = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const work = mkdtempSync(join(tmpdir(), 'dfllb-parity-requests-'));
const SETS = ['features', 'real', 'e2e', 'checks', 'options', 'errors'];
const KINDS = ['lint-json', 'lint-text', 'warnings', 'build-error', 'outline', 'targets', 'ops', 'meta', 'source', 'config'];

async function cli(args) {
  const out = [];
  let stderr = '';
  const code = await main(args, {
    stdout: { write: (c) => (out.push(Buffer.from(c)), true), isTTY: false },
    stderr: { write: (c) => ((stderr += c), true) },
    env: {},
    cwd: ROOT,
  });
  return { code, stdout: Buffer.concat(out).toString('utf8'), stderr };
}

const read = (dir, f) => readFileSync(join(dir, f), 'utf8');
const has = (dir, f) => existsSync(join(dir, f));
const json = (text) => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

/** Whether a failed run says BuildKit's message (after its `dockerfile parse error on line N:` prefix). */
function failsLike(r, errorText) {
  const want = expectedError(errorText);
  return r.code === 1 && normalizeErrorMessage(r.stderr).includes(normalizeErrorMessage(want.message));
}

/** The kinds of one case: [kind, matched, why-not][] */
async function runCase(c) {
  const dir = c.dir;
  const cfg = readCaseJson(dir);
  const errorText = has(dir, 'expected-error.txt') ? read(dir, 'expected-error.txt') : undefined;
  const out = [];
  const count = (kind, ok, why) => out.push([kind, ok, ok ? '' : why]);
  const requestFlags = [...cliFlags(cfg), ...c.imagesFlags];
  // The check request takes the target and build args; it ignores the platforms and other options.
  const checkFlags = [...cliFlags({ target: cfg.target, buildArgs: cfg.buildArgs }), ...c.imagesFlags];

  if (has(dir, 'expected-lint.json')) {
    const r = await cli(['check', dir, ...checkFlags, '--format', 'json']);
    const want = JSON.parse(read(dir, 'expected-lint.json'));
    const got = json(r.stdout);
    const clean = want.warnings === null && want.buildError === undefined;
    count('lint-json', got !== undefined && same(normalizeLint(got), normalizeLint(want)) && r.code === (clean ? 0 : 1), `check --format json differs (exit ${r.code})`);
  }
  if (has(dir, 'expected-lint.txt')) {
    const r = await cli(['check', dir, ...checkFlags]);
    count('lint-text', normalizeUnknownImage(r.stdout + r.stderr) === normalizeUnknownImage(read(dir, 'expected-lint.txt')), 'check text differs');
  }

  const multi = Array.isArray(cfg.platforms);
  const dest = join(work, multi ? 'out/' : 'out.pb');
  const config = join(work, multi ? 'config/' : 'config.json');
  const warnings = join(work, 'warnings.json');
  for (const p of ['out', 'out.pb', 'config', 'config.json', 'warnings.json']) rmSync(join(work, p), { recursive: true, force: true });
  const built = await cli(['compile', '-f', join(dir, 'Dockerfile'), ...requestFlags, '-o', dest, '--image-config', config, '--warnings-json', warnings, dir]);
  if (has(dir, 'expected-warnings.json')) {
    const got = existsSync(warnings) ? json(readFileSync(warnings, 'utf8')) : undefined;
    count('warnings', got !== undefined && same(normalizeWarnings(got), normalizeWarnings(JSON.parse(read(dir, 'expected-warnings.json')))), 'compile --warnings-json differs');
  }
  if (errorText !== undefined && c.set !== 'errors') {
    count('build-error', failsLike(built, errorText), `compile: ${built.code === 0 ? 'accepted' : built.stderr.trim().split('\n').pop()}`);
  }
  if (c.set === 'options' && errorText === undefined) {
    const files = multi ? readdirSync(join(dir, 'expected')).filter((f) => f.endsWith('.json')).sort() : ['expected.json'];
    for (const f of files) {
      const pb = multi ? join(dest, f.replace(/\.json$/, '.pb')) : dest;
      const cfgFile = multi ? join(config, f) : config;
      const expected = JSON.parse(readFileSync(multi ? join(dir, 'expected', f) : join(dir, f), 'utf8'));
      if (built.code !== 0 || !existsSync(pb)) {
        for (const k of ['ops', 'meta', 'source', 'config']) count(k, false, `${f}: compile failed: ${built.stderr.trim().split('\n').pop()}`);
        continue;
      }
      const def = readDefinition(new Uint8Array(readFileSync(pb)));
      const cmp = compareCase(expected, { def, dump: dumpDefinition(def), imageConfig: JSON.parse(readFileSync(cfgFile, 'utf8')) });
      for (const k of ['ops', 'meta', 'source', 'config']) count(k, cmp[k], `${f}: ${cmp.reasons.join('; ')}`);
    }
  }

  for (const kind of ['outline', 'targets']) {
    const extra = kind === 'targets' ? ['--targets'] : [];
    const file = `expected-${kind}.json`;
    if (has(dir, file)) {
      const r = await cli(['outline', '-f', join(dir, 'Dockerfile'), ...requestFlags, ...extra, '--format', 'json', dir]);
      count(kind, r.code === 0 && r.stdout === read(dir, file), `outline ${extra.join(' ')} differs`);
    } else if (errorText !== undefined && (kind === 'outline' || c.set !== 'errors')) {
      // The request fails like the build (BuildKit's crash on targets of checks/063 aside: it has
      // neither file). The targets request only parses: where a rejected Dockerfile (errors/) has no
      // targets, BuildKit's parse error is not recorded, and is not always the build's (empty file).
      const r = await cli(['outline', '-f', join(dir, 'Dockerfile'), ...requestFlags, ...extra, '--format', 'json', dir]);
      count(kind, failsLike(r, errorText) && r.stdout === '', `outline ${extra.join(' ')} does not fail like BuildKit`);
    }
  }
  return out;
}

const wanted = (c) => filters.length === 0 || filters.some((f) => c.name.includes(f));
const lines = [];
const mismatches = [];
for (const corpus of corpora()) {
  const totals = Object.fromEntries(KINDS.map((k) => [k, [0, 0]]));
  for (const set of SETS) {
    // Options cases BuildKit refuses have only expected-error.txt: they count under build-error.
    const cases = listCases(corpus, { sets: [set] }).filter((c) => wanted(c) && (has(c.dir, 'expected-lint.json') || set === 'options'));
    if (cases.length === 0) continue;
    const counts = Object.fromEntries(KINDS.map((k) => [k, [0, 0]]));
    for (const c of cases) {
      for (const [kind, ok, why] of await runCase(c)) {
        counts[kind][1]++;
        totals[kind][1]++;
        if (ok) {
          counts[kind][0]++;
          totals[kind][0]++;
        } else mismatches.push(`${c.id} ${kind}: ${why}`);
      }
    }
    const shown = KINDS.filter((k) => counts[k][1] > 0).map((k) => `${k} ${counts[k][0]}/${counts[k][1]}`);
    lines.push(`${corpus.id} ${set} (${cases.length} cases): ${shown.join('  ')}`);
  }
  if (KINDS.some((k) => totals[k][1] > 0)) lines.push(`${corpus.id} total: ${KINDS.filter((k) => totals[k][1] > 0).map((k) => `${k} ${totals[k][0]}/${totals[k][1]}`).join('  ')}`);
}

rmSync(work, { recursive: true, force: true });
for (const l of lines) console.log(l);
for (const m of mismatches) console.log(`MISMATCH ${m}`);
if (!GOLDEN) console.log(goldenMissingLine().replace('golden-corpus tests', 'golden request parity'));
process.exitCode = mismatches.length ? 1 : 0;
