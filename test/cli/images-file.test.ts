/**
 * `--images FILE` is read once: loadStaticResolver parses and validates the file in one pass
 * (StaticImageResolver.fromJson, no copy of the entries), with the same errors, word for word, as
 * reading it with readImageMetadataFile and building a resolver from the result; and the resolver
 * answers as one built by the constructor. The golden corpus's images.json when present.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { StaticImageResolver } from '../../src/image/static-resolver';
import { loadStaticResolver, readImageMetadataFile } from '../../src/resolver/metadata-file';
import { FIXTURES, GOLDEN } from '../../scripts/lib/corpus.mjs';

const work = mkdtempSync(join(tmpdir(), 'dfllb-images-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const AMD64 = { os: 'linux', architecture: 'amd64' };
const corpus = GOLDEN ?? FIXTURES;

async function error(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (e) {
    const err = e as { code: string; message: string };
    return { code: err.code, message: err.message };
  }
  throw new Error('expected a rejection');
}

describe('loadStaticResolver', () => {
  it(`resolves every image of ${corpus.id}'s images.json as the constructor's resolver does`, async () => {
    const options = { pins: corpus.pins } as const;
    const loaded = await loadStaticResolver(corpus.images, options);
    const built = new StaticImageResolver(await readImageMetadataFile(corpus.images, options), options);
    expect(loaded.refs()).toEqual(built.refs());
    for (const ref of built.refs()) {
      const [a, b] = await Promise.all([loaded.resolve(ref, { platform: AMD64 }), built.resolve(ref, { platform: AMD64 })]);
      expect(a).toEqual(b);
      // Callers get copies: changing one does not reach the next lookup.
      (a.config as { os?: string }).os = 'changed';
      expect((await loaded.resolve(ref, { platform: AMD64 })).config).toEqual(b.config);
    }
    expect(JSON.parse(readFileSync(corpus.images, 'utf8'))).toBeTruthy();
  });

  const bad: Record<string, string> = {
    'not JSON': '{"alpine": ',
    'not an object': '[1, 2]',
    'a bad digest': '{"alpine": {"digest": "sha256:bad", "config": {}}}',
    'a deep bad field': `{"alpine": {"digest": "sha256:${'a'.repeat(64)}", "config": {"config": {"Env": ["A=1", 2]}, "history": [{}, {"empty_layer": "yes"}]}}}`,
    'a bad key': `{"Alpine:": {"digest": "sha256:${'a'.repeat(64)}", "config": {}}}`,
    'duplicate keys': `{"alpine": {"digest": "sha256:${'a'.repeat(64)}", "config": {}}, "docker.io/library/alpine:latest": {"digest": "sha256:${'b'.repeat(64)}", "config": {}}}`,
  };
  for (const [name, text] of Object.entries(bad)) {
    it(`refuses ${name} with the two-step reading's error`, async () => {
      const path = join(work, `${name.replace(/ /g, '-')}.json`);
      writeFileSync(path, text);
      const twoSteps = error(
        readImageMetadataFile(path).then((file) => {
          try {
            return new StaticImageResolver(file, { source: path });
          } catch (e) {
            const err = e as Error;
            err.message = `${path}: ${err.message}`;
            throw err;
          }
        }),
      );
      const want = await twoSteps;
      expect(want.code).toBe('E_INVALID_METADATA');
      expect(await error(loadStaticResolver(path))).toEqual(want);
    });
  }
});
