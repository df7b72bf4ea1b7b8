/**
 * RegistryResolver against a real registry with htpasswd basic auth, with credentials from
 * docker's config.json (auths, DOCKER_CONFIG) and from credential helpers.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rejection } from '../helpers/image-errors.js';
import type { Platform } from '../../src/image/types.js';
import { RegistryResolver } from '../../src/resolver/index.js';
import { startRegistry, writeCredentialHelper, writeDockerConfig, type PushedImage, type TestRegistry } from '../helpers/registry.js';

const AMD64: Platform = { os: 'linux', architecture: 'amd64' };
const USER = 'alice';
const PASSWORD = 'pw-Zq7!secret-htpasswd';

let registry: TestRegistry;
let image: PushedImage;
let tmp: string;
let ref: string;

beforeAll(async () => {
  registry = await startRegistry({ auth: { kind: 'htpasswd', users: { [USER]: PASSWORD } } });
  image = await registry.pushImage('private/app', '1', { config: { config: { Env: ['SECRET_IMAGE=1'], WorkingDir: '/srv' } } });
  tmp = await mkdtemp(join(tmpdir(), 'dfllb-htpasswd-'));
  ref = `${registry.host}/private/app:1`;
}, 60_000);

afterAll(async () => {
  await registry?.stop();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

const dockerConfig = (config: unknown) => writeDockerConfig(tmp, config);

const b64 = (s: string) => Buffer.from(s).toString('base64');

const credentialHelper = (name: string, answers: Record<string, { Username: string; Secret: string }>) =>
  writeCredentialHelper(tmp, name, answers);


function expectNoSecret(err: Error): void {
  const everything = `${err.message} ${String(err.stack)} ${JSON.stringify(err)} ${String((err.cause as Error | undefined)?.message ?? '')}`;
  expect(everything).not.toContain(PASSWORD);
  expect(everything).not.toContain(b64(`${USER}:${PASSWORD}`));
}

describe('htpasswd registry', () => {
  it('refuses anonymous pulls with E_UNAUTHORIZED', async () => {
    const err = await rejection(new RegistryResolver({ dockerConfigDir: await dockerConfig({}) }).resolve(ref, { platform: AMD64 }));
    expect(err.code).toBe('E_UNAUTHORIZED');
    expect(err.ref).toBe(ref);
    expect(err.message).toContain(`${ref}: unauthorized: pull access denied for private/app on ${registry.host}`);
  });

  it('uses "auth" entries of config.json', async () => {
    const dir = await dockerConfig({ auths: { [registry.host]: { auth: b64(`${USER}:${PASSWORD}`) } } });
    const r = await new RegistryResolver({ dockerConfigDir: dir }).resolve(ref, { platform: AMD64 });
    expect(r.digest).toBe(image.digest);
    expect(r.config.config?.Env).toEqual(['SECRET_IMAGE=1']);
  });

  it('uses username/password entries and legacy URL keys', async () => {
    const dir = await dockerConfig({ auths: { [`http://${registry.host}/v2/`]: { username: USER, password: PASSWORD } } });
    const r = await new RegistryResolver({ dockerConfigDir: dir }).resolve(ref, { platform: AMD64 });
    expect(r.config.config?.WorkingDir).toBe('/srv');
  });

  it('finds config.json through DOCKER_CONFIG', async () => {
    const dir = await dockerConfig({ auths: { [registry.host]: { auth: b64(`${USER}:${PASSWORD}`) } } });
    const r = await new RegistryResolver({ env: { DOCKER_CONFIG: dir, HOME: '/nonexistent' } }).resolve(ref, { platform: AMD64 });
    expect(r.digest).toBe(image.digest);
  });

  it('reports rejected credentials without revealing them', async () => {
    const wrong = `${PASSWORD}-wrong`;
    const dir = await dockerConfig({ auths: { [registry.host]: { auth: b64(`${USER}:${wrong}`) } } });
    const err = await rejection(new RegistryResolver({ dockerConfigDir: dir }).resolve(ref, { platform: AMD64 }));
    expect(err.code).toBe('E_UNAUTHORIZED');
    expect(err.message).toContain(`${registry.host} refused our credentials (HTTP 401)`);
    expect(err.message).not.toContain(wrong);
    expectNoSecret(err);
  });

  it('runs the credsStore helper with the registry host on stdin', async () => {
    const helper = await credentialHelper('teststore', { [registry.host]: { Username: USER, Secret: PASSWORD } });
    const dir = await dockerConfig({ credsStore: 'teststore', auths: { [registry.host]: {} } });
    const env = { PATH: `${helper.bin}:${process.env.PATH}`, HOME: tmp };
    const resolver = new RegistryResolver({ dockerConfigDir: dir, env });
    const r = await resolver.resolve(ref, { platform: AMD64 });
    expect(r.digest).toBe(image.digest);
    // Asked once for this host, with the "get" verb, whatever the number of requests.
    expect((await readFile(helper.log, 'utf8')).trim().split('\n')).toEqual([`get ${registry.host}`]);
  });

  it('prefers credHelpers for the host over credsStore and auths', async () => {
    const good = await credentialHelper('perhost', { [registry.host]: { Username: USER, Secret: PASSWORD } });
    const dir = await dockerConfig({
      credsStore: 'does-not-exist',
      credHelpers: { [registry.host]: 'perhost' },
      auths: { [registry.host]: { auth: b64(`${USER}:nope`) } },
    });
    const r = await new RegistryResolver({ dockerConfigDir: dir, env: { PATH: `${good.bin}:${process.env.PATH}` } }).resolve(ref, {
      platform: AMD64,
    });
    expect(r.digest).toBe(image.digest);
  });

  it('treats "credentials not found" from a helper as anonymous', async () => {
    const empty = await credentialHelper('empty', {});
    const dir = await dockerConfig({ credsStore: 'empty' });
    const err = await rejection(new RegistryResolver({ dockerConfigDir: dir, env: { PATH: `${empty.bin}:${process.env.PATH}` } }).resolve(ref, { platform: AMD64 }));
    expect(err.code).toBe('E_UNAUTHORIZED');
    expect(err.message).toContain('pull access denied');
  });

  it('reports a missing helper as E_CREDENTIALS', async () => {
    const dir = await dockerConfig({ credsStore: 'not-installed-anywhere' });
    const err = await rejection(new RegistryResolver({ dockerConfigDir: dir, env: { PATH: tmp } }).resolve(ref, { platform: AMD64 }));
    expect(err.code).toBe('E_CREDENTIALS');
    expect(err.message).toBe(
      `error getting credentials for ${registry.host} from docker-credential-not-installed-anywhere: executable file not found in $PATH`,
    );
  });

  it('reports an unreadable config.json as E_CREDENTIALS', async () => {
    const dir = join(tmp, 'badcfg');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'config.json'), '{"auths": {"x": {"auth": "c2VjcmV0LWluLWNvbmZpZw==" ');
    const err = await rejection(new RegistryResolver({ dockerConfigDir: dir }).resolve(ref, { platform: AMD64 }));
    expect(err.code).toBe('E_CREDENTIALS');
    expect(err.message).toBe(`cannot read docker config ${join(dir, 'config.json')}: invalid JSON`);
    expect(`${err.message}${err.stack}${String(err.cause)}`).not.toContain('c2VjcmV0');
  });

  it('accepts a credentials callback instead of docker config', async () => {
    const seen: string[] = [];
    const r = await new RegistryResolver({
      credentials: async (host) => {
        seen.push(host);
        return { username: USER, password: PASSWORD };
      },
    }).resolve(ref, { platform: AMD64 });
    expect(r.digest).toBe(image.digest);
    expect(seen.every((h) => h === registry.host)).toBe(true);
  });
});
