/**
 * `images.json` is validated whole against its schema (issue 13): a value of the wrong type
 * anywhere the frontend reads is refused with the path of the bad key, from the library's
 * `images` option and from the CLI's `--images`. A pinned reference finds only an entry of its own
 * digest, or the entry keyed exactly by it; a pinned key must record the digest it pins, unless
 * read with pins as recorded (the golden corpus's test-resolver entries, see docs/images-json.md).
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { check } from '../../src/check';
import { compile } from '../../src/compile';
import { outline } from '../../src/frontend/outline';
import { StaticImageResolver } from '../../src/image/static-resolver';
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
    'a pinned key whose entry records another digest',
    withAlpine(() => undefined, `${ALPINE}@${OTHER_DIGEST}`),
    `FROM alpine:3.20@${OTHER_DIGEST}\n`,
    `invalid image metadata: images["${ALPINE}@${OTHER_DIGEST}"].digest: ${EXAMPLE[ALPINE].digest} is not the digest the key pins (${OTHER_DIGEST})`,
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
  // BuildKit's golden corpus was made by a test resolver that answers alpine:3.20@OTHER with the
  // digest it has for alpine:3.20: such an entry is refused unless pins are read as recorded.
  const KEY = `${ALPINE}@${OTHER_DIGEST}`;
  const RECORDED = EXAMPLE[ALPINE].digest;
  const SYNTHETIC = withAlpine(() => undefined, KEY);
  const MESSAGE = `invalid image metadata: images["${KEY}"].digest: ${RECORDED} is not the digest the key pins (${OTHER_DIGEST})`;
  const DOCKERFILE = `FROM alpine:3.20@${OTHER_DIGEST}\n`;

  it('check and outline refuse an entry whose key pins another digest, naming the key', async () => {
    await expect(check(DOCKERFILE, { images: SYNTHETIC })).rejects.toThrow(MESSAGE);
    await expect(outline(DOCKERFILE, { images: SYNTHETIC })).rejects.toThrow(MESSAGE);
  });

  it('pins: as-recorded takes the recorded digest, as BuildKit took its test resolver\'s', async () => {
    const result = await compile(DOCKERFILE, { resolver: StaticImageResolver.of(SYNTHETIC, { pins: 'as-recorded' }) });
    expect(new TextDecoder('latin1').decode(result.bytes)).toContain(`docker-image://${ALPINE}@${RECORDED}`);
  });

  it('the CLI refuses it unless --images-unverified-pins is given; lock never writes it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dfllb-pins-'));
    writeFileSync(join(dir, 'Dockerfile'), DOCKERFILE);
    writeFileSync(join(dir, 'images.json'), JSON.stringify(SYNTHETIC));
    for (const command of ['compile', 'check', 'outline']) {
      const refused = await runInProcess([command, '--images', 'images.json'], { cwd: dir });
      expect(refused.code, command).toBe(1);
      expect(refused.stderr, command).toContain(`${join(dir, 'images.json')}: ${MESSAGE}`);
    }
    const taken = await runInProcess(['compile', '--images', 'images.json', '--images-unverified-pins', '-o', 'out.pb'], { cwd: dir });
    expect(taken.stderr).toBe('');
    expect(taken.code).toBe(0);
    expect(readFileSync(join(dir, 'out.pb')).toString('latin1')).toContain(`docker-image://${ALPINE}@${RECORDED}`);
    const alone = await runInProcess(['compile', '--images-unverified-pins'], { cwd: dir });
    expect(alone.code).toBe(2);
    expect(alone.stderr).toContain('--images-unverified-pins needs --images FILE');
    const lock = await runInProcess(['lock', '--images', 'images.json', '--images-unverified-pins', '-o', 'lock.json'], { cwd: dir });
    expect(lock.code).toBe(1);
    expect(lock.stderr).toContain(`${KEY}: resolved to ${RECORDED}, not the digest it pins (${OTHER_DIGEST}); lock writes only verified entries`);
    expect(existsSync(join(dir, 'lock.json'))).toBe(false);
  });

  it('an entry whose key is not the pinned reference asked for is used only for its own digest', async () => {
    // alpine:3.20 is recorded at the example digest: asking for alpine:3.20@OTHER does not find it.
    const err = await compileError(`FROM alpine:3.20@${OTHER_DIGEST}\n`, EXAMPLE);
    expect(err).toMatchObject({ code: 'E_IMAGE_NOT_FOUND' });
    expect((err as Error).message).toContain(`(it has docker.io/library/alpine:3.20 pinned to ${EXAMPLE[ALPINE].digest})`);
  });
});
