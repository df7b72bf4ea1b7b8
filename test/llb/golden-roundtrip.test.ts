/**
 * Every Definition BuildKit wrote (our fixtures and the golden corpus, every set and platform)
 * decodes into the typed graph and encodes back to the same op bytes, in the same order, with the
 * same metadata and source map.
 */
import { describe, expect, it } from 'vitest';
import { readDefinition, writeDefinition, digestOf } from '../../src/llb/definition';
import { decodeGraph, encodeGraph } from '../../src/llb/marshal';
import { decodeMessage, UNKNOWN_FIELDS } from '../../src/llb/pb/codec';
import { readFileSync } from 'node:fs';
import { allDefinitions, type ExpectedJson } from '../helpers/corpus';

const cases = allDefinitions().map((d) => ({
  name: `${d.case.corpus}:${d.label}`,
  pb: () => new Uint8Array(readFileSync(d.pb)),
  json: () => JSON.parse(readFileSync(d.json, 'utf8')) as ExpectedJson,
}));

function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}

describe('BuildKit’s Definitions round-trip through the typed graph', () => {
  it('finds the corpora', () => {
    expect(cases.length).toBeGreaterThan(20);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const bytes = c.pb();
    const def = readDefinition(bytes);
    const expectedDigests = c.json().ops.map((o) => o.digest);
    expect(def.def.map(digestOf)).toEqual(expectedDigests);

    // No field of any op is unknown to our schema.
    for (const op of def.def) expect(JSON.stringify(Object.keys(decodeMessage('Op', op)))).not.toContain(UNKNOWN_FIELDS);

    const graph = decodeGraph(def);
    const { definition } = encodeGraph(graph);
    expect(definition.def.map(hex)).toEqual(def.def.map(hex));
    expect(definition.metadata).toEqual(def.metadata);
    expect(definition.source).toEqual(def.source);

    // Writing the decoded envelope and reading it again is lossless.
    expect(readDefinition(writeDefinition(definition))).toEqual(def);
  });
});

describe('source types', () => {
  it('classifies every source op by its scheme', async () => {
    const { sourceType } = await import('../../src/graph/traverse');
    const seen = new Set<string>();
    for (const c of cases) {
      for (const v of decodeGraph(readDefinition(c.pb())).vertices.values()) {
        if (v.kind === 'source') seen.add(sourceType(v));
      }
    }
    expect([...seen].sort()).toEqual(['git', 'http', 'image', 'local']);
  });
});
