/**
 * `images.json` is validated whole against its schema (issue 13): a value of the wrong type
 * anywhere the frontend reads is refused with the path of the bad key, from the library's
 * `images` option and from the CLI's `--images`. A pinned reference finds only an entry of its own
 * digest, or the entry keyed exactly by it (the golden corpus's format, see docs/images-json.md).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/compile';
import { ImageResolveError } from '../../src/errors';
import { validateImageMetadata } from '../../src/image/metadata';
import type { ImageMetadataFile } from '../../src/image/types';
import { repoRoot, runInProcess } from '../helpers/cli';

const EXAMPLE = JSON.parse(readFileSync(join(repoRoot, 'examples/images.json'), 'utf8')) as ImageMetadataFile;
const ALPINE = 'docker.io/library/alpine:3.20';
const OTHER_DIGEST = `sha256:${'a'.repeat(64)}`;

/** The example file with `edit` applied to a copy of alpine's entry (under `key`). */
function withAlpine(edit: (entry: Record<string, any>) => void, key = ALPINE): ImageMetadataFile {
  const file = structuredClone(EXAMPLE) as Record<string, any>;
  const entry = structuredClone(file[ALPINE]);
  edit(entry);
  file[key] = entry;
  return file as ImageMetadataFile;
}

async function compileError(dockerfile: string, images: ImageMetadataFile): Promise<unknown> {
  return compile(dockerfile, { images }).then(
    () => undefined,
    (e: unknown) => e,
  );
}

// Each bad file, the Dockerfile that reads it, and the message.
const cases: [string, ImageMetadataFile, string, string][] = [
  [
    'Env that is not a list',
    withAlpine((e) => (e.config.config.Env = 'notalist')),
    'FROM alpine:3.20\n',
    `invalid image metadata: images["${ALPINE}"].config.config.Env: expected an array of strings, got a string`,
  ],
  [
    'OnBuild that is not a list',
    withAlpine((e) => (e.config.config.OnBuild = 'RUN x')),
    'FROM alpine:3.20\n',
    `invalid image metadata: images["${ALPINE}"].config.config.OnBuild: expected an array of strings, got a string`,
  ],
  [
    'an Env entry that is not a string',
    withAlpine((e) => (e.config.config.Env = ['A=1', 2])),
    'FROM alpine:3.20\n',
    `invalid image metadata: images["${ALPINE}"].config.config.Env[1]: expected a string, got the number 2`,
  ],
  [
    'a label that is not a string',
    withAlpine((e) => (e.config.config.Labels = { 'org.example.x': true })),
    'FROM alpine:3.20\n',
    `invalid image metadata: images["${ALPINE}"].config.config.Labels["org.example.x"]: expected a string, got the boolean true`,
  ],
  [
    'a healthcheck interval that is not an integer',
    withAlpine((e) => (e.config.config.Healthcheck = { Test: ['CMD', 'true'], Interval: '30s' })),
    'FROM alpine:3.20\n',
    `invalid image metadata: images["${ALPINE}"].config.config.Healthcheck.Interval: expected an integer, got a string`,
  ],
  [
    'history that is not a list',
    withAlpine((e) => (e.config.history = {})),
    'FROM alpine:3.20\n',
    `invalid image metadata: images["${ALPINE}"].config.history: expected an array of history entries, got an object`,
  ],
  [
    'a misspelled entry field',
    withAlpine((e) => (e.platfroms = {})),
    'FROM alpine:3.20\n',
    `invalid image metadata: images["${ALPINE}"].platfroms: unknown field (an entry has "digest", "config" and "platforms")`,
  ],
  [
    'a platform key that is not a platform',
    withAlpine((e) => (e.platforms = { 'linux/amd64/v9/x': e.config })),
    'FROM alpine:3.20\n',
    `invalid image metadata: images["${ALPINE}"].platforms["linux/amd64/v9/x"]: not a platform`,
  ],
  [
    'a bad config for one platform',
    withAlpine((e) => (e.platforms = { 'linux/arm64': { ...e.config, os: 7 } })),
    'FROM alpine:3.20\n',
    `invalid image metadata: images["${ALPINE}"].platforms["linux/arm64"].os: expected a string, got the number 7`,
  ],
];

describe('images.json schema', () => {
  it.each(cases)('the library refuses %s, naming the key', async (_, images, dockerfile, message) => {
    const err = await compileError(dockerfile, images);
    expect(err).toBeInstanceOf(ImageResolveError);
    expect((err as ImageResolveError).code).toBe('E_INVALID_METADATA');
    expect((err as ImageResolveError).message.startsWith(message)).toBe(true);
  });

  it.each(cases)('the CLI refuses %s, naming the file and the key', async (_, images, dockerfile, message) => {
    const dir = mkdtempSync(join(tmpdir(), 'dfllb-schema-'));
    writeFileSync(join(dir, 'Dockerfile'), dockerfile);
    writeFileSync(join(dir, 'images.json'), JSON.stringify(images));
    const r = await runInProcess(['compile', '--images', 'images.json', '-o', 'out.pb'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr.startsWith(`dockerfile-llb: ${join(dir, 'images.json')}: ${message}`)).toBe(true);
  });

  it('accepts null where Go reads a zero value, and fields the frontend does not read', () => {
    const file = withAlpine((e) => {
      Object.assign(e.config.config, { Labels: null, Volumes: null, OnBuild: null, Entrypoint: null, Hostname: '', AttachStdin: false, Image: 7 });
      e.config.created = null;
      e.config.moby = { anything: [1, 'x'] };
    });
    expect(validateImageMetadata(file)).toBe(file);
  });

  it('accepts a pinned key that records its own digest, and the files in the repository', async () => {
    const pinned = `docker.io/library/alpine@${EXAMPLE[ALPINE].digest}`;
    const file = withAlpine(() => undefined, pinned);
    await expect(compile(`FROM ${pinned}\n`, { images: file })).resolves.toBeDefined();
    for (const path of ['examples/images.json', 'test/fixtures/images.json']) {
      expect(() => validateImageMetadata(JSON.parse(readFileSync(join(repoRoot, path), 'utf8')))).not.toThrow();
    }
  });
});

describe('pinned digests', () => {
  it('an entry whose key is not the pinned reference asked for is used only for its own digest', async () => {
    // alpine:3.20 is recorded at the example digest: asking for alpine:3.20@OTHER does not find it.
    const err = await compileError(`FROM alpine:3.20@${OTHER_DIGEST}\n`, EXAMPLE);
    expect(err).toMatchObject({ code: 'E_IMAGE_NOT_FOUND' });
    expect((err as Error).message).toContain(`(it has docker.io/library/alpine:3.20 pinned to ${EXAMPLE[ALPINE].digest})`);
  });
});
