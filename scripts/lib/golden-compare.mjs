// Comparison of our output with a golden case (shared by scripts/parity.mjs and the tests).
// Plain JavaScript so that both the parity script (run by node on dist/) and vitest can load it.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Build options of a case folder: case.json's target, platform and build args. */
export function caseOptions(dir) {
  const p = join(dir, 'case.json');
  if (!existsSync(p)) return {};
  const cfg = JSON.parse(readFileSync(p, 'utf8'));
  return { target: cfg.target, platform: cfg.platform, buildArgs: cfg.buildArgs ?? {} };
}

/** Replaces progress group ids by their order of appearance, so they compare up to renaming. */
export function renameGroups(entries) {
  const ids = new Map();
  return entries.map((md) => {
    if (!md?.progress_group) return md;
    const id = md.progress_group.id;
    if (!ids.has(id)) ids.set(id, `pg${ids.size}`);
    return { ...md, progress_group: { ...md.progress_group, id: ids.get(id) } };
  });
}

export function canonical(v) {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical(v[k])]));
  return v;
}

export const same = (a, b) => JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));

/** The first path where two JSON values differ, with both sides. */
export function firstDiff(a, b, path = '') {
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

const pos = (p) => ({ ...(p.line ? { line: p.line } : {}), ...(p.character ? { character: p.character } : {}) });

/** A decoded Definition's source map in the protojson shape of expected.json. */
export function sourceJson(def) {
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
  const infos = (def.source?.infos ?? []).map((i) => ({
    filename: i.filename,
    data: Buffer.from(i.data).toString('base64'),
    ...(i.language ? { language: i.language } : {}),
  }));
  return { locations, infos };
}

/**
 * Compares our Definition (decoded) and image config with a case's expected.json.
 * `dump` is dumpDefinition(def). Returns which parts match and a reason for each that does not.
 */
export function compareCase(expected, { def, dump, imageConfig }) {
  const result = { ops: false, meta: false, source: false, config: false, reasons: [] };
  const oursDigests = dump.map((e) => e.Digest);
  const theirs = expected.ops;
  if (same(oursDigests, theirs.map((o) => o.digest))) result.ops = true;
  else {
    let reason = `ops differ (${dump.length} vs ${theirs.length})`;
    const known = new Set(theirs.map((o) => o.digest));
    const i = dump.findIndex((e) => !known.has(e.Digest));
    if (i >= 0) {
      const name = dump[i].OpMetadata?.description?.['llb.customname'];
      const match = theirs.find((t) => t.metadata?.description?.['llb.customname'] === name && !oursDigests.includes(t.digest)) ?? theirs[i];
      reason += `; first new op #${i} ${name ?? ''}: ${firstDiff(dump[i].Op, match?.op)}`;
    }
    result.reasons.push(reason);
  }
  const oursMeta = renameGroups(dump.map((e) => e.OpMetadata));
  const theirsMeta = renameGroups(theirs.map((o) => o.metadata));
  if (same(oursMeta, theirsMeta)) result.meta = true;
  else {
    const j = oursMeta.findIndex((m, k) => !same(m, theirsMeta[k]));
    result.reasons.push(`metadata differs at op #${j}: ${firstDiff(oursMeta[j], theirsMeta[j])}`);
  }
  const src = sourceJson(def);
  const want = { locations: expected.source?.locations ?? {}, infos: expected.source?.infos ?? [] };
  if (same(src, want)) result.source = true;
  else result.reasons.push(`source map differs: ${firstDiff(src, want)}`);
  if (same(imageConfig, expected.imageConfig)) result.config = true;
  else result.reasons.push(`image config differs: ${firstDiff(imageConfig, expected.imageConfig)}`);
  return result;
}

/** Parses expected-error.txt into the message and (when BuildKit gave one) the line. */
export function expectedError(text) {
  const t = text.trim();
  const m = /^dockerfile parse error on line (\d+): ([\s\S]*)$/.exec(t);
  return m ? { line: Number(m[1]), message: m[2], raw: t } : { line: undefined, message: t, raw: t };
}

/** Whether our error (message, line) is BuildKit's. Unknown-image errors are fixture-specific. */
export function errorMatches(want, message, line) {
  const unknownImage = /is not in the image metadata file/.test(message) && /not found|not in fixture|pull access denied|failed to resolve/.test(want.message);
  return (message === want.message || unknownImage) && (want.line === undefined || line === want.line);
}
