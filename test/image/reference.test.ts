import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ImageResolveError } from '../../src/errors.js';
import {
  familiarName,
  familiarString,
  formatReference,
  isValidReference,
  normalizeReference,
  parseReference,
  tagNameOnly,
  trimReference,
  withDigest,
  withTag,
} from '../../src/image/reference.js';
import { digestError, parseDigest } from '../../src/image/digest.js';
import { corpora, listCases } from '../helpers/corpus.js';

const D = 'sha256:75be9c490b21b793193f47be0daf1e1ba283c3a002c8e84091e2c871cc49f219';
const D2 = 'sha256:cebd385e01b6483d169eedbdec8562a11c2dc5ea10e0610a933da5258c87b7e3';

function errorOf(fn: () => unknown): ImageResolveError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ImageResolveError);
    return e as ImageResolveError;
  }
  throw new Error('expected an error');
}

describe('parseReference', () => {
  it.each([
    ['alpine', { domain: 'docker.io', path: 'library/alpine' }],
    ['alpine:3.20', { domain: 'docker.io', path: 'library/alpine', tag: '3.20' }],
    ['user/img', { domain: 'docker.io', path: 'user/img' }],
    ['user/team/img:v1', { domain: 'docker.io', path: 'user/team/img', tag: 'v1' }],
    ['docker.io/alpine', { domain: 'docker.io', path: 'library/alpine' }],
    ['index.docker.io/alpine', { domain: 'docker.io', path: 'library/alpine' }],
    ['index.docker.io/user/img', { domain: 'docker.io', path: 'user/img' }],
    ['localhost/x', { domain: 'localhost', path: 'x' }],
    ['localhost:5000/x', { domain: 'localhost:5000', path: 'x' }],
    ['127.0.0.1:5000/test/app:1', { domain: '127.0.0.1:5000', path: 'test/app', tag: '1' }],
    ['[::1]:5000/x:y', { domain: '[::1]:5000', path: 'x', tag: 'y' }],
    ['ghcr.io/org/app', { domain: 'ghcr.io', path: 'org/app' }],
    ['example:5000/app', { domain: 'example:5000', path: 'app' }],
    ['Registry/app', { domain: 'Registry', path: 'app' }],
    ['foo/bar:5000', { domain: 'docker.io', path: 'foo/bar', tag: '5000' }],
    ['a__b/c--d/e.f_g', { domain: 'docker.io', path: 'a__b/c--d/e.f_g' }],
    [`alpine@${D}`, { domain: 'docker.io', path: 'library/alpine', digest: D }],
    [`alpine:3.20@${D}`, { domain: 'docker.io', path: 'library/alpine', tag: '3.20', digest: D }],
    ['gcr.io/distroless/static-debian12:nonroot', { domain: 'gcr.io', path: 'distroless/static-debian12', tag: 'nonroot' }],
  ])('%s', (input, expected) => {
    expect(parseReference(input)).toEqual(expected);
  });

  it.each([
    ['', 'invalid reference format'],
    [':tag', 'invalid reference format'],
    ['alpine:', 'invalid reference format'],
    ['alpine::3', 'invalid reference format'],
    ['-alpine', 'invalid reference format'],
    ['alpine-', 'invalid reference format'],
    ['a//b', 'invalid reference format'],
    ['a___b', 'invalid reference format'],
    ['alpine:-tag', 'invalid reference format'],
    [`alpine:${'t'.repeat(129)}`, 'invalid reference format'],
    ['alpine@sha256:abc', 'invalid reference format'],
    ['Alpine', 'invalid reference format: repository name (library/Alpine) must be lowercase'],
    ['ghcr.io/Org/app:1', 'invalid reference format: repository name (Org/app) must be lowercase'],
    ['localhost:5000/UP', 'invalid reference format: repository name (UP) must be lowercase'],
    [
      '0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
      'invalid repository name (0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef), cannot specify 64-byte hexadecimal strings',
    ],
    [`a/${'b'.repeat(254)}`, 'repository name must not be more than 255 characters'],
    ['alpine@sha256:0123456789abcdef0123456789abcdef', 'invalid checksum digest format'],
    [`alpine@${D.toUpperCase().replace('SHA256', 'sha256')}`, 'invalid checksum digest format'],
    ['alpine@md5:0123456789abcdef0123456789abcdef', 'unsupported digest algorithm'],
  ])('rejects %j', (input, message) => {
    const err = errorOf(() => parseReference(input));
    expect(err.code).toBe('E_INVALID_REFERENCE');
    expect(err.message).toBe(message);
    expect(err.ref).toBe(input);
  });

  it('accepts paths of exactly 255 characters', () => {
    const path = `a/${'b'.repeat(253)}`;
    expect(parseReference(path).path).toBe(path);
    expect(isValidReference(path)).toBe(true);
    expect(isValidReference(`${path}b`)).toBe(false);
  });
});

describe('normalizeReference', () => {
  it.each([
    ['alpine', 'docker.io/library/alpine:latest'],
    ['alpine:3.20', 'docker.io/library/alpine:3.20'],
    ['user/img', 'docker.io/user/img:latest'],
    ['index.docker.io/library/alpine:3', 'docker.io/library/alpine:3'],
    ['localhost:5000/busybox', 'localhost:5000/busybox:latest'],
    [`alpine@${D}`, `docker.io/library/alpine@${D}`],
    [`alpine:3.20@${D}`, `docker.io/library/alpine:3.20@${D}`],
    ['docker.io/library/alpine:3.20', 'docker.io/library/alpine:3.20'],
  ])('%s → %s', (input, expected) => {
    expect(normalizeReference(input)).toBe(expected);
    expect(normalizeReference(expected)).toBe(expected);
    expect(formatReference(tagNameOnly(parseReference(input)))).toBe(expected);
  });
});

describe('familiar names', () => {
  it.each([
    ['docker.io/library/alpine:3.20', 'alpine', 'alpine:3.20'],
    ['docker.io/user/img', 'user/img', 'user/img'],
    ['docker.io/library/a/b', 'library/a/b', 'library/a/b'],
    [`ghcr.io/org/app@${D}`, 'ghcr.io/org/app', `ghcr.io/org/app@${D}`],
  ])('%s', (input, name, full) => {
    expect(familiarName(input)).toBe(name);
    expect(familiarString(input)).toBe(full);
    expect(familiarName(parseReference(input))).toBe(name);
  });

  it('trims to the repository name', () => {
    expect(trimReference(`alpine:3@${D}`)).toBe('docker.io/library/alpine');
  });
});

describe('withDigest / withTag', () => {
  it('pins like BuildKit: tag kept, latest added, digest replaced', () => {
    expect(withDigest('alpine:3.20', D)).toBe(`docker.io/library/alpine:3.20@${D}`);
    expect(withDigest('alpine', D)).toBe(`docker.io/library/alpine:latest@${D}`);
    expect(withDigest(`alpine@${D}`, D)).toBe(`docker.io/library/alpine@${D}`);
    expect(withDigest(`alpine:3.24.1@${D}`, D2)).toBe(`docker.io/library/alpine:3.24.1@${D2}`);
    expect(withDigest(parseReference('localhost:5000/x:1'), D)).toBe(`localhost:5000/x:1@${D}`);
  });

  it('rejects digests outside the grammar', () => {
    const err = errorOf(() => withDigest('alpine', 'nope'));
    expect(err.message).toBe('invalid digest format');
  });

  it('sets tags', () => {
    expect(withTag(`alpine@${D}`, 'edge')).toBe(`docker.io/library/alpine:edge@${D}`);
    expect(withTag('alpine:1', '2')).toBe('docker.io/library/alpine:2');
    expect(errorOf(() => withTag('alpine', '-x')).message).toBe('invalid tag format');
  });
});

describe('digests', () => {
  it.each([
    [D, undefined],
    [`sha512:${'a'.repeat(128)}`, undefined],
    [`sha384:${'a'.repeat(96)}`, undefined],
    ['sha256', 'invalid checksum digest format'],
    ['sha256:', 'invalid checksum digest format'],
    [':abc', 'invalid checksum digest format'],
    [`sha256:${'A'.repeat(64)}`, 'invalid checksum digest format'],
    [`sha256:${'a'.repeat(63)}`, 'invalid checksum digest format'],
    ['md5:d41d8cd98f00b204e9800998ecf8427e', 'unsupported digest algorithm'],
    ['MD5:abc', 'invalid checksum digest format'],
  ])('%s', (input, message) => {
    expect(digestError(input)).toBe(message);
  });

  it('parseDigest throws E_INVALID_DIGEST', () => {
    expect(parseDigest(D)).toBe(D);
    expect(() => parseDigest('x')).toThrow(expect.objectContaining({ code: 'E_INVALID_DIGEST' }));
  });
});

// The corpora (our fixtures, and the golden corpus when present): every image BuildKit pinned must
// be reproducible from images.json with normalizeReference + withDigest.
describe.each(corpora().map((c) => [c.id, c] as const))('pins of the %s corpus', (_id, corpus) => {
  it('keys of images.json are normalized and pin to the identifiers BuildKit wrote', () => {
    const images = JSON.parse(readFileSync(corpus.images, 'utf8')) as Record<string, { digest: string }>;
    const pins = new Set<string>();
    for (const [key, entry] of Object.entries(images)) {
      expect(normalizeReference(key)).toBe(key);
      pins.add(withDigest(key, entry.digest));
    }
    let checked = 0;
    for (const c of listCases(corpus, { sets: ['features', 'real', 'e2e'] })) {
      {
        const file = join(c.dir, 'expected.json');
        if (!existsSync(file)) continue;
        const expected = JSON.parse(readFileSync(file, 'utf8')) as { ops: { op: { source?: { identifier: string } } }[] };
        for (const { op } of expected.ops) {
          const id = op.source?.identifier;
          if (id?.startsWith('docker-image://')) {
            expect(pins).toContain(id.slice('docker-image://'.length));
            checked++;
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(corpus.id === 'golden' ? 100 : 20);
  });
});
