/**
 * RegistryResolver against a real registry configured for token auth: a token server started
 * by the test issues ES256 JWTs on WWW-Authenticate challenges (anonymous for a public
 * repository, basic or refresh-token credentials for private ones).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { rejection } from '../helpers/image-errors.js';
import type { Platform } from '../../src/image/types.js';
import { RegistryResolver, type FetchLike } from '../../src/resolver/index.js';
import { startRegistry, writeCredentialHelper, writeDockerConfig, type PushedImage, type TestRegistry } from '../helpers/registry.js';

const AMD64: Platform = { os: 'linux', architecture: 'amd64' };
const ARM64: Platform = { os: 'linux', architecture: 'arm64' };
const USER = 'bob';
const PASSWORD = 'tok-PW-9f8e7d-secret';
const REFRESH = 'refresh-token-1a2b3c-secret';

let registry: TestRegistry;
let publicIndex: string;
let privateImage: PushedImage;
let tmp: string;

beforeAll(async () => {
  registry = await startRegistry({
    auth: { kind: 'token', users: { [USER]: PASSWORD }, refreshTokens: { [REFRESH]: USER }, anonymousPull: ['public/base'] },
  });
  const amd = await registry.pushImage('public/base', undefined, { config: { config: { Env: ['BASE=amd64'], WorkingDir: '/go' } } });
  const arm = await registry.pushImage('public/base', undefined, { config: { architecture: 'arm64', config: { Env: ['BASE=arm64'] } } });
  publicIndex = (
    await registry.pushIndex('public/base', '1.23', [
      { ...amd.descriptor, platform: { os: 'linux', architecture: 'amd64' } },
      { ...arm.descriptor, platform: { os: 'linux', architecture: 'arm64' } },
    ])
  ).digest;
  privateImage = await registry.pushImage('private/tool', 'v1', { config: { config: { User: 'nobody' } } });
  tmp = await mkdtemp(join(tmpdir(), 'dfllb-token-'));
}, 60_000);

afterAll(async () => {
  await registry?.stop();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

beforeEach(() => {
  registry.tokenServer!.requests.length = 0;
});


const dockerConfig = (config: unknown) => writeDockerConfig(tmp, config);

/** Records the Authorization header of each request to the registry (not the token server). */
function loggingFetch(): { fetch: FetchLike; authorizations: (string | null)[] } {
  const authorizations: (string | null)[] = [];
  return {
    authorizations,
    fetch: (input, init) => {
      if (new URL(input).host === registry.host) authorizations.push(new Headers(init.headers).get('authorization'));
      return fetch(input, init);
    },
  };
}

describe('token-auth registry', () => {
  it('gets an anonymous bearer token on the challenge and reuses it', async () => {
    const log = loggingFetch();
    const resolver = new RegistryResolver({ dockerConfigDir: await dockerConfig({}), fetch: log.fetch });
    const r = await resolver.resolve(`${registry.host}/public/base:1.23`, { platform: AMD64 });
    expect(r.digest).toBe(publicIndex);
    expect(r.digest).toBe(await registry.headDigest('public/base', '1.23'));
    expect(r.config.config?.WorkingDir).toBe('/go');
    const arm = await resolver.resolve(`${registry.host}/public/base:1.23`, { platform: ARM64 });
    expect(arm.config.config?.Env).toEqual(['BASE=arm64']);

    const requests = registry.tokenServer!.requests;
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({
      method: 'GET',
      service: 'dockerfile-llb-test-registry',
      scopes: ['repository:public/base:pull'],
      user: null,
      status: 200,
    });
    // First request anonymous (gets the challenge), every later one carries the bearer token.
    expect(log.authorizations[0]).toBeNull();
    expect(log.authorizations.length).toBeGreaterThan(3);
    expect(log.authorizations.slice(1).every((a) => a?.startsWith('Bearer '))).toBe(true);
  });

  it('refuses private repositories to anonymous clients', async () => {
    const err = await rejection(
      new RegistryResolver({ dockerConfigDir: await dockerConfig({}) }).resolve(`${registry.host}/private/tool:v1`, { platform: AMD64 }),
    );
    expect(err.code).toBe('E_UNAUTHORIZED');
    // An anonymous token was sent, but no user credentials: the message must say so.
    expect(err.message).toContain(`${registry.host}/private/tool:v1: unauthorized: pull access denied for private/tool on ${registry.host} (HTTP 401)`);
  });

  it('sends basic credentials from config.json to the token server', async () => {
    const dir = await dockerConfig({ auths: { [registry.host]: { username: USER, password: PASSWORD } } });
    const r = await new RegistryResolver({ dockerConfigDir: dir }).resolve(`${registry.host}/private/tool:v1`, { platform: AMD64 });
    expect(r.digest).toBe(privateImage.digest);
    expect(r.config.config?.User).toBe('nobody');
    expect(registry.tokenServer!.requests).toMatchObject([{ method: 'GET', user: USER, scopes: ['repository:private/tool:pull'] }]);
  });

  it('exchanges an identity token from a credential helper (OAuth2 refresh grant)', async () => {
    const { bin } = await writeCredentialHelper(tmp, 'tokenstore', { [registry.host]: { Username: '<token>', Secret: REFRESH } });
    const dir = await dockerConfig({ credHelpers: { [registry.host]: 'tokenstore' } });
    const r = await new RegistryResolver({ dockerConfigDir: dir, env: { PATH: `${bin}:${process.env.PATH}` } }).resolve(
      `${registry.host}/private/tool:v1`,
      { platform: AMD64 },
    );
    expect(r.digest).toBe(privateImage.digest);
    expect(registry.tokenServer!.requests).toMatchObject([{ method: 'POST', user: '<refresh>', scopes: ['repository:private/tool:pull'] }]);
  });

  it('reports credentials the token server rejects, without revealing them', async () => {
    const wrong = 'definitely-wrong-password-123';
    const dir = await dockerConfig({ auths: { [registry.host]: { username: USER, password: wrong } } });
    const err = await rejection(new RegistryResolver({ dockerConfigDir: dir }).resolve(`${registry.host}/private/tool:v1`, { platform: AMD64 }));
    expect(err.code).toBe('E_UNAUTHORIZED');
    expect(err.message).toBe(
      `${registry.host}/private/tool:v1: unauthorized: the token server at ${new URL(registry.tokenServer!.url).host} rejected our credentials (HTTP 401)`,
    );
    expect(`${err.message}${err.stack}`).not.toContain(wrong);
    expect(`${err.message}${err.stack}`).not.toContain(Buffer.from(`${USER}:${wrong}`).toString('base64'));
  });

  it('shares one token between concurrent resolutions of the same repository', async () => {
    const resolver = new RegistryResolver({ dockerConfigDir: await dockerConfig({}) });
    await Promise.all([
      resolver.resolve(`${registry.host}/public/base:1.23`, { platform: AMD64 }),
      resolver.resolve(`${registry.host}/public/base:1.23`, { platform: ARM64 }),
      resolver.resolve(`${registry.host}/public/base@${publicIndex}`, { platform: AMD64 }),
    ]);
    expect(registry.tokenServer!.requests).toHaveLength(1);
  });

  it('keeps the token a concurrent request fetched while its own challenge was on the way', async () => {
    // The race a loaded machine produces: a second request goes out before any token exists, and
    // its 401 arrives after the first request's token came back. It must use that token, not
    // throw it away and ask the token server again.
    let tokenFetched!: () => void;
    const firstToken = new Promise<void>((resolve) => (tokenFetched = resolve));
    let unauthenticated = 0;
    const racingFetch: FetchLike = async (input, init) => {
      const res = await fetch(input, init);
      if (new URL(input).host !== registry.host) {
        // Released once the token is read and cached, a few turns of the event loop later.
        setTimeout(tokenFetched, 50);
        return res;
      }
      if (new Headers(init.headers).get('authorization') === null && ++unauthenticated === 2) await firstToken;
      return res;
    };
    const resolver = new RegistryResolver({ dockerConfigDir: await dockerConfig({}), fetch: racingFetch });
    await Promise.all([
      resolver.resolve(`${registry.host}/public/base:1.23`, { platform: AMD64 }),
      resolver.resolve(`${registry.host}/public/base@${publicIndex}`, { platform: ARM64 }),
    ]);
    expect(unauthenticated).toBe(2);
    expect(registry.tokenServer!.requests).toHaveLength(1);
  });
});
