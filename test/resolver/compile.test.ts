/**
 * compile() and lockDockerfile() against a real registry (Debian's docker-registry on loopback):
 * the digest FROM pins is the one the registry returns, the config of the requested platform
 * reaches the RUN steps, and a lock file reproduces the compile byte for byte, offline.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile, type CompileOptions } from '../../src/compile.js';
import { ImageResolveError } from '../../src/errors.js';
import { parseImageMetadata, serializeImageMetadata } from '../../src/image/metadata.js';
import type { ImageMetadataFile, ImageResolver } from '../../src/image/types.js';
import { dumpDefinition } from '../../src/llb/dump.js';
import { readDefinition } from '../../src/llb/definition.js';
import { RecordingResolver, lockDockerfile } from '../../src/lock.js';
import { RegistryResolver } from '../../src/resolver/index.js';
import { startRegistry, type PushedImage, type TestRegistry } from '../helpers/registry.js';

let registry: TestRegistry;
let host: string;
const digests: Record<string, string> = {};
const pushed: Record<string, PushedImage> = {};
let appIndexDigest: string;

const AMD64_ENV = ['PATH=/usr/local/bin:/usr/bin:/bin', 'FOO=amd64'];
const ARM64_ENV = ['PATH=/opt/arm/bin:/usr/bin:/bin', 'FOO=arm64'];

beforeAll(async () => {
  registry = await startRegistry();
  host = registry.host;

  // test/app:1: an OCI index, linux/arm64 listed first, with a different env and workdir each.
  const app = await registry.pushPlatformIndex('test/app', '1', [
    { platform: { os: 'linux', architecture: 'arm64', variant: 'v8' }, config: { Env: ARM64_ENV, WorkingDir: '/srv/arm64' } },
    { platform: { os: 'linux', architecture: 'amd64' }, config: { Env: AMD64_ENV, WorkingDir: '/srv/amd64', User: 'app' } },
  ]);
  pushed.appAmd64 = app.images[1]!;
  appIndexDigest = app.digest;

  // test/single:1: one Docker schema 2 manifest.
  pushed.single = await registry.pushImage('test/single', '1', {
    format: 'docker',
    config: { config: { Env: ['PATH=/usr/bin:/bin', 'SINGLE=yes'], WorkingDir: '/srv' } },
  });

  // Images only reachable through COPY --from, RUN --mount=from, ARG expansion and ONBUILD.
  pushed.tools = await registry.pushImage('test/tools', '2', { config: { config: { Env: ['TOOLS=2'] } } });
  pushed.cache = await registry.pushImage('test/cache', '1', { config: { config: { Env: ['CACHE=1'] } } });
  pushed.argImage = await registry.pushImage('test/arg', 'v3', { config: { config: { Env: ['ARG_IMAGE=v3'], WorkingDir: '/arg' } } });
  pushed.helper = await registry.pushImage('test/helper', '1', { config: { config: { Env: ['HELPER=1'] } } });
  pushed.onbuild = await registry.pushImage('test/onbuild', '1', {
    config: { config: { Env: ['ONBUILD=1'], OnBuild: [`COPY --from=${host}/test/helper:1 /helper /helper`] } },
  });

  for (const [repo, tag] of [
    ['test/app', '1'],
    ['test/single', '1'],
    ['test/tools', '2'],
    ['test/cache', '1'],
    ['test/arg', 'v3'],
    ['test/helper', '1'],
    ['test/onbuild', '1'],
  ] as const) {
    digests[`${repo}:${tag}`] = await registry.headDigest(repo, tag);
  }
}, 60_000);

afterAll(async () => {
  await registry?.stop();
});

/** A resolver that never reads the user's docker config. */
function registryResolver(): RegistryResolver {
  return new RegistryResolver({ credentials: async () => ({}), retries: 0 });
}

interface OpJson {
  source?: { identifier: string };
  exec?: { meta: { args: string[]; env?: string[]; cwd?: string; user?: string } };
  platform?: { OS: string; Architecture: string; Variant?: string };
}

/** The ops of the serialized Definition, decoded from its bytes. */
function ops(bytes: Uint8Array): OpJson[] {
  return dumpDefinition(readDefinition(bytes)).map((e) => e.Op as OpJson);
}

function imageSources(bytes: Uint8Array): string[] {
  return ops(bytes)
    .flatMap((o) => (o.source ? [o.source.identifier] : []))
    .filter((id) => id.startsWith('docker-image://'))
    .sort();
}

/** The exec meta of the RUN whose shell command is `cmd`. */
function runMeta(bytes: Uint8Array, cmd: string): NonNullable<OpJson['exec']>['meta'] {
  const found = ops(bytes).filter((o) => o.exec && o.exec.meta.args.at(-1) === cmd);
  expect(found, `one RUN ${cmd}`).toHaveLength(1);
  return found[0].exec!.meta;
}

/** Locks, then checks the lock file reproduces the registry compile byte for byte. */
async function lockAndCompare(dockerfile: string, options: Omit<CompileOptions, 'resolver' | 'images'> = {}): Promise<ImageMetadataFile> {
  const { images, compiled } = await lockDockerfile(dockerfile, { ...options, resolver: registryResolver() });
  // Through the file format, as the CLI does.
  const file = parseImageMetadata(serializeImageMetadata(images));
  const offline = await compile(dockerfile, { ...options, images: file });
  expect(Buffer.from(offline.bytes).equals(Buffer.from(compiled.bytes))).toBe(true);
  expect(offline.imageConfig).toEqual(compiled.imageConfig);
  // And a fresh registry compile agrees too.
  const online = await compile(dockerfile, { ...options, resolver: registryResolver() });
  expect(Buffer.from(online.bytes).equals(Buffer.from(compiled.bytes))).toBe(true);
  return images;
}

describe('compile against a real registry', () => {
  it('pins the digest the registry returns for the tag and uses the linux/amd64 config of the index', async () => {
    const r = await compile(`FROM ${host}/test/app:1\nRUN echo hi\n`, { resolver: registryResolver() });
    const digest = digests['test/app:1'];
    expect(digest).toBe(appIndexDigest);
    expect(imageSources(r.bytes)).toEqual([`docker-image://${host}/test/app:1@${digest}`]);
    const source = ops(r.bytes).find((o) => o.source)!;
    expect(source.platform).toEqual({ OS: 'linux', Architecture: 'amd64' });

    const run = runMeta(r.bytes, 'echo hi');
    expect(run.args).toEqual(['/bin/sh', '-c', 'echo hi']);
    expect(run.env).toEqual(AMD64_ENV);
    expect(run.cwd).toBe('/srv/amd64');
    expect(run.user).toBe('app');

    expect(r.imageConfig.architecture).toBe('amd64');
    expect(r.imageConfig.config?.Env).toEqual(AMD64_ENV);
    expect(r.imageConfig.config?.WorkingDir).toBe('/srv/amd64');
    expect(r.imageConfig.rootfs?.diff_ids).toEqual((pushed.appAmd64.config.rootfs as { diff_ids: string[] }).diff_ids);
  });

  it('picks the linux/arm64 config with --platform linux/arm64, pinning the same index digest', async () => {
    const r = await compile(`FROM ${host}/test/app:1\nRUN echo hi\n`, { resolver: registryResolver(), platform: 'linux/arm64' });
    expect(imageSources(r.bytes)).toEqual([`docker-image://${host}/test/app:1@${digests['test/app:1']}`]);
    expect(ops(r.bytes).find((o) => o.source)!.platform).toEqual({ OS: 'linux', Architecture: 'arm64' });
    const run = runMeta(r.bytes, 'echo hi');
    expect(run.env).toEqual(ARM64_ENV);
    expect(run.cwd).toBe('/srv/arm64');
    expect(r.imageConfig).toMatchObject({ architecture: 'arm64', config: { Env: ARM64_ENV, WorkingDir: '/srv/arm64' } });
  });

  it('pins a single manifest to its own digest; ENV and WORKDIR build on the image config', async () => {
    const r = await compile(`FROM ${host}/test/single:1\nENV EXTRA=1\nWORKDIR sub\nRUN pwd\n`, { resolver: registryResolver() });
    expect(digests['test/single:1']).toBe(pushed.single.digest);
    expect(imageSources(r.bytes)).toEqual([`docker-image://${host}/test/single:1@${pushed.single.digest}`]);
    const run = runMeta(r.bytes, 'pwd');
    expect(run.env).toEqual(['PATH=/usr/bin:/bin', 'SINGLE=yes', 'EXTRA=1']);
    expect(run.cwd).toBe('/srv/sub');
  });

  it('keeps a digest the Dockerfile pins, with or without a tag', async () => {
    const digest = digests['test/app:1'];
    const dockerfile = `FROM ${host}/test/app:1@${digest} AS a\nRUN a\nFROM ${host}/test/app@${digest}\nCOPY --from=a /x /x\nRUN b\n`;
    const r = await compile(dockerfile, { resolver: registryResolver() });
    expect(imageSources(r.bytes)).toEqual([`docker-image://${host}/test/app:1@${digest}`, `docker-image://${host}/test/app@${digest}`]);
    expect(runMeta(r.bytes, 'a').env).toEqual(AMD64_ENV);
    expect(runMeta(r.bytes, 'b').cwd).toBe('/srv/amd64');
    const images = await lockAndCompare(dockerfile);
    expect(Object.keys(images)).toEqual([`${host}/test/app:1@${digest}`, `${host}/test/app@${digest}`]);
  });

  it('fails with the reference and the line when the registry does not have the image', async () => {
    const err = await compile(`FROM scratch\nFROM ${host}/test/missing:1\n`, { resolver: registryResolver() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImageResolveError);
    expect((err as ImageResolveError).code).toBe('E_IMAGE_NOT_FOUND');
    expect((err as ImageResolveError).message).toContain(`${host}/test/missing:1`);
    expect((err as ImageResolveError).location).toMatchObject({ start: { line: 2 } });
  });
});

describe('lockDockerfile against a real registry', () => {
  it('locks one image; compiling from the lock gives the same bytes, offline', async () => {
    const images = await lockAndCompare(`FROM ${host}/test/app:1\nRUN echo hi\n`);
    expect(Object.keys(images)).toEqual([`${host}/test/app:1`]);
    expect(images[`${host}/test/app:1`].digest).toBe(digests['test/app:1']);
    expect(images[`${host}/test/app:1`].config.config?.Env).toEqual(AMD64_ENV);
    expect(images[`${host}/test/app:1`].platforms).toBeUndefined();
  });

  it('locks the config of the target platform', async () => {
    const images = await lockAndCompare(`FROM ${host}/test/app:1\nRUN echo hi\n`, { platform: 'linux/arm64' });
    expect(images[`${host}/test/app:1`].config).toMatchObject({ architecture: 'arm64', config: { WorkingDir: '/srv/arm64' } });
  });

  it('records one image used for two platforms with a platforms map, and the lock reproduces both', async () => {
    const dockerfile = [
      `FROM --platform=$BUILDPLATFORM ${host}/test/app:1 AS build`,
      'RUN make',
      `FROM ${host}/test/app:1`,
      'COPY --from=build /out /out',
      'RUN run',
      '',
    ].join('\n');
    const images = await lockAndCompare(dockerfile, { platform: 'linux/arm64' });
    const entry = images[`${host}/test/app:1`];
    expect(Object.keys(entry.platforms ?? {})).toEqual(['linux/amd64', 'linux/arm64']);
    expect(entry.platforms!['linux/amd64'].config?.Env).toEqual(AMD64_ENV);
    expect(entry.platforms!['linux/arm64'].config?.Env).toEqual(ARM64_ENV);

    const offline = await compile(dockerfile, { platform: 'linux/arm64', images });
    expect(runMeta(offline.bytes, 'make').env).toEqual(AMD64_ENV);
    expect(runMeta(offline.bytes, 'run').env).toEqual(ARM64_ENV);
  });

  it('finds images behind ARG expansion, COPY --from, RUN --mount=from and ONBUILD, and skips unused stages', async () => {
    const dockerfile = [
      'ARG BASE=arg',
      'ARG TAG=v3',
      `FROM ${host}/test/never:1 AS unused`,
      'RUN never',
      `FROM ${host}/test/\${BASE}:\${TAG} AS base`,
      `COPY --from=${host}/test/tools:2 /bin/tool /bin/tool`,
      `RUN --mount=from=${host}/test/cache:1,target=/cache ls /cache`,
      `FROM ${host}/test/onbuild:1`,
      'COPY --from=base /arg /arg',
      'RUN done',
      '',
    ].join('\n');
    const images = await lockAndCompare(dockerfile);
    expect(Object.keys(images)).toEqual([`${host}/test/arg:v3`, `${host}/test/cache:1`, `${host}/test/helper:1`, `${host}/test/onbuild:1`, `${host}/test/tools:2`]);
    for (const [key, entry] of Object.entries(images)) {
      expect(entry.digest, key).toBe(digests[key.slice(host.length + 1)]);
    }

    // --build-arg changes which image is used; the lock follows.
    const other = await lockAndCompare(dockerfile, { buildArgs: { BASE: 'app', TAG: '1' } });
    expect(Object.keys(other)).toContain(`${host}/test/app:1`);
    expect(Object.keys(other)).not.toContain(`${host}/test/arg:v3`);
    // --target prunes what the target does not need.
    const base = await lockAndCompare(dockerfile, { target: 'base' });
    expect(Object.keys(base)).toEqual([`${host}/test/arg:v3`, `${host}/test/cache:1`, `${host}/test/tools:2`]);
  });

  it('writes nothing for a build without images', async () => {
    const images = await lockAndCompare('FROM scratch\nCOPY a /a\n');
    expect(images).toEqual({});
    expect(serializeImageMetadata(images)).toBe('{}\n');
  });

  it('RecordingResolver records calls in order and rethrows failures from metadata()', async () => {
    const failing: ImageResolver = {
      resolve: async (ref) => {
        throw new ImageResolveError('E_IMAGE_NOT_FOUND', `${ref}: not found`, ref);
      },
    };
    const rec = new RecordingResolver(failing);
    await expect(rec.resolve('alpine', { platform: { os: 'linux', architecture: 'amd64' } })).rejects.toThrow(/not found/);
    expect(rec.requests()).toEqual([{ ref: 'alpine', platform: { os: 'linux', architecture: 'amd64' } }]);
    await expect(rec.metadata()).rejects.toThrow(/alpine: not found/);

    // The recorded config is a private copy: mutating the returned one does not change the lock.
    const ok = new RecordingResolver(registryResolver());
    const r = await ok.resolve(`${host}/test/single:1`, { platform: { os: 'linux', architecture: 'amd64' } });
    r.config.config!.Env!.push('MUTATED=1');
    const file = await ok.metadata();
    expect(file[`${host}/test/single:1`].config.config?.Env).toEqual(['PATH=/usr/bin:/bin', 'SINGLE=yes']);
  });
});
