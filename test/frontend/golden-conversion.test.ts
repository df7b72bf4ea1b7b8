/**
 * The conversion against BuildKit's own output, for every case of our fixtures and of the golden
 * corpus: the ops (and so their digests) in Definition order, per-op metadata, the source map and the
 * image config. Error cases must fail with BuildKit's message and line. Goes through compile()
 * directly (npm run parity covers the same corpora through the CLI).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/compile';
import { DockerfileError, DockerfileLlbError } from '../../src/errors';
import { StaticImageResolver } from '../../src/image/static-resolver';
import { readDefinition } from '../../src/llb/definition';
import { dumpDefinition } from '../../src/llb/dump';
// @ts-expect-error plain JavaScript module shared with scripts/parity.mjs
import { compareCase, errorMatches, expectedError } from '../../scripts/lib/golden-compare.mjs';
import { allErrors, caseCompileOptions, definitionCases, describeGolden, FIXTURES, GOLDEN, imagesOf, listCases, listErrors, readExpectedJson, type CorpusCase } from '../helpers/corpus';

const resolvers = new Map<string, StaticImageResolver>();
function resolverOf(c: CorpusCase): StaticImageResolver {
  let r = resolvers.get(c.images);
  if (!r) resolvers.set(c.images, (r = new StaticImageResolver(imagesOf(c), { pins: c.pins })));
  return r;
}

async function compileCase(c: CorpusCase) {
  const o = caseCompileOptions(c);
  return compile(readFileSync(join(c.dir, 'Dockerfile')), { resolver: resolverOf(c), ...o });
}

describe('cases compile to BuildKit’s exact LLB', () => {
  const cases = definitionCases();
  it.each(cases.map((c) => [c.id, c] as const))('%s', async (_name, c) => {
    const result = await compileCase(c);
    const def = readDefinition(result.bytes);
    const cmp = compareCase(readExpectedJson(c), { def, dump: dumpDefinition(def), imageConfig: JSON.parse(JSON.stringify(result.imageConfig)) });
    expect(cmp.reasons).toEqual([]);
    expect([cmp.ops, cmp.meta, cmp.source, cmp.config]).toEqual([true, true, true, true]);
  });
});

describe('error cases fail like BuildKit', () => {
  it.each(allErrors().map((c) => [c.id, c] as const))('%s', async (_name, c) => {
    const want = expectedError(readFileSync(join(c.dir, 'expected-error.txt'), 'utf8'));
    const err = await compileCase(c).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err, `accepted; BuildKit says: ${want.raw}`).toBeInstanceOf(DockerfileLlbError);
    const e = err as DockerfileLlbError;
    const line = e instanceof DockerfileError ? e.location?.start.line : undefined;
    expect(errorMatches(want, e.message, line), `ours: line ${line}: ${e.message}\nbuildkit: ${want.raw}`).toBe(true);
  });
});

describe('the corpora are whole', () => {
  it('our fixtures have conversion and error cases', () => {
    expect(listCases(FIXTURES, { sets: ['features', 'e2e'] }).length).toBeGreaterThan(0);
    expect(listErrors(FIXTURES).length).toBeGreaterThan(0);
  });
  describeGolden('golden', () => {
    it('has the 246 conversion cases and 57 error cases', () => {
      expect(listCases(GOLDEN!, { sets: ['features', 'real', 'e2e'] }).length).toBe(246);
      expect(listErrors(GOLDEN!).length).toBe(57);
    });
  });
});
