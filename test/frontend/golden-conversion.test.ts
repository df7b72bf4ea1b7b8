/**
 * The conversion against BuildKit's own output, for every golden case: the ops (and so their
 * digests) in Definition order, per-op metadata, the source map and the image config. Error cases
 * must fail with BuildKit's message and line. Goes through compile() directly (npm run parity
 * covers the same corpus through the CLI).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/compile';
import { DockerfileError, DockerfileLlbError } from '../../src/errors';
import { parseDockerignore } from '../../src/frontend/dockerignore';
import { StaticImageResolver } from '../../src/image/static-resolver';
import { readDefinition } from '../../src/llb/definition';
import { dumpDefinition } from '../../src/llb/dump';
// @ts-expect-error plain JavaScript module shared with scripts/parity.mjs
import { caseOptions, compareCase, errorMatches, expectedError } from '../../scripts/lib/golden-compare.mjs';
import { golden, goldenCases, goldenDirs, readGoldenJson } from '../helpers/golden';

const resolver = new StaticImageResolver(JSON.parse(readFileSync(golden('images.json'), 'utf8')));

function dockerignore(dir: string): string[] | undefined {
  for (const f of ['Dockerfile.dockerignore', '.dockerignore']) {
    if (existsSync(join(dir, f))) return parseDockerignore(readFileSync(join(dir, f), 'utf8'));
  }
  return undefined;
}

async function compileCase(dir: string) {
  const o = caseOptions(dir);
  return compile(readFileSync(join(dir, 'Dockerfile')), {
    resolver,
    target: o.target,
    platform: o.platform,
    buildArgs: o.buildArgs,
    excludePatterns: dockerignore(dir),
  });
}

describe('golden cases compile to BuildKit’s exact LLB', () => {
  const cases = goldenCases();
  it('has the whole corpus', () => expect(cases.length).toBe(246));

  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const result = await compileCase(c.dir);
    const def = readDefinition(result.bytes);
    const cmp = compareCase(readGoldenJson(c), { def, dump: dumpDefinition(def), imageConfig: JSON.parse(JSON.stringify(result.imageConfig)) });
    expect(cmp.reasons).toEqual([]);
    expect([cmp.ops, cmp.meta, cmp.source, cmp.config]).toEqual([true, true, true, true]);
  });
});

describe('golden error cases fail like BuildKit', () => {
  const names = goldenDirs('errors');
  it('has the whole corpus', () => expect(names.length).toBe(57));

  it.each(names)('%s', async (name) => {
    const dir = golden('errors', name);
    const want = expectedError(readFileSync(join(dir, 'expected-error.txt'), 'utf8'));
    const err = await compileCase(dir).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err, `accepted; BuildKit says: ${want.raw}`).toBeInstanceOf(DockerfileLlbError);
    const e = err as DockerfileLlbError;
    const line = e instanceof DockerfileError ? e.location?.start.line : undefined;
    expect(errorMatches(want, e.message, line), `ours: line ${line}: ${e.message}\nbuildkit: ${want.raw}`).toBe(true);
  });
});
