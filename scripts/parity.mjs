#!/usr/bin/env node
// Parity with BuildKit: runs every case of our fixtures (test/fixtures) and of the golden corpus
// (../shared/golden or $GOLDEN_DIR, when present) through the CLI (its `main`, in process) and
// compares ops, metadata, source maps, image configs and errors with what BuildKit produced.
//
//   npm run parity                 summary: each failing case with its reason, then a totals line per corpus
//   npm run parity -- CASE...      only cases whose name contains CASE, with a field-by-field diff
//
// `npm run parity` builds first (it loads dist/).
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
if (!existsSync(join(root, 'dist/cli.js'))) {
  console.error('dist/ is missing: run `npm run build` first');
  process.exit(2);
}
const { main } = await import(join(root, 'dist/cli.js'));
const { readDefinition, dumpDefinition } = await import(join(root, 'dist/index.js'));
const { caseOptions, compareCase, errorMatches, expectedError } = await import('./lib/golden-compare.mjs');
const { corpora, GOLDEN, goldenMissingLine, listCases: corpusCases } = await import('./lib/corpus.mjs');

const filters = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const verbose = filters.length > 0;
const work = mkdtempSync(join(tmpdir(), 'dfllb-parity-'));

function listCases(corpus, set) {
  return corpusCases(corpus, { sets: [set] }).filter((c) => filters.length === 0 || filters.some((f) => c.name.includes(f)));
}

async function runCli(args) {
  let stdout = '';
  let stderr = '';
  const code = await main(args, {
    stdout: { write: (c) => ((stdout += typeof c === 'string' ? c : Buffer.from(c).toString('latin1')), true), isTTY: false },
    stderr: { write: (c) => ((stderr += c), true) },
    env: {},
    cwd: root,
  });
  return { code, stdout, stderr };
}

function caseArgs(c, extra) {
  const args = ['compile', '-f', join(c.dir, 'Dockerfile'), ...c.imagesFlags, ...extra];
  const o = caseOptions(c.dir);
  if (o.target) args.push('--target', o.target);
  if (o.platform) args.push('--platform', o.platform);
  for (const [k, v] of Object.entries(o.buildArgs ?? {})) args.push('--build-arg', `${k}=${v}`);
  // The context is the case folder (its .dockerignore applies).
  args.push(c.dir);
  return args;
}

const lines = [];
const failures = [];
for (const corpus of corpora()) {
  const totals = { ops: [0, 0], meta: [0, 0], source: [0, 0], config: [0, 0], errors: [0, 0] };
  const byGroup = {};

  for (const group of ['features', 'real', 'e2e']) {
    for (const c of listCases(corpus, group)) {
      const g = (byGroup[group] ??= { ops: [0, 0] });
      const expected = JSON.parse(readFileSync(join(c.dir, 'expected.json'), 'utf8'));
      const out = join(work, 'out.pb');
      const cfgOut = join(work, 'config.json');
      rmSync(out, { force: true });
      rmSync(cfgOut, { force: true });
      const r = await runCli(caseArgs(c, ['-o', out, '--image-config', cfgOut]));
      for (const k of ['ops', 'meta', 'source', 'config']) totals[k][1]++;
      g.ops[1]++;
      if (r.code !== 0) {
        failures.push(`${c.id}: compile failed: ${r.stderr.trim().split('\n')[0]}`);
        continue;
      }
      const def = readDefinition(new Uint8Array(readFileSync(out)));
      const cmp = compareCase(expected, { def, dump: dumpDefinition(def), imageConfig: JSON.parse(readFileSync(cfgOut, 'utf8')) });
      for (const k of ['ops', 'meta', 'source', 'config']) if (cmp[k]) totals[k][0]++;
      if (cmp.ops) g.ops[0]++;
      const reasons = cmp.reasons;
      if (reasons.length) failures.push(`${c.id}: ${reasons.join('\n    ')}`);
    }
  }

  for (const c of listCases(corpus, 'errors')) {
    const want = expectedError(readFileSync(join(c.dir, 'expected-error.txt'), 'utf8'));
    totals.errors[1]++;
    const r = await runCli(caseArgs(c, ['-o', join(work, 'err.pb')]));
    if (r.code === 0) {
      failures.push(`${c.id}: accepted, BuildKit rejects it with: ${want.raw}`);
      continue;
    }
    // compile sums up the build checks that fired before the error; the error comes after them.
    const first = r.stderr.replace(/^\n \d+ warnings? found [^\n]*:\n(?: - [^\n]*\n)*/, '').split('\n')[0];
    const located = /^[^:]+:(\d+):(\d+): ([\s\S]*)$/.exec(first);
    const message = located ? located[3] : first.replace(/^dockerfile-llb: /, '');
    if (errorMatches(want, message, located ? Number(located[1]) : undefined)) totals.errors[0]++;
    else failures.push(`${c.id}: error differs:\n    ours:     ${first}\n    buildkit: ${want.raw}`);
  }

  if (verbose) for (const [g, v] of Object.entries(byGroup)) lines.push(`${corpus.id} ${g}: ops ${v.ops[0]}/${v.ops[1]}`);
  const t = totals;
  lines.push(
    `${corpus.id}: ops ${t.ops[0]}/${t.ops[1]} meta ${t.meta[0]}/${t.meta[1]} source ${t.source[0]}/${t.source[1]} config ${t.config[0]}/${t.config[1]} errors ${t.errors[0]}/${t.errors[1]}`,
  );
}

rmSync(work, { recursive: true, force: true });
for (const f of failures) console.log(`FAIL ${f}`);
for (const l of lines) console.log(l);
if (!GOLDEN) console.log(goldenMissingLine().replace('golden-corpus tests', 'golden parity'));
