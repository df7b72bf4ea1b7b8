/**
 * Linked copies lowered two ways give the same LLB: compile() lowers each COPY --link as the
 * frontend makes it (ConvertOptions.lowerLinkedCopy), while lowerLinks (public) lowers a whole
 * annotated graph afterwards. Every case of the corpora that writes --link must encode to the same
 * ops and metadata both ways (compile's own bytes are BuildKit's: see golden-conversion.test.ts).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/compile';
import { convert } from '../../src/frontend/convert';
import { parseBuildRequest } from '../../src/frontend/request';
import type { Vertex } from '../../src/graph/types';
import { encodeGraph } from '../../src/llb/marshal';
import { isLinkedCopy, lowerLinks } from '../../src/lower/link';
import { caseCompileOptions, definitionCases, resolverOf } from '../helpers/corpus';

let withLinkedCopies = 0;
const linked = definitionCases().filter((c) => /--link\b/.test(readFileSync(join(c.dir, 'Dockerfile'), 'utf8')));

/** Every vertex reachable from `v` through inputs and walk inputs. */
function reachable(v: Vertex | undefined, seen = new Set<Vertex>()): Set<Vertex> {
  const stack = v ? [v] : [];
  while (stack.length) {
    const x = stack.pop()!;
    if (seen.has(x)) continue;
    seen.add(x);
    for (const o of [...x.inputs, ...(x.walkInputs ?? [])]) stack.push(o.vertex);
  }
  return seen;
}

describe('lowering COPY --link while converting = lowering the graph afterwards', () => {
  it('has cases to compare', () => {
    expect(linked.length).toBeGreaterThan(5);
  });

  it.each(linked.map((c) => [c.id, c] as const))('%s', async (_id, c) => {
    const text = readFileSync(join(c.dir, 'Dockerfile'), 'utf8');
    const o = caseCompileOptions(c);
    const compiled = await compile(text, { resolver: resolverOf(c), ...o });
    // The same conversion without the hook: linked copies stay annotated until lowerLinks.
    const annotated = await convert(text, {
      target: o.target,
      buildArgs: o.buildArgs,
      targetPlatform: compiled.platform,
      resolver: resolverOf(c),
      localUniqueId: 'localuniqueid',
      filename: 'Dockerfile',
      excludePatterns: o.excludePatterns,
      request: parseBuildRequest({ platforms: o.platform ? [o.platform] : undefined }, o.buildArgs),
    });
    // (Some cases write --link where BuildKit makes no linked copy: with --chmod, or off the target.)
    if ([...reachable(annotated.output?.vertex)].some(isLinkedCopy)) withLinkedCopies++;
    expect([...reachable(compiled.graph.root?.vertex)].some(isLinkedCopy)).toBe(false);
    const lowered = encodeGraph({ root: lowerLinks(annotated.output), sources: compiled.graph.sources }).definition;
    expect(lowered.def.map((b) => Buffer.from(b).toString('hex'))).toEqual(compiled.definition.def.map((b) => Buffer.from(b).toString('hex')));
    expect(lowered.metadata).toEqual(compiled.definition.metadata);
    expect(lowered.source).toEqual(compiled.definition.source);
  });

  it('compared graphs that had linked copies to lower', () => {
    expect(withLinkedCopies).toBeGreaterThan(5);
  });
});
