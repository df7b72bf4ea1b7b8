import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ImageResolveError } from '../../src/errors.js';
import { rejection } from '../helpers/image-errors.js';
import { FIXTURES, GOLDEN } from '../helpers/corpus.js';
import {
  canonicalJson,
  lockImages,
  parseImageMetadata,
  serializeImageMetadata,
  validateImageMetadata,
} from '../../src/image/metadata.js';
import { StaticImageResolver } from '../../src/image/static-resolver.js';
import type { ImageConfig, ImageMetadataFile, ImageResolver, Platform, ResolvedImage } from '../../src/image/types.js';

const AMD64: Platform = { os: 'linux', architecture: 'amd64' };
const ARM64: Platform = { os: 'linux', architecture: 'arm64' };
const DA = `sha256:${'a'.repeat(64)}`;
const DB = `sha256:${'b'.repeat(64)}`;
const DC = `sha256:${'c'.repeat(64)}`;

function config(arch: string, env: string[] = []): ImageConfig {
  return { architecture: arch, os: 'linux', config: { Env: env } };
}

const FILE: ImageMetadataFile = {
  'docker.io/library/alpine:3.20': { digest: DA, config: config('amd64', ['A=1']) },
  'docker.io/library/alpine@sha256:cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc': { digest: DC, config: config('amd64', ['C=1']) },
  'busybox': { digest: DB, config: config('amd64', ['B=1']) },
  'localhost:5000/app:1': {
    digest: DC,
    config: config('amd64', ['P=amd64']),
    platforms: { 'linux/amd64': config('amd64', ['P=amd64']), 'linux/arm64': config('arm64', ['P=arm64']) },
  },
};

/** A key pinned to DA whose entry records DB, as BuildKit's test resolver wrote the golden corpus. */
const SYNTHETIC_KEY = `docker.io/library/alpine:3.24.1@${DA}`;
const SYNTHETIC: ImageMetadataFile = { ...FILE, [SYNTHETIC_KEY]: { digest: DB, config: config('amd64', ['SYN=1']) } };
const PIN_ERROR = `invalid image metadata: images["${SYNTHETIC_KEY}"].digest: ${DB} is not the digest the key pins (${DA})`;

describe('StaticImageResolver', () => {
  const resolver = new StaticImageResolver(FILE, { source: 'images.json' });

  it('normalizes keys and requests', async () => {
    expect(resolver.size).toBe(4);
    expect(resolver.refs()).toContain('docker.io/library/busybox:latest');
    const r = await resolver.resolve('busybox', { platform: AMD64 });
    expect(r).toEqual({ ref: 'docker.io/library/busybox:latest', digest: DB, config: config('amd64', ['B=1']) });
    expect((await resolver.resolve('alpine:3.20', { platform: AMD64 })).digest).toBe(DA);
    expect((await resolver.resolve('docker.io/library/alpine:3.20', { platform: AMD64 })).digest).toBe(DA);
  });

  it('reads the file when it is built: a later change inside an entry reaches no build unchecked', async () => {
    const file: ImageMetadataFile = { busybox: { digest: DB, config: config('amd64', ['B=1']) } };
    const r = new StaticImageResolver(file);
    // Changed in place after the resolver was built, to something the check would refuse.
    (file.busybox as { digest: string }).digest = 'not-a-digest';
    file.busybox.config.config!.Env!.push('LATER=1');
    const got = await r.resolve('busybox', { platform: AMD64 });
    expect(got.digest).toBe(DB);
    expect(got.config.config?.Env).toEqual(['B=1']);
    // What a build gets is its own copy too.
    got.config.config!.Env!.push('MINE=1');
    expect((await r.resolve('busybox', { platform: AMD64 })).config.config?.Env).toEqual(['B=1']);
  });

  it('refuses by default a pinned key whose entry records another digest, naming the key', () => {
    for (const build of [() => new StaticImageResolver(SYNTHETIC), () => StaticImageResolver.of(SYNTHETIC), () => validateImageMetadata(SYNTHETIC)]) {
      expect(build).toThrow(PIN_ERROR);
      expect(build).toThrow(expect.objectContaining({ code: 'E_INVALID_METADATA', ref: SYNTHETIC_KEY }));
    }
    expect(() => parseImageMetadata(JSON.stringify(SYNTHETIC))).toThrow(PIN_ERROR);
    // A familiar key is checked against the digest it pins as well.
    expect(() => validateImageMetadata({ [`alpine@${DA}`]: { digest: DB, config: {} } })).toThrow(
      `invalid image metadata: images["alpine@${DA}"].digest: ${DB} is not the digest the key pins (${DA})`,
    );
    expect(validateImageMetadata({ [`alpine@${DA}`]: { digest: DA, config: {} } })).toBeDefined();
  });

  it('uses exact name:tag@digest keys as recorded with pins: as-recorded (synthetic golden entries)', async () => {
    const asRecorded = new StaticImageResolver(SYNTHETIC, { pins: 'as-recorded' });
    expect(validateImageMetadata(SYNTHETIC, { pins: 'as-recorded' })).toBe(SYNTHETIC);
    const r = await asRecorded.resolve(`alpine:3.24.1@${DA}`, { platform: AMD64 });
    expect(r.ref).toBe(`docker.io/library/alpine:3.24.1@${DA}`);
    expect(r.digest).toBe(DB);
    expect(r.config.config?.Env).toEqual(['SYN=1']);
    // `of` builds one resolver per file and pins: the verifying one still refuses the file.
    expect(StaticImageResolver.of(SYNTHETIC, { pins: 'as-recorded' })).toBe(StaticImageResolver.of(SYNTHETIC, { pins: 'as-recorded' }));
    expect(() => StaticImageResolver.of(SYNTHETIC)).toThrow(PIN_ERROR);
    expect((await StaticImageResolver.of(SYNTHETIC, { pins: 'as-recorded' }).resolve(SYNTHETIC_KEY, { platform: AMD64 })).digest).toBe(DB);
  });

  it('finds name@digest keys and entries pinned to the requested digest', async () => {
    expect((await resolver.resolve(`alpine@${DC}`, { platform: AMD64 })).config.config?.Env).toEqual(['C=1']);
    // alpine:3.20 is pinned to DA, so alpine:3.20@DA is the same content.
    const r = await resolver.resolve(`alpine:3.20@${DA}`, { platform: AMD64 });
    expect(r).toMatchObject({ ref: `docker.io/library/alpine:3.20@${DA}`, digest: DA });
    expect(r.config.config?.Env).toEqual(['A=1']);
    expect(resolver.has(`alpine@${DA}`)).toBe(true);
  });

  it('refuses a tag pinned to another digest, and says what it has', async () => {
    const err = await rejection(resolver.resolve(`alpine:3.20@${DB}`, { platform: AMD64 }));
    expect(err.code).toBe('E_IMAGE_NOT_FOUND');
    expect(err.message).toBe(
      `image docker.io/library/alpine:3.20@${DB} is not in the image metadata file images.json (it has docker.io/library/alpine:3.20 pinned to ${DA}); run \`dockerfile-llb lock\` to add it`,
    );
  });

  it('reports missing images with a hint to run lock', async () => {
    const err = await rejection(resolver.resolve('golang:1.23', { platform: AMD64 }));
    expect(err.code).toBe('E_IMAGE_NOT_FOUND');
    expect(err.ref).toBe('docker.io/library/golang:1.23');
    expect(err.message).toContain('not in the image metadata file images.json');
    expect(err.message).toContain('dockerfile-llb lock');
    expect(resolver.has('golang:1.23')).toBe(false);
    expect(resolver.has('NOT VALID')).toBe(false);
  });

  it('rejects invalid references', async () => {
    const err = await rejection(resolver.resolve('Alpine', { platform: AMD64 }));
    expect(err.code).toBe('E_INVALID_REFERENCE');
  });

  it('picks per-platform configs when the entry has them', async () => {
    expect((await resolver.resolve('localhost:5000/app:1', { platform: ARM64 })).config.config?.Env).toEqual(['P=arm64']);
    expect((await resolver.resolve('localhost:5000/app:1', { platform: AMD64 })).config.config?.Env).toEqual(['P=amd64']);
    // 386 is not in the map: the default config.
    expect((await resolver.resolve('localhost:5000/app:1', { platform: { os: 'linux', architecture: '386' } })).config.config?.Env).toEqual([
      'P=amd64',
    ]);
  });

  it('returns copies, so callers cannot corrupt the file', async () => {
    const r = await resolver.resolve('busybox', { platform: AMD64 });
    r.config.config!.Env!.push('X=1');
    expect((await resolver.resolve('busybox', { platform: AMD64 })).config.config?.Env).toEqual(['B=1']);
  });

  it('rejects malformed files', () => {
    const bad = (f: unknown) => () => new StaticImageResolver(f as ImageMetadataFile);
    expect(bad([])).toThrow(expect.objectContaining({ code: 'E_INVALID_METADATA' }));
    expect(bad({ alpine: { digest: 'nope', config: {} } })).toThrow('invalid image metadata: images["alpine"].digest: invalid checksum digest format');
    expect(bad({ alpine: { digest: DA } })).toThrow('images["alpine"].config: expected an image config object, got nothing');
    expect(bad({ Alpine: { digest: DA, config: {} } })).toThrow(/is not an image reference/);
    expect(bad({ alpine: { digest: DA, config: {} }, 'docker.io/library/alpine:latest': { digest: DA, config: {} } })).toThrow(
      /duplicates another entry/,
    );
    expect(bad({ alpine: { digest: DA, config: {}, platforms: [] } })).toThrow('images["alpine"].platforms: expected an object of platform → image config, got an array');
  });
});

describe('metadata files', () => {
  it('parses and validates text', () => {
    expect(parseImageMetadata('{"alpine": {"digest": "' + DA + '", "config": {}}}')).toEqual({ alpine: { digest: DA, config: {} } });
    expect(() => parseImageMetadata('{')).toThrow(expect.objectContaining({ code: 'E_INVALID_METADATA' }));
    expect(() => validateImageMetadata(null)).toThrow(expect.objectContaining({ code: 'E_INVALID_METADATA' }));
  });

  it('serializes with sorted keys, one-space indent and a final newline', () => {
    const text = serializeImageMetadata({ b: { digest: DB, config: { os: 'linux', architecture: 'amd64' } }, a: { digest: DA, config: config('x') } });
    expect(text.endsWith('}\n')).toBe(true);
    expect(text.indexOf('"a"')).toBeLessThan(text.indexOf('"b"'));
    expect(text).toContain('\n "a": {\n  "config": {\n   "architecture": "x",');
    expect(canonicalJson({ b: 1, a: [{ d: 1, c: 2 }] })).toBe('{"a":[{"c":2,"d":1}],"b":1}');
  });

  const golden = GOLDEN?.images;
  it('loads our fixtures\' images.json, and its serialization round-trips byte for byte', () => {
    const text = readFileSync(FIXTURES.images, 'utf8');
    expect(serializeImageMetadata(parseImageMetadata(text))).toBe(text);
  });

  it.runIf(golden !== undefined)('loads the golden images.json, and its serialization round-trips byte for byte (modulo final newline)', async () => {
    const text = readFileSync(golden!, 'utf8');
    // BuildKit's test resolver answered pinned references with digests of its own: verified, the
    // file is refused; read as recorded (the golden harness's opt-out), the LLB gets those digests.
    expect(() => parseImageMetadata(text)).toThrow(
      'invalid image metadata: images["docker.io/library/alpine:3.24.1@sha256:28bd5fe8b56d1bd048e5babf5b10710ebe0bae67db86916198a6eec434943f8b"].digest: ' +
        'sha256:cebd385e01b6483d169eedbdec8562a11c2dc5ea10e0610a933da5258c87b7e3 is not the digest the key pins ' +
        '(sha256:28bd5fe8b56d1bd048e5babf5b10710ebe0bae67db86916198a6eec434943f8b)',
    );
    const file = parseImageMetadata(text, { pins: 'as-recorded' });
    expect(() => new StaticImageResolver(file)).toThrow(expect.objectContaining({ code: 'E_INVALID_METADATA' }));
    const resolver = new StaticImageResolver(file, { pins: 'as-recorded' });
    expect(resolver.size).toBe(Object.keys(file).length);
    const r = await resolver.resolve('alpine:3.20', { platform: AMD64 });
    expect(r.digest).toBe('sha256:75be9c490b21b793193f47be0daf1e1ba283c3a002c8e84091e2c871cc49f219');
    const pihole = await resolver.resolve('alpine:3.24.1@sha256:28bd5fe8b56d1bd048e5babf5b10710ebe0bae67db86916198a6eec434943f8b', {
      platform: AMD64,
    });
    expect(pihole.digest).toBe('sha256:cebd385e01b6483d169eedbdec8562a11c2dc5ea10e0610a933da5258c87b7e3');
    expect(serializeImageMetadata(file)).toBe(`${text.replace(/\n$/, '')}\n`);
  });
});

/** A resolver that serves a fixed map and records calls. */
class FakeResolver implements ImageResolver {
  calls: string[] = [];
  constructor(private readonly answers: Record<string, ResolvedImage | Error>) {}
  async resolve(ref: string, options: { platform: Platform }): Promise<ResolvedImage> {
    const key = `${ref}|${options.platform.architecture}`;
    this.calls.push(key);
    const a = this.answers[key];
    if (a === undefined) throw new ImageResolveError('E_IMAGE_NOT_FOUND', `${ref}: not found`, ref);
    if (a instanceof Error) throw a;
    return a;
  }
}

describe('lockImages', () => {
  it('normalizes, dedupes, sorts keys', async () => {
    const fake = new FakeResolver({
      'docker.io/library/busybox:latest|amd64': { ref: 'docker.io/library/busybox:latest', digest: DB, config: config('amd64') },
      'docker.io/library/alpine:3.20|amd64': { ref: 'docker.io/library/alpine:3.20', digest: DA, config: config('amd64') },
    });
    const file = await lockImages(
      [
        { ref: 'busybox', platform: AMD64 },
        { ref: 'alpine:3.20', platform: AMD64 },
        { ref: 'docker.io/library/busybox:latest', platform: { os: 'linux', architecture: 'x86_64' } },
      ],
      fake,
    );
    expect(Object.keys(file)).toEqual(['docker.io/library/alpine:3.20', 'docker.io/library/busybox:latest']);
    expect(fake.calls).toHaveLength(2);
    expect(file['docker.io/library/busybox:latest']).toEqual({ digest: DB, config: config('amd64') });
    // What lock writes, the static resolver reads back.
    const back = new StaticImageResolver(file);
    expect((await back.resolve('busybox', { platform: AMD64 })).digest).toBe(DB);
  });

  it('keeps per-platform configs when one ref is used for several platforms', async () => {
    const fake = new FakeResolver({
      'docker.io/library/golang:1.23|amd64': { ref: 'docker.io/library/golang:1.23', digest: DC, config: config('amd64') },
      'docker.io/library/golang:1.23|arm64': { ref: 'docker.io/library/golang:1.23', digest: DC, config: config('arm64') },
    });
    const file = await lockImages(
      [
        { ref: 'golang:1.23', platform: ARM64 },
        { ref: 'golang:1.23', platform: AMD64 },
      ],
      fake,
    );
    const entry = file['docker.io/library/golang:1.23'];
    expect(entry.config.architecture).toBe('arm64');
    expect(Object.keys(entry.platforms!)).toEqual(['linux/amd64', 'linux/arm64']);
    const back = new StaticImageResolver(file);
    expect((await back.resolve('golang:1.23', { platform: AMD64 })).config.architecture).toBe('amd64');
    expect((await back.resolve('golang:1.23', { platform: ARM64 })).config.architecture).toBe('arm64');
  });

  it('same config on several platforms stays a plain entry', async () => {
    const fake = new FakeResolver({
      'docker.io/library/x:1|amd64': { ref: 'docker.io/library/x:1', digest: DC, config: config('amd64') },
      'docker.io/library/x:1|arm64': { ref: 'docker.io/library/x:1', digest: DC, config: config('amd64') },
    });
    const file = await lockImages([{ ref: 'x:1', platform: AMD64 }, { ref: 'x:1', platform: ARM64 }], fake);
    expect(file['docker.io/library/x:1']).toEqual({ digest: DC, config: config('amd64') });
  });

  it('writes only verified entries: a pinned reference resolved to another digest fails the lock', async () => {
    const asRecorded = new StaticImageResolver(SYNTHETIC, { pins: 'as-recorded' });
    const err = await rejection(lockImages([{ ref: 'alpine:3.20', platform: AMD64 }, { ref: `alpine:3.24.1@${DA}`, platform: AMD64 }], asRecorded));
    expect(err.code).toBe('E_DIGEST_MISMATCH');
    expect(err.ref).toBe(SYNTHETIC_KEY);
    expect(err.message).toBe(`${SYNTHETIC_KEY}: resolved to ${DB}, not the digest it pins (${DA}); lock writes only verified entries`);
    // Pinned references that resolve to their digest are written, and the file verifies.
    const file = await lockImages([{ ref: `alpine@${DC}`, platform: AMD64 }], asRecorded);
    expect(validateImageMetadata(file)).toEqual({ [`docker.io/library/alpine@${DC}`]: { digest: DC, config: config('amd64', ['C=1']) } });
  });

  it('fails on the first failing request in order, and on digests that moved', async () => {
    const boom = new ImageResolveError('E_UNAUTHORIZED', 'b: unauthorized', 'b');
    const fake = new FakeResolver({ 'docker.io/library/b:latest|amd64': boom });
    await expect(lockImages([{ ref: 'a', platform: AMD64 }, { ref: 'b', platform: AMD64 }], fake)).rejects.toMatchObject({
      code: 'E_IMAGE_NOT_FOUND',
    });
    await expect(lockImages([{ ref: 'b', platform: AMD64 }, { ref: 'a', platform: AMD64 }], fake)).rejects.toBe(boom);
    await expect(lockImages([{ ref: 'NOPE', platform: AMD64 }], fake)).rejects.toMatchObject({ code: 'E_INVALID_REFERENCE' });

    const moving = new FakeResolver({
      'docker.io/library/x:1|amd64': { ref: 'docker.io/library/x:1', digest: DA, config: config('amd64') },
      'docker.io/library/x:1|arm64': { ref: 'docker.io/library/x:1', digest: DB, config: config('arm64') },
    });
    await expect(lockImages([{ ref: 'x:1', platform: AMD64 }, { ref: 'x:1', platform: ARM64 }], moving)).rejects.toMatchObject({
      code: 'E_DIGEST_MISMATCH',
    });
  });
});
