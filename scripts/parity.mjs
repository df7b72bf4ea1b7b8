#!/usr/bin/env node
// Golden parity: runs every case of ../shared/golden through the CLI (its `main`, in process)
// and compares ops, metadata, source maps, image configs and errors with what BuildKit produced.
//
//   npm run parity                 summary: each failing case with its reason, then the totals line
//   npm run parity -- CASE...      only cases whose name contains CASE, with a field-by-field diff
//
// Needs `npm run build` first (it loads dist/).
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
if (!existsSync(join(root, 'dist/cli.js'))) {
  console.error('dist/ is missing: run `npm run build` first');
  process.exit(2);
}
const { main } = await import(join(root, 'dist/cli.js'));
const { readDefinition, dumpDefinition, digestOf } = await import(join(root, 'dist/index.js'));

const goldenDir = [process.env.GOLDEN_DIR, resolve(root, '../shared/golden'), '/work/shared/golden'].find(
  (d) => d && existsSync(join(d, 'README.md')),
);
if (!goldenDir) {
  console.error('golden corpus not found; set GOLDEN_DIR');
  process.exit(2);
}
const filters = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const verbose = filters.length > 0;
const work = mkdtempSync(join(tmpdir(), 'dfllb-parity-'));
const images = join(goldenDir, 'images.json');

function listCases(group) {
  const dir = join(goldenDir, group);
  return readdirSync(dir)
    .filter((n) => statSync(join(dir, n)).isDirectory())
    .sort()
    .map((n) => ({ name: `${group.replace(/^cases\//, '')}/${n}`, dir: join(dir, n) }))
    .filter((c) => filters.length === 0 || filters.some((f) => c.name.includes(f)));
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
  const args = ['compile', '-f', join(c.dir, 'Dockerfile'), '--images', images, ...extra];
  const cfgPath = join(c.dir, 'case.json');
  if (existsSync(cfgPath)) {
    const cfg = JSON.parse(readFileSync(cfgPath, 'utf8'));
    if (cfg.target) args.push('--target', cfg.target);
    if (cfg.platform) args.push('--platform', cfg.platform);
    for (const [k, v] of Object.entries(cfg.buildArgs ?? {})) args.push('--build-arg', `${k}=${v}`);
  }
  // The context is the case folder (its .dockerignore applies).
  args.push(c.dir);
  return args;
}

/** Replaces progress group ids by their order of appearance, so they compare up to renaming. */
function renameGroups(entries) {
  const ids = new Map();
  return entries.map((md) => {
    if (!md?.progress_group) return md;
    const id = md.progress_group.id;
    if (!ids.has(id)) ids.set(id, `pg${ids.size}`);
    return { ...md, progress_group: { ...md.progress_group, id: ids.get(id) } };
  });
}

function canonical(v) {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical(v[k])]));
  return v;
}
const same = (a, b) => JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));

function firstDiff(a, b, path = '') {
  if (same(a, b)) return undefined;
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of [...keys].sort()) {
      const d = firstDiff(a[k], b[k], `${path}.${k}`);
      if (d) return d;
    }
  }
  return `${path || '.'}: ours ${JSON.stringify(a)?.slice(0, 300)} | buildkit ${JSON.stringify(b)?.slice(0, 300)}`;
}

function sourceJson(def) {
  const locations = {};
  for (const [d, locs] of Object.entries(def.source?.locations ?? {})) {
    locations[d] = locs.length
      ? {
          locations: locs.map((l) => ({
            ...(l.sourceIndex ? { sourceIndex: l.sourceIndex } : {}),
            ...(l.ranges.length ? { ranges: l.ranges.map((r) => ({ start: pos(r.start), end: pos(r.end) })) } : {}),
          })),
        }
      : {};
  }
  const infos = (def.source?.infos ?? []).map((i) => ({ filename: i.filename, data: Buffer.from(i.data).toString('base64'), ...(i.language ? { language: i.language } : {}) }));
  return { locations, infos };
}
const pos = (p) => ({ ...(p.line ? { line: p.line } : {}), ...(p.character ? { character: p.character } : {}) });

const totals = { ops: [0, 0], meta: [0, 0], source: [0, 0], config: [0, 0], errors: [0, 0] };
const byGroup = {};
const failures = [];

for (const group of ['cases/features', 'cases/real', 'cases/e2e']) {
  for (const c of listCases(group)) {
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
      failures.push(`${c.name}: compile failed: ${r.stderr.trim().split('\n')[0]}`);
      continue;
    }
    const def = readDefinition(new Uint8Array(readFileSync(out)));
    const ours = dumpDefinition(def);
    const oursDigests = ours.map((e) => e.Digest);
    const theirs = expected.ops;
    const reasons = [];
    if (same(oursDigests, theirs.map((o) => o.digest))) {
      totals.ops[0]++;
      g.ops[0]++;
    } else {
      let reason = `ops differ (${ours.length} vs ${theirs.length})`;
      // The first op of ours that BuildKit does not have, against the closest of theirs.
      const known = new Set(theirs.map((o) => o.digest));
      const i = ours.findIndex((e) => !known.has(e.Digest));
      if (i >= 0) {
        const name = ours[i].OpMetadata?.description?.['llb.customname'];
        const match = theirs.find((t) => t.metadata?.description?.['llb.customname'] === name && !oursDigests.includes(t.digest)) ?? theirs[i];
        reason += `; first new op #${i} ${name ?? ''}: ${firstDiff(ours[i].Op, match?.op)}`;
      }
      reasons.push(reason);
    }
    const oursMeta = renameGroups(ours.map((e) => e.OpMetadata));
    const theirsMeta = renameGroups(theirs.map((o) => o.metadata));
    if (same(oursMeta, theirsMeta)) totals.meta[0]++;
    else {
      const j = oursMeta.findIndex((m, k) => !same(m, theirsMeta[k]));
      reasons.push(`metadata differs at op #${j}: ${firstDiff(oursMeta[j], theirsMeta[j])}`);
    }
    const src = sourceJson(def);
    if (same(src, { locations: expected.source.locations ?? {}, infos: expected.source.infos ?? [] })) totals.source[0]++;
    else reasons.push(`source map differs: ${firstDiff(src, { locations: expected.source.locations ?? {}, infos: expected.source.infos ?? [] })}`);
    const cfg = JSON.parse(readFileSync(cfgOut, 'utf8'));
    if (same(cfg, expected.imageConfig)) totals.config[0]++;
    else reasons.push(`image config differs: ${firstDiff(cfg, expected.imageConfig)}`);
    if (reasons.length) failures.push(`${c.name}: ${reasons.join('\n    ')}`);
  }
}

for (const c of listCases('errors')) {
  const expected = readFileSync(join(c.dir, 'expected-error.txt'), 'utf8').trim();
  const m = /^dockerfile parse error on line (\d+): ([\s\S]*)$/.exec(expected);
  const wantLine = m ? Number(m[1]) : undefined;
  const wantMessage = m ? m[2] : expected;
  totals.errors[1]++;
  const r = await runCli(caseArgs(c, ['-o', join(work, 'err.pb')]));
  if (r.code === 0) {
    failures.push(`${c.name}: accepted, BuildKit rejects it with: ${expected}`);
    continue;
  }
  const first = r.stderr.split('\n')[0];
  const located = /^[^:]+:(\d+):(\d+): ([\s\S]*)$/.exec(first);
  const gotMessage = located ? located[3] : first.replace(/^dockerfile-llb: /, '');
  const gotLine = located ? Number(located[1]) : undefined;
  const unknownImage = /is not in the image metadata file|unknown image/.test(gotMessage) && /not found|not in fixture|pull access denied|failed to resolve/.test(expected);
  if ((gotMessage === wantMessage || unknownImage) && (wantLine === undefined || gotLine === wantLine)) totals.errors[0]++;
  else failures.push(`${c.name}: error differs:\n    ours:     ${first}\n    buildkit: ${expected}`);
}

rmSync(work, { recursive: true, force: true });
for (const f of failures) console.log(`FAIL ${f}`);
if (verbose) for (const [g, v] of Object.entries(byGroup)) console.log(`${g}: ops ${v.ops[0]}/${v.ops[1]}`);
const t = totals;
console.log(
  `ops ${t.ops[0]}/${t.ops[1]} meta ${t.meta[0]}/${t.meta[1]} source ${t.source[0]}/${t.source[1]} config ${t.config[0]}/${t.config[1]} errors ${t.errors[0]}/${t.errors[1]}`,
);
