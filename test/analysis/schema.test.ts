/** The JSON documents follow the version 1 schema of docs/analysis.md, field for field. */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analysisToJson, analyze, diffToJson, linkReport, linkReportToJson, SCHEMA_VERSION, whatIf } from '../../src/analysis/index';
import { hasGolden } from '../helpers/corpus';
import { allCases, fakeDigest, fixture } from './helpers';

const doc = readFileSync(join(__dirname, '../../docs/analysis.md'), 'utf8');

/** The `steps[].x` names of the diff field table. */
function documentedStepFields(): string[] {
  const names = [...doc.matchAll(/^\| `steps\[\]\.([a-zA-Z]+)` \|/gm)].map((m) => m[1]);
  return [...new Set(names)];
}

const nullableString = (v: unknown) => v === null || typeof v === 'string';
const nullableNumber = (v: unknown) => v === null || typeof v === 'number';
const isRef = (r: unknown) => {
  const x = r as Record<string, unknown>;
  return Object.keys(x).join(',') === 'index,name,label,digest' && typeof x.index === 'number' && /^sha256:[0-9a-f]{64}$/.test(x.digest as string);
};

describe('JSON schema version 1', () => {
  it('documents every field of a diff step, and only those', async () => {
    const lc = fixture('features/copy-link-from-stage');
    const json = diffToJson(await whatIf(lc.dockerfile, lc.options, { image: { ref: 'alpine:3.20', digest: fakeDigest(1) } }));
    expect(SCHEMA_VERSION).toBe(1);
    expect(Object.keys(json)).toEqual(['version', 'kind', 'summary', 'steps']);
    for (const s of json.steps) expect(Object.keys(s)).toEqual(documentedStepFields());
    expect(doc).toContain('| `steps[].cause.type` |');
  });

  it('gives every field its documented type, in diffs of the corpora', async () => {
    let steps = 0;
    for (const lc of allCases().filter((_, i) => i % 4 === 0)) {
      const refs = analyze(lc.expected).steps.filter((s) => s.kind === 'source' && String((s.op.source as { identifier: string }).identifier).startsWith('docker-image://'));
      const ref = refs[0] && String((refs[0].op.source as { identifier: string }).identifier).slice('docker-image://'.length);
      const json = diffToJson(await whatIf(lc.dockerfile, lc.options, ref ? { image: { ref } } : { buildArgs: { UNUSED_ARG: 'x' } }));
      expect(json.version).toBe(1);
      expect(json.kind).toBe('diff');
      expect(Object.keys(json.summary)).toEqual(['unchanged', 'changed', 'added', 'removed']);
      for (const s of json.steps) {
        expect(typeof s.index).toBe('number');
        expect(typeof s.name).toBe('string');
        expect(typeof s.label).toBe('string');
        expect(s.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
        expect(['source', 'exec', 'file', 'merge', 'diff', 'build', 'result']).toContain(s.kind);
        expect(nullableString(s.instruction) && nullableString(s.stage)).toBe(true);
        expect(nullableNumber(s.line) && nullableNumber(s.endLine)).toBe(true);
        expect([null, 'copy', 'merge']).toContain(s.link);
        expect(['unchanged', 'changed', 'added', 'removed']).toContain(s.status);
        expect(typeof s.reason).toBe('string');
        expect(s.reason === '').toBe(s.status === 'unchanged');
        expect(s.cause === null).toBe(s.status === 'unchanged');
        expect(s.oldDigest === null).toBe(s.status === 'added' || s.status === 'removed');
        if (s.cause?.type === 'input') {
          expect(isRef(s.cause.input)).toBe(true);
          expect(s.cause.inputs.every(isRef) && s.cause.origins.every(isRef)).toBe(true);
          expect(Array.isArray(s.cause.fields)).toBe(true);
        } else if (s.cause?.type === 'fields') {
          expect(s.cause.fields.length).toBeGreaterThan(0);
        } else if (s.cause) {
          expect(s.cause.type).toBe(s.status);
        }
        steps++;
      }
      // The steps survive a JSON round trip unchanged (no undefined, no bigint).
      expect(JSON.parse(JSON.stringify(json))).toEqual(json);
    }
    expect(steps).toBeGreaterThan(hasGolden ? 300 : 30);
  });

  it('documents the analysis and link-report documents', async () => {
    const lc = fixture('features/copy-link-context');
    const a = analysisToJson(analyze(lc.expected));
    expect(Object.keys(a)).toEqual(['version', 'kind', 'stages', 'steps']);
    expect(Object.keys(a.stages[0])).toEqual(['index', 'name', 'line', 'endLine', 'from']);
    expect(Object.keys(a.steps[0])).toEqual([...documentedStepFields().slice(0, 11), 'inputs', 'linkPeer']);
    const r = linkReportToJson(await linkReport(lc.dockerfile, lc.options));
    expect(Object.keys(r)).toEqual(['version', 'kind', 'copies', 'variants', 'extraOps', 'baseChanges', 'errors']);
    for (const key of ['instruction', 'name', 'line', 'endLine', 'stage', 'linkFlag', 'linked', 'baseImages', 'withLink', 'withoutLink']) {
      expect(Object.keys(r.copies[0])).toContain(key);
      expect(doc).toMatch(new RegExp(`[.\`]${key}\``));
    }
    for (const key of ['copy', 'merge', 'laterChanged', 'laterKept']) expect(Object.keys(r.copies[0].withLink!)).toContain(key);
  });
});

describe('src/analysis is browser-safe', () => {
  const dir = join(__dirname, '../../src/analysis');
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
    it(file, () => {
      const code = readFileSync(join(dir, file), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
      expect(code).not.toMatch(/from\s+['"](node:|fs|path|os|crypto|child_process|http|https|net|url)['"/]/);
      expect(code).not.toMatch(/\b(Buffer|process|require|__dirname)\b/);
      expect(code).not.toMatch(/from '\.\.\/(cli|node|resolver)\//);
    });
  }
});
