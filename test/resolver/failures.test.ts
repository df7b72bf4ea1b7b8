/**
 * RegistryResolver failure handling, against small fake registries on loopback (no
 * docker-registry needed): retries, timeouts, network errors, media types, size limits,
 * redirects, and docker credential lookups.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { rejection } from '../helpers/image-errors.js';
import type { Platform } from '../../src/image/types.js';
import { parseChallenges } from '../../src/resolver/auth.js';
import {
  DOCKER_HUB_AUTH_KEY,
  DockerCredentialStore,
  RegistryResolver,
  convertToHostname,
  credentialKey,
  loadStaticResolver,
  readImageMetadataFile,
  isLoopbackHost,
  registryHost,
  type FetchLike,
} from '../../src/resolver/index.js';
import { MediaType, freePort, sha256, startHttpServer } from '../helpers/registry.js';

const AMD64: Platform = { os: 'linux', architecture: 'amd64' };

const CONFIG = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', config: { Env: ['FAKE=1'] } }));
const CONFIG_DIGEST = sha256(CONFIG);
function manifestFor(config: Buffer, mediaType: string = MediaType.OciManifest): Buffer {
  return Buffer.from(
    JSON.stringify({ schemaVersion: 2, mediaType, config: { mediaType: MediaType.OciConfig, digest: sha256(config), size: config.length }, layers: [] }),
  );
}
const MANIFEST = manifestFor(CONFIG);
const MANIFEST_DIGEST = sha256(MANIFEST);

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
let handler: Handler = (_req, res) => res.writeHead(500).end();
let server: Awaited<ReturnType<typeof startHttpServer>>;
let tmp: string;

beforeAll(async () => {
  server = await startHttpServer((req, res) => handler(req, res));
  tmp = await mkdtemp(join(tmpdir(), 'dfllb-failures-'));
});
afterAll(async () => {
  await server.close();
  await rm(tmp, { recursive: true, force: true });
});
afterEach(() => {
  handler = (_req, res) => res.writeHead(500).end();
});

/** A well-behaved fake registry serving MANIFEST as `fake/app:1` and its config. */
function serveImage(req: IncomingMessage, res: ServerResponse, manifest = MANIFEST, contentType: string | undefined = MediaType.OciManifest): boolean {
  if (req.url === '/v2/fake/app/manifests/1' || req.url === `/v2/fake/app/manifests/${sha256(manifest)}`) {
    res.writeHead(200, { ...(contentType ? { 'content-type': contentType } : {}), 'docker-content-digest': sha256(manifest) });
    res.end(manifest);
    return true;
  }
  if (req.url === `/v2/fake/app/blobs/${CONFIG_DIGEST}`) {
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    res.end(CONFIG);
    return true;
  }
  return false;
}

function fast(extra: ConstructorParameters<typeof RegistryResolver>[0] = {}): RegistryResolver {
  return new RegistryResolver({ retryDelayMs: 1, timeoutMs: 2000, credentials: async () => ({}), ...extra });
}


describe('retries and timeouts', () => {
  it('retries 5xx and 429 answers, then succeeds', async () => {
    let failures = 0;
    handler = (req, res) => {
      if (req.url?.includes('/manifests/') && failures < 2) {
        failures++;
        res.writeHead(failures === 1 ? 503 : 429, { 'retry-after': '0' }).end();
        return;
      }
      if (!serveImage(req, res)) res.writeHead(404).end();
    };
    const r = await fast({ retries: 2 }).resolve(`${server.host}/fake/app:1`, { platform: AMD64 });
    expect(r.digest).toBe(MANIFEST_DIGEST);
    expect(r.config.config?.Env).toEqual(['FAKE=1']);
    expect(failures).toBe(2);
  });

  it('gives up after the configured retries with the last status', async () => {
    let calls = 0;
    handler = (_req, res) => {
      calls++;
      res.writeHead(502, { 'content-type': 'application/json' }).end('{"errors":[{"code":"UNAVAILABLE","message":"backend down"}]}');
    };
    const err = await rejection(fast({ retries: 2 }).resolve(`${server.host}/fake/app:1`, { platform: AMD64 }));
    expect(err.code).toBe('E_REGISTRY');
    expect(err.message).toBe(`${server.host}/fake/app:1: registry ${server.host} answered HTTP 502 for manifest for tag 1 after 3 attempts: unavailable: backend down`);
    expect(calls).toBe(3);
  });

  it('does not retry other 4xx answers', async () => {
    let calls = 0;
    handler = (_req, res) => {
      calls++;
      res.writeHead(400).end();
    };
    const err = await rejection(fast({ retries: 3 }).resolve(`${server.host}/fake/app:1`, { platform: AMD64 }));
    expect(err.code).toBe('E_REGISTRY');
    expect(calls).toBe(1);
  });

  it('times out hanging requests and retries them', async () => {
    let calls = 0;
    handler = () => {
      calls++; // never answer
    };
    const start = Date.now();
    const err = await rejection(fast({ retries: 1, timeoutMs: 150 }).resolve(`${server.host}/fake/app:1`, { platform: AMD64 }));
    expect(err.code).toBe('E_NETWORK');
    expect(err.message).toBe(`${server.host}/fake/app:1: network error talking to ${server.host}: timed out after 150ms (after 2 attempts)`);
    expect(calls).toBe(2);
    expect(Date.now() - start).toBeLessThan(5000);
  });

  it('times out a body that stalls half way', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': MediaType.OciManifest, 'content-length': String(MANIFEST.length) });
      res.write(MANIFEST.subarray(0, 10)); // and never the rest
    };
    const err = await rejection(fast({ retries: 0, timeoutMs: 200 }).resolve(`${server.host}/fake/app:1`, { platform: AMD64 }));
    expect(err.code).toBe('E_NETWORK');
    expect(err.message).toContain('timed out after 200ms');
  });

  it('reports refused connections as network errors after retrying', async () => {
    const port = await freePort();
    let attempts = 0;
    const counting: FetchLike = (input, init) => {
      attempts++;
      return fetch(input, init);
    };
    const err = await rejection(fast({ retries: 2, fetch: counting }).resolve(`127.0.0.1:${port}/x/y:1`, { platform: AMD64 }));
    expect(err.code).toBe('E_NETWORK');
    expect(err.message).toMatch(new RegExp(`^127.0.0.1:${port}/x/y:1: network error talking to 127.0.0.1:${port}: .*ECONNREFUSED.* \\(after 3 attempts\\)$`));
    expect(attempts).toBe(3);
  });

  it('recovers from a transient network error', async () => {
    handler = (req, res) => {
      if (!serveImage(req, res)) res.writeHead(404).end();
    };
    let first = true;
    const flaky: FetchLike = (input, init) => {
      if (first) {
        first = false;
        return Promise.reject(new TypeError('fetch failed', { cause: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }) }));
      }
      return fetch(input, init);
    };
    const r = await fast({ fetch: flaky }).resolve(`${server.host}/fake/app:1`, { platform: AMD64 });
    expect(r.digest).toBe(MANIFEST_DIGEST);
  });
});

describe('media types and manifests', () => {
  it('rejects Docker schema 1 manifests', async () => {
    const schema1 = Buffer.from(JSON.stringify({ schemaVersion: 1, name: 'fake/app', tag: '1', fsLayers: [] }));
    handler = (req, res) => {
      if (!serveImage(req, res, schema1, 'application/vnd.docker.distribution.manifest.v1+prettyjws')) res.writeHead(404).end();
    };
    const err = await rejection(fast().resolve(`${server.host}/fake/app:1`, { platform: AMD64 }));
    expect(err.code).toBe('E_UNSUPPORTED_MEDIA_TYPE');
    expect(err.message).toContain('unsupported media type application/vnd.docker.distribution.manifest.v1+prettyjws: Docker schema 1 manifests are not supported');
  });

  it('rejects unknown manifest media types', async () => {
    const body = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.example.bundle+json', blobs: [] }));
    handler = (req, res) => {
      if (!serveImage(req, res, body, 'application/vnd.example.bundle+json')) res.writeHead(404).end();
    };
    const err = await rejection(fast().resolve(`${server.host}/fake/app:1`, { platform: AMD64 }));
    expect(err.code).toBe('E_UNSUPPORTED_MEDIA_TYPE');
    expect(err.message).toContain('unsupported media type application/vnd.example.bundle+json: expected an OCI or Docker schema 2 manifest or index');
  });

  it('falls back to the document media type, then its shape, on generic content types', async () => {
    const noMediaType = Buffer.from(JSON.stringify({ schemaVersion: 2, config: { mediaType: MediaType.OciConfig, digest: CONFIG_DIGEST, size: CONFIG.length }, layers: [] }));
    for (const [body, ct] of [
      [MANIFEST, 'application/json'],
      [MANIFEST, undefined],
      [noMediaType, 'text/plain; charset=utf-8'],
    ] as const) {
      handler = (req, res) => {
        if (!serveImage(req, res, body, ct)) res.writeHead(404).end();
      };
      const r = await fast().resolve(`${server.host}/fake/app:1`, { platform: AMD64 });
      expect(r.digest).toBe(sha256(body));
    }
  });

  it('rejects documents that contradict the type they are served as', async () => {
    handler = (req, res) => {
      if (!serveImage(req, res, MANIFEST, MediaType.DockerManifest)) res.writeHead(404).end();
    };
    const err = await rejection(fast().resolve(`${server.host}/fake/app:1`, { platform: AMD64 }));
    expect(err.code).toBe('E_INVALID_MANIFEST');
    expect(err.message).toContain(`manifest declares media type ${MediaType.OciManifest} but was served as ${MediaType.DockerManifest}`);
  });

  it('rejects invalid JSON and oversized manifests', async () => {
    const garbage = Buffer.from('{"schemaVersion": 2, ');
    handler = (req, res) => {
      if (!serveImage(req, res, garbage)) res.writeHead(404).end();
    };
    expect((await rejection(fast().resolve(`${server.host}/fake/app:1`, { platform: AMD64 }))).code).toBe('E_INVALID_MANIFEST');
    handler = (req, res) => {
      if (!serveImage(req, res)) res.writeHead(404).end();
    };
    const big = await rejection(fast({ maxManifestBytes: 64 }).resolve(`${server.host}/fake/app:1`, { platform: AMD64 }));
    expect(big.code).toBe('E_INVALID_MANIFEST');
    expect(big.message).toContain('is larger than 64 bytes');
  });

  it('checks the config size announced by the manifest', async () => {
    const lying = Buffer.from(
      JSON.stringify({ schemaVersion: 2, mediaType: MediaType.OciManifest, config: { mediaType: MediaType.OciConfig, digest: CONFIG_DIGEST, size: CONFIG.length + 1 }, layers: [] }),
    );
    handler = (req, res) => {
      if (!serveImage(req, res, lying)) res.writeHead(404).end();
    };
    const err = await rejection(fast().resolve(`${server.host}/fake/app:1`, { platform: AMD64 }));
    expect(err.code).toBe('E_DIGEST_MISMATCH');
    expect(err.message).toContain('size mismatch for config');
  });
});

describe('authentication details', () => {
  it('reports a 401 without a usable challenge as unauthorized', async () => {
    handler = (_req, res) => res.writeHead(401).end();
    const err = await rejection(fast().resolve(`${server.host}/fake/app:1`, { platform: AMD64 }));
    expect(err.code).toBe('E_UNAUTHORIZED');
  });

  it('sends a registrytoken as a bearer token without asking a token server', async () => {
    const seen: (string | undefined)[] = [];
    handler = (req, res) => {
      seen.push(req.headers.authorization);
      if (req.headers.authorization !== 'Bearer static-registry-token') {
        res.writeHead(401, { 'www-authenticate': 'Bearer realm="http://127.0.0.1:1/never",service="fake"' }).end();
        return;
      }
      if (!serveImage(req, res)) res.writeHead(404).end();
    };
    const r = await fast({ credentials: async () => ({ registryToken: 'static-registry-token' }) }).resolve(`${server.host}/fake/app:1`, { platform: AMD64 });
    expect(r.digest).toBe(MANIFEST_DIGEST);
    expect(seen[0]).toBeUndefined();
    expect(seen.slice(1).every((a) => a === 'Bearer static-registry-token')).toBe(true);
  });

  it('keeps credentials on the registry origin when a blob redirects elsewhere', async () => {
    const storageHeaders: (string | undefined)[] = [];
    const storage = await startHttpServer((req, res) => {
      storageHeaders.push(req.headers.authorization);
      res.writeHead(200).end(CONFIG);
    });
    try {
      const basic = `Basic ${Buffer.from('u:p').toString('base64')}`;
      handler = (req, res) => {
        if (req.headers.authorization !== basic) {
          res.writeHead(401, { 'www-authenticate': 'Basic realm="fake"' }).end();
          return;
        }
        if (req.url === `/v2/fake/app/blobs/${CONFIG_DIGEST}`) {
          res.writeHead(307, { location: `${storage.url}/blob?sig=abc` }).end();
          return;
        }
        if (!serveImage(req, res)) res.writeHead(404).end();
      };
      const r = await fast({ credentials: async () => ({ username: 'u', password: 'p' }) }).resolve(`${server.host}/fake/app:1`, { platform: AMD64 });
      expect(r.config.config?.Env).toEqual(['FAKE=1']);
      expect(storageHeaders).toEqual([undefined]);
    } finally {
      await storage.close();
    }
  });

  it('talks https to Docker Hub, on its registry endpoint, and http to loopback', async () => {
    const urls: string[] = [];
    const recording: FetchLike = async (input) => {
      urls.push(input);
      return new Response('{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}', { status: 404 });
    };
    const resolver = fast({ fetch: recording, retries: 0 });
    const err = await rejection(resolver.resolve('alpine', { platform: AMD64 }));
    expect(err.code).toBe('E_IMAGE_NOT_FOUND');
    expect(err.message).toBe('docker.io/library/alpine:latest: not found: registry-1.docker.io has no manifest for tag latest: manifest_unknown: manifest unknown');
    await rejection(resolver.resolve('localhost:5000/a/b@sha256:' + 'a'.repeat(64), { platform: AMD64 }));
    await rejection(resolver.resolve('ghcr.io/org/img:2', { platform: AMD64 }));
    expect(urls).toEqual([
      'https://registry-1.docker.io/v2/library/alpine/manifests/latest',
      `http://localhost:5000/v2/a/b/manifests/sha256:${'a'.repeat(64)}`,
      'https://ghcr.io/v2/org/img/manifests/2',
    ]);
  });
});

describe('hosts and schemes', () => {
  it('maps Docker Hub to its endpoint and knows loopback hosts', () => {
    expect(registryHost('docker.io')).toBe('registry-1.docker.io');
    expect(registryHost('ghcr.io')).toBe('ghcr.io');
    for (const h of ['localhost', 'localhost:5000', '127.0.0.1:5000', '127.1.2.3', '[::1]:5000', '[::1]']) expect(isLoopbackHost(h)).toBe(true);
    for (const h of ['localhost.example.com', '128.0.0.1:5000', 'ghcr.io', '[::2]:5000']) expect(isLoopbackHost(h)).toBe(false);
  });

  it('uses http only for loopback and registries marked insecure', () => {
    const r = new RegistryResolver({ insecureRegistries: ['myregistry:5000', 'http://other.example/', 'plain.example'] });
    expect(r.schemeFor('127.0.0.1:5000')).toBe('http');
    expect(r.schemeFor('localhost')).toBe('http');
    expect(r.schemeFor('myregistry:5000')).toBe('http');
    expect(r.schemeFor('myregistry:5001')).toBe('https');
    expect(r.schemeFor('other.example')).toBe('http');
    expect(r.schemeFor('plain.example:443')).toBe('http');
    expect(r.schemeFor('registry-1.docker.io')).toBe('https');
  });
});

describe('WWW-Authenticate parsing', () => {
  it.each([
    [
      'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull"',
      [{ scheme: 'bearer', params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/alpine:pull' } }],
    ],
    ['Basic realm="Registry Realm"', [{ scheme: 'basic', params: { realm: 'Registry Realm' } }]],
    [
      'Basic realm="a", Bearer realm="https://t/x",service=svc, scope="repository:a:pull,push"',
      [
        { scheme: 'basic', params: { realm: 'a' } },
        { scheme: 'bearer', params: { realm: 'https://t/x', service: 'svc', scope: 'repository:a:pull,push' } },
      ],
    ],
    ['Bearer realm="with \\"quotes\\"", error="insufficient_scope"', [{ scheme: 'bearer', params: { realm: 'with "quotes"', error: 'insufficient_scope' } }]],
    ['Negotiate dGVzdA==, Basic realm=x', [{ scheme: 'negotiate', params: {} }, { scheme: 'basic', params: { realm: 'x' } }]],
    ['', []],
  ])('%s', (header, expected) => {
    expect(parseChallenges(header)).toEqual(expected);
  });
});

describe('docker credentials', () => {
  it('keys Docker Hub credentials the way docker does', () => {
    expect(credentialKey('registry-1.docker.io')).toBe(DOCKER_HUB_AUTH_KEY);
    expect(credentialKey('docker.io')).toBe('https://index.docker.io/v1/');
    expect(credentialKey('ghcr.io')).toBe('ghcr.io');
    expect(convertToHostname('https://index.docker.io/v1/')).toBe('index.docker.io');
    expect(convertToHostname('http://host:5000')).toBe('host:5000');
    expect(convertToHostname('host:5000')).toBe('host:5000');
  });

  it('reads Docker Hub, identity and registry tokens from auths', async () => {
    const dir = join(tmp, 'creds');
    await mkdir(dir, { recursive: true });
    await writeFile(
      join(dir, 'config.json'),
      JSON.stringify({
        auths: {
          'https://index.docker.io/v1/': { auth: Buffer.from('hubuser:hub:pass:with:colons').toString('base64') },
          'id.example': { identitytoken: 'ident' },
          'reg.example': { registrytoken: 'regtok' },
          'bad.example': { auth: Buffer.from('nocolon').toString('base64') },
        },
      }),
    );
    const store = new DockerCredentialStore({ dockerConfigDir: dir });
    expect(await store.get('registry-1.docker.io')).toEqual({ username: 'hubuser', password: 'hub:pass:with:colons' });
    expect(await store.get('id.example')).toEqual({ identityToken: 'ident' });
    expect(await store.get('reg.example')).toEqual({ registryToken: 'regtok' });
    expect(await store.get('none.example')).toEqual({});
    await expect(store.get('bad.example')).rejects.toMatchObject({ code: 'E_CREDENTIALS' });
    expect(store.configDir).toBe(dir);
  });

  it('finds config.json under DOCKER_CONFIG, else ~/.docker', async () => {
    expect(new DockerCredentialStore({ env: { DOCKER_CONFIG: '/x/y' } }).configDir).toBe('/x/y');
    expect(new DockerCredentialStore({ env: { HOME: '/home/z' } }).configDir).toBe('/home/z/.docker');
    expect(await new DockerCredentialStore({ env: { HOME: join(tmp, 'nohome') } }).get('ghcr.io')).toEqual({});
  });
});

describe('images.json on disk', () => {
  it('loads a static resolver whose errors name the file', async () => {
    const path = join(tmp, 'images.json');
    const digest = sha256('x');
    await writeFile(path, JSON.stringify({ 'alpine:3.20': { digest, config: { architecture: 'amd64', os: 'linux' } } }));
    const resolver = await loadStaticResolver(path);
    expect((await resolver.resolve('docker.io/library/alpine:3.20', { platform: AMD64 })).digest).toBe(digest);
    const missing = await rejection(resolver.resolve('busybox', { platform: AMD64 }));
    expect(missing.message).toBe(`image docker.io/library/busybox:latest is not in the image metadata file ${path}; run \`dockerfile-llb lock\` to add it`);
    await expect(readImageMetadataFile(join(tmp, 'nope.json'))).rejects.toMatchObject({
      code: 'E_INVALID_METADATA',
      message: `cannot read image metadata file ${join(tmp, 'nope.json')}: no such file`,
    });
    await writeFile(path, '{"alpine": {"digest": "sha256:bad", "config": {}}}');
    await expect(loadStaticResolver(path)).rejects.toMatchObject({
      code: 'E_INVALID_METADATA',
      message: `${path}: invalid image metadata: images["alpine"].digest: invalid checksum digest format`,
    });
  });
});
