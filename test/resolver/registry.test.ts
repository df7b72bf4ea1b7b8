/**
 * RegistryResolver against a real registry (Debian's docker-registry) without authentication:
 * images, indexes and manifest lists are pushed through the HTTP API, then resolved.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rejection } from '../helpers/image-errors.js';
import { lockImages, serializeImageMetadata } from '../../src/image/metadata.js';
import { withDigest } from '../../src/image/reference.js';
import { StaticImageResolver } from '../../src/image/static-resolver.js';
import type { Platform } from '../../src/image/types.js';
import { RegistryResolver, type FetchLike } from '../../src/resolver/index.js';
import { MediaType, sha256, startRegistry, type Descriptor, type PushedImage, type TestRegistry } from '../helpers/registry.js';

const AMD64: Platform = { os: 'linux', architecture: 'amd64' };
const ARM64: Platform = { os: 'linux', architecture: 'arm64' };

let registry: TestRegistry;
let host: string;
const images: Record<string, PushedImage> = {};
const indexes: Record<string, string> = {};

function platformOf(img: PushedImage, platform: Descriptor['platform']): Descriptor {
  return { ...img.descriptor, platform };
}

beforeAll(async () => {
  registry = await startRegistry();
  host = registry.host;

  // test/app:1 — an OCI index with linux/amd64 and linux/arm64.
  images.appAmd64 = await registry.pushImage('test/app', undefined, {
    config: { architecture: 'amd64', os: 'linux', config: { Env: ['PATH=/usr/bin:/bin', 'FOO=amd64'], WorkingDir: '/app-amd64', User: 'app' } },
  });
  images.appArm64 = await registry.pushImage('test/app', undefined, {
    config: { architecture: 'arm64', os: 'linux', variant: 'v8', config: { Env: ['FOO=arm64'], WorkingDir: '/app-arm64' } },
  });
  indexes.app = (
    await registry.pushIndex('test/app', '1', [
      platformOf(images.appArm64, { os: 'linux', architecture: 'arm64', variant: 'v8' }),
      platformOf(images.appAmd64, { os: 'linux', architecture: 'amd64' }),
    ])
  ).digest;

  // Single manifests, OCI and Docker schema 2.
  images.singleOci = await registry.pushImage('test/single', 'oci', { config: { config: { Env: ['KIND=oci'] } } });
  images.singleDocker = await registry.pushImage('test/single', 'docker', { format: 'docker', config: { config: { Env: ['KIND=docker'], OnBuild: ['RUN echo hi'] } } });

  // A Docker manifest list with 386 and arm variants.
  images.list386 = await registry.pushImage('test/list', undefined, { format: 'docker', config: { architecture: '386', config: { Env: ['ARCH=386'] } } });
  images.listArmV6 = await registry.pushImage('test/list', undefined, { format: 'docker', config: { architecture: 'arm', variant: 'v6', config: { Env: ['ARCH=armv6'] } } });
  images.listArmV7 = await registry.pushImage('test/list', undefined, { format: 'docker', config: { architecture: 'arm', variant: 'v7', config: { Env: ['ARCH=armv7'] } } });
  indexes.list = (
    await registry.pushIndex(
      'test/list',
      '1',
      [
        platformOf(images.list386, { os: 'linux', architecture: '386' }),
        platformOf(images.listArmV6, { os: 'linux', architecture: 'arm', variant: 'v6' }),
        platformOf(images.listArmV7, { os: 'linux', architecture: 'arm', variant: 'v7' }),
      ],
      { format: 'docker' },
    )
  ).digest;

  // An index whose entries carry no platform: the config decides.
  images.noplat = await registry.pushImage('test/noplat', undefined, { config: { architecture: 'arm64', config: { Env: ['NOPLAT=1'] } } });
  indexes.noplat = (await registry.pushIndex('test/noplat', '1', [images.noplat.descriptor])).digest;

  // An index of an index.
  const nestedImage = await registry.pushImage('test/nested', undefined, { config: images.appAmd64.config });
  const inner = await registry.pushIndex('test/nested', 'inner', [platformOf(nestedImage, { os: 'linux', architecture: 'amd64' })]);
  indexes.nested = (
    await registry.pushIndex('test/nested', '1', [{ mediaType: MediaType.OciIndex, digest: inner.digest, size: inner.body.length, platform: { os: 'linux', architecture: 'amd64' } }])
  ).digest;

  // A manifest whose config is not an image config (an artifact).
  images.artifact = await registry.pushImage('test/artifact', '1', { configMediaType: 'application/vnd.example.thing.config.v1+json' });
}, 60_000);

afterAll(async () => {
  await registry?.stop();
});


/** A fetch that counts requests per URL path and in-flight requests. */
function countingFetch(): { fetch: FetchLike; paths: string[]; maxInFlight: () => number } {
  const paths: string[] = [];
  let inFlight = 0;
  let max = 0;
  return {
    paths,
    maxInFlight: () => max,
    fetch: async (input, init) => {
      paths.push(new URL(input).pathname);
      inFlight++;
      max = Math.max(max, inFlight);
      try {
        const res = await fetch(input, init);
        const body = new Uint8Array(await res.arrayBuffer());
        return new Response(res.status === 204 || res.status === 304 ? null : body, { status: res.status, headers: res.headers });
      } finally {
        inFlight--;
      }
    },
  };
}

describe('RegistryResolver on a real registry', () => {
  it('pins the digest the registry returns for the tag, and picks linux/amd64 from the index', async () => {
    const resolver = new RegistryResolver();
    const r = await resolver.resolve(`${host}/test/app:1`, { platform: AMD64 });
    expect(r.digest).toBe(await registry.headDigest('test/app', '1'));
    expect(r.digest).toBe(indexes.app);
    expect(r.ref).toBe(`${host}/test/app:1`);
    expect(r.config.architecture).toBe('amd64');
    expect(r.config.config?.Env).toEqual(['PATH=/usr/bin:/bin', 'FOO=amd64']);
    expect(r.config.config?.WorkingDir).toBe('/app-amd64');
    expect(r.config.config?.User).toBe('app');
    expect(withDigest(r.ref, r.digest)).toBe(`${host}/test/app:1@${indexes.app}`);
  });

  it('picks linux/arm64 (and arm64/v8) with the same pinned digest', async () => {
    const resolver = new RegistryResolver();
    const r = await resolver.resolve(`${host}/test/app:1`, { platform: ARM64 });
    expect(r.digest).toBe(indexes.app);
    expect(r.config.config?.Env).toEqual(['FOO=arm64']);
    const v8 = await resolver.resolve(`${host}/test/app:1`, { platform: { ...ARM64, variant: 'v8' } });
    expect(v8.config.config?.WorkingDir).toBe('/app-arm64');
  });

  it('resolves by digest and by tag@digest, pinning that digest', async () => {
    const resolver = new RegistryResolver();
    const byDigest = await resolver.resolve(`${host}/test/app@${indexes.app}`, { platform: AMD64 });
    expect(byDigest).toMatchObject({ ref: `${host}/test/app@${indexes.app}`, digest: indexes.app });
    expect(byDigest.config.config?.WorkingDir).toBe('/app-amd64');
    const both = await resolver.resolve(`${host}/test/app:1@${indexes.app}`, { platform: AMD64 });
    expect(both).toMatchObject({ ref: `${host}/test/app:1@${indexes.app}`, digest: indexes.app });
    // The tag is ignored when a digest is given, as containerd does.
    const staleTag = await resolver.resolve(`${host}/test/app:nope@${indexes.app}`, { platform: AMD64 });
    expect(staleTag.digest).toBe(indexes.app);
    // A platform manifest by digest.
    const child = await resolver.resolve(`${host}/test/app@${images.appArm64.digest}`, { platform: AMD64 });
    expect(child.digest).toBe(images.appArm64.digest);
    expect(child.config.architecture).toBe('arm64');
  });

  it('resolves single OCI and Docker schema 2 manifests whatever the platform', async () => {
    const resolver = new RegistryResolver();
    const oci = await resolver.resolve(`${host}/test/single:oci`, { platform: ARM64 });
    expect(oci.digest).toBe(images.singleOci.digest);
    expect(oci.config.config?.Env).toEqual(['KIND=oci']);
    const docker = await resolver.resolve(`${host}/test/single:docker`, { platform: AMD64 });
    expect(docker.digest).toBe(images.singleDocker.digest);
    expect(docker.digest).toBe(await registry.headDigest('test/single', 'docker'));
    expect(docker.config.config?.OnBuild).toEqual(['RUN echo hi']);
    expect(docker.config).toEqual(images.singleDocker.config);
  });

  it('applies containerd matching rules to a Docker manifest list', async () => {
    const resolver = new RegistryResolver();
    const env = async (platform: Platform) => (await resolver.resolve(`${host}/test/list:1`, { platform })).config.config?.Env;
    expect(await env({ os: 'linux', architecture: 'arm', variant: 'v7' })).toEqual(['ARCH=armv7']);
    expect(await env({ os: 'linux', architecture: 'arm' })).toEqual(['ARCH=armv7']);
    expect(await env({ os: 'linux', architecture: 'arm', variant: 'v6' })).toEqual(['ARCH=armv6']);
    expect(await env({ os: 'linux', architecture: 'arm', variant: 'v8' })).toEqual(['ARCH=armv7']);
    // amd64 falls back to 386.
    expect(await env(AMD64)).toEqual(['ARCH=386']);
    // arm64 falls back to 32-bit arm, best variant first.
    expect(await env(ARM64)).toEqual(['ARCH=armv7']);
    const r = await resolver.resolve(`${host}/test/list:1`, { platform: AMD64 });
    expect(r.digest).toBe(indexes.list);
  });

  it('checks the config platform of platform-less index entries', async () => {
    const resolver = new RegistryResolver();
    const r = await resolver.resolve(`${host}/test/noplat:1`, { platform: ARM64 });
    expect(r.digest).toBe(indexes.noplat);
    expect(r.config.config?.Env).toEqual(['NOPLAT=1']);
    const err = await rejection(resolver.resolve(`${host}/test/noplat:1`, { platform: AMD64 }));
    expect(err.code).toBe('E_NO_MATCHING_PLATFORM');
  });

  it('descends into nested indexes', async () => {
    const r = await new RegistryResolver().resolve(`${host}/test/nested:1`, { platform: AMD64 });
    expect(r.digest).toBe(indexes.nested);
    expect(r.config.config?.WorkingDir).toBe('/app-amd64');
  });

  it('reports a platform the index lacks, listing what it has', async () => {
    const err = await rejection(new RegistryResolver().resolve(`${host}/test/app:1`, { platform: { os: 'windows', architecture: 'amd64' } }));
    expect(err.code).toBe('E_NO_MATCHING_PLATFORM');
    expect(err.message).toBe(
      `${host}/test/app:1: no match for platform windows/amd64 in manifest ${indexes.app} (available: linux/arm64/v8, linux/amd64)`,
    );
  });

  it('reports unknown tags and repositories as not found', async () => {
    const resolver = new RegistryResolver();
    const tag = await rejection(resolver.resolve(`${host}/test/app:missing`, { platform: AMD64 }));
    expect(tag.code).toBe('E_IMAGE_NOT_FOUND');
    expect(tag.ref).toBe(`${host}/test/app:missing`);
    expect(tag.message).toMatch(new RegExp(`^${host}/test/app:missing: not found: ${host} has no manifest for tag missing: manifest_unknown`));
    const repo = await rejection(resolver.resolve(`${host}/test/nothing-here`, { platform: AMD64 }));
    expect(repo.code).toBe('E_IMAGE_NOT_FOUND');
    expect(repo.ref).toBe(`${host}/test/nothing-here:latest`);
    const digest = await rejection(resolver.resolve(`${host}/test/app@${sha256('nothing')}`, { platform: AMD64 }));
    expect(digest.code).toBe('E_IMAGE_NOT_FOUND');
  });

  it('rejects configs that are not image configs', async () => {
    const err = await rejection(new RegistryResolver().resolve(`${host}/test/artifact:1`, { platform: AMD64 }));
    expect(err.code).toBe('E_UNSUPPORTED_MEDIA_TYPE');
    expect(err.message).toContain('unsupported config media type application/vnd.example.thing.config.v1+json');
  });

  it('rejects invalid references before any request', async () => {
    const counting = countingFetch();
    const err = await rejection(new RegistryResolver({ fetch: counting.fetch }).resolve(`${host}/test/App:1`, { platform: AMD64 }));
    expect(err.code).toBe('E_INVALID_REFERENCE');
    expect(counting.paths).toEqual([]);
  });

  it('verifies digests of what it downloads', async () => {
    // A fetch that flips one byte of the arm64 config blob.
    const tampering: FetchLike = async (input, init) => {
      const res = await fetch(input, init);
      if (!new URL(input).pathname.endsWith(images.appArm64.configDigest)) return res;
      const body = new Uint8Array(await res.arrayBuffer());
      body[body.length - 2] ^= 1;
      return new Response(body, { status: res.status, headers: res.headers });
    };
    const err = await rejection(new RegistryResolver({ fetch: tampering }).resolve(`${host}/test/app:1`, { platform: ARM64 }));
    expect(err.code).toBe('E_DIGEST_MISMATCH');
    expect(err.message).toContain(`digest mismatch for config ${images.appArm64.configDigest}: expected ${images.appArm64.configDigest}, got sha256:`);

    // A manifest fetched by tag must match the Docker-Content-Digest the registry announces.
    const tamperTag: FetchLike = async (input, init) => {
      const res = await fetch(input, init);
      if (!new URL(input).pathname.endsWith('/manifests/oci')) return res;
      const text = (await res.text()).replace('"schemaVersion":2', '"schemaVersion": 2');
      return new Response(text, { status: res.status, headers: res.headers });
    };
    const tagErr = await rejection(new RegistryResolver({ fetch: tamperTag }).resolve(`${host}/test/single:oci`, { platform: AMD64 }));
    expect(tagErr.code).toBe('E_DIGEST_MISMATCH');
    expect(tagErr.message).toContain('(Docker-Content-Digest)');
  });

  it('shares work between concurrent and repeated resolutions', async () => {
    const counting = countingFetch();
    const resolver = new RegistryResolver({ fetch: counting.fetch });
    const [a, b] = await Promise.all([
      resolver.resolve(`${host}/test/app:1`, { platform: AMD64 }),
      resolver.resolve(`${host}/test/app:1`, { platform: { os: 'linux', architecture: 'x86_64' } }),
    ]);
    expect(a).toEqual(b);
    await resolver.resolve(`${host}/test/app:1`, { platform: ARM64 });
    // The tag and the index were fetched once; then one manifest and one config per platform.
    expect(counting.paths.filter((p) => p.endsWith('/manifests/1'))).toHaveLength(1);
    expect(counting.paths).toHaveLength(5);
    // Results are copies.
    a.config.config!.Env!.push('X=1');
    expect((await resolver.resolve(`${host}/test/app:1`, { platform: AMD64 })).config.config?.Env).toHaveLength(2);
  });

  it('bounds concurrency across images', async () => {
    const counting = countingFetch();
    const resolver = new RegistryResolver({ fetch: counting.fetch, concurrency: 2 });
    const refs = ['test/app:1', 'test/single:oci', 'test/single:docker', 'test/list:1', 'test/noplat:1', 'test/nested:1'];
    const results = await Promise.all(refs.map((r) => resolver.resolve(`${host}/${r}`, { platform: r.startsWith('test/noplat') ? ARM64 : AMD64 })));
    expect(results).toHaveLength(6);
    expect(counting.maxInFlight()).toBeLessThanOrEqual(2);
    const unbounded = countingFetch();
    const wide = new RegistryResolver({ fetch: unbounded.fetch, concurrency: 8 });
    await Promise.all(refs.map((r) => wide.resolve(`${host}/${r}`, { platform: r.startsWith('test/noplat') ? ARM64 : AMD64 })));
    expect(unbounded.maxInFlight()).toBeGreaterThan(2);
  });

  it('lock then the static resolver gives exactly what the registry gave', async () => {
    const requests = [
      { ref: `${host}/test/app:1`, platform: AMD64 },
      { ref: `${host}/test/single:docker`, platform: AMD64 },
      { ref: `${host}/test/list:1`, platform: AMD64 },
      { ref: `${host}/test/app@${indexes.app}`, platform: AMD64 },
    ];
    const registryResolver = new RegistryResolver();
    const file = await lockImages(requests, registryResolver);
    expect(Object.keys(file)).toEqual([...Object.keys(file)].sort());
    expect(file[`${host}/test/app:1`]).toEqual({ digest: indexes.app, config: images.appAmd64.config });
    const text = serializeImageMetadata(file);
    const offline = new StaticImageResolver(JSON.parse(text));
    for (const { ref, platform } of requests) {
      expect(await offline.resolve(ref, { platform })).toEqual(await registryResolver.resolve(ref, { platform }));
    }
  });
});
