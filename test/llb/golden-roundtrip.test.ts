/**
 * Every golden Definition BuildKit wrote decodes into the typed graph and encodes back to the
 * same op bytes, in the same order, with the same metadata and source map.
 */
import { describe, expect, it } from 'vitest';
import { readDefinition, writeDefinition, digestOf } from '../../src/llb/definition';
import { decodeGraph, encodeGraph } from '../../src/llb/marshal';
import { decodeMessage, UNKNOWN_FIELDS } from '../../src/llb/pb/codec';
import { goldenCases, readGoldenJson, readGoldenPb } from '../helpers/golden';

const cases = goldenCases();

function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}

describe('golden Definitions round-trip through the typed graph', () => {
  it('finds the corpus', () => {
    expect(cases.length).toBeGreaterThan(200);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const bytes = readGoldenPb(c);
    const def = readDefinition(bytes);
    const expectedDigests = readGoldenJson(c).ops.map((o) => o.digest);
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
  it('classifies every golden source op by its scheme', async () => {
    const { sourceType } = await import('../../src/graph/traverse');
    const seen = new Set<string>();
    for (const c of cases) {
      for (const v of decodeGraph(readDefinition(readGoldenPb(c))).vertices.values()) {
        if (v.kind === 'source') seen.add(sourceType(v));
      }
    }
    expect([...seen].sort()).toEqual(['git', 'http', 'image', 'local']);
  });
});
