/**
 * RegistryResolver against hostile registries, scripted on loopback: where credentials may go
 * (never in clear text to a token realm an https registry names, never along a redirect to
 * another origin, never by following https → http or data: redirects), registry text on the
 * terminal (echoed secrets, escape sequences, newlines, length), cancellation, and the messages
 * for oversized error bodies and token responses, bad digest headers and Retry-After dates.
 *
 * An https registry is a loopback http server reached through a fetch that maps
 * `https://secure.example` to it: the resolver sees https, the bytes stay on 127.0.0.1.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { rejection } from '../helpers/image-errors.js';
import type { Platform } from '../../src/image/types.js';
import { RegistryResolver, type FetchLike } from '../../src/resolver/index.js';
import { parseRetryAfter } from '../../src/resolver/transport.js';
import { cleanRemoteText, SecretRedactor } from '../../src/resolver/sanitize.js';
import { MediaType, sha256, startHttpServer } from '../helpers/registry.js';

const AMD64: Platform = { os: 'linux', architecture: 'amd64' };
const CONFIG = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', config: { Env: ['FAKE=1'] } }));
const CONFIG_DIGEST = sha256(CONFIG);
const MANIFEST = Buffer.from(
  JSON.stringify({ schemaVersion: 2, mediaType: MediaType.OciManifest, config: { mediaType: MediaType.OciConfig, digest: CONFIG_DIGEST, size: CONFIG.length }, layers: [] }),
);
const MANIFEST_DIGEST = sha256(MANIFEST);
const USER = 'alice';
const PASSWORD = 'hunter2-Very-Secret-pw';
const BASIC = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;
const REFRESH = 'refresh-TOKEN-5e6f7a8b-secret';

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;
interface Scripted {
  readonly host: string;
  readonly url: string;
  handler: Handler;
  readonly requests: { method: string; url: string; authorization: string | undefined; body: string }[];
  close(): Promise<void>;
}

/** A loopback server whose answers each test scripts, recording every request it gets. */
async function scripted(): Promise<Scripted> {
  const s = {
    handler: ((_req, res) => res.writeHead(500).end()) as Handler,
    requests: [] as Scripted['requests'],
  };
  const server = await startHttpServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      s.requests.push({ method: req.method ?? '', url: req.url ?? '', authorization: req.headers.authorization, body });
      s.handler(req, res, body);
    });
  });
  return Object.assign(s, { host: server.host, url: server.url, close: () => server.close() });
}

let registry: Scripted;
let tokens: Scripted;
let elsewhere: Scripted;
beforeAll(async () => {
  [registry, tokens, elsewhere] = await Promise.all([scripted(), scripted(), scripted()]);
});
afterAll(async () => {
  await Promise.all([registry.close(), tokens.close(), elsewhere.close()]);
});
afterEach(() => {
  for (const s of [registry, tokens, elsewhere]) {
    s.handler = (_req, res) => res.writeHead(500).end();
    s.requests.length = 0;
  }
});

/** Serves MANIFEST as `fake/app:1` and its config; false for other paths. */
function serveImage(req: IncomingMessage, res: ServerResponse, headers: Record<string, string> = {}): boolean {
  if (req.url === '/v2/fake/app/manifests/1' || req.url === `/v2/fake/app/manifests/${MANIFEST_DIGEST}`) {
    res.writeHead(200, { 'content-type': MediaType.OciManifest, 'docker-content-digest': MANIFEST_DIGEST, ...headers }).end(MANIFEST);
    return true;
  }
  if (req.url === `/v2/fake/app/blobs/${CONFIG_DIGEST}`) {
    res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(CONFIG);
    return true;
  }
  return false;
}

/** A registry that wants a bearer token from `realm` and accepts `Bearer good-token`. */
function bearerRegistry(realm: string): Handler {
  return (req, res) => {
    if (req.headers.authorization !== 'Bearer good-token') {
      res.writeHead(401, { 'www-authenticate': `Bearer realm="${realm}",service="fake"` }).end();
      return;
    }
    if (!serveImage(req, res)) res.writeHead(404).end();
  };
}

/** A token server handing out `good-token`. */
const giveToken: Handler = (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"token":"good-token"}');

/** fetch that reaches `registry` as `https://secure.example`. */
const tls: FetchLike = (input, init) => {
  const u = new URL(input);
  if (u.protocol === 'https:' && u.host === 'secure.example') return fetch(`${registry.url}${u.pathname}${u.search}`, init);
  if (u.protocol === 'https:' && u.host === 'tokens.example') return fetch(`${tokens.url}${u.pathname}${u.search}`, init);
  return fetch(input, init);
};

function resolver(extra: ConstructorParameters<typeof RegistryResolver>[0] = {}): RegistryResolver {
  return new RegistryResolver({ retryDelayMs: 1, timeoutMs: 2000, retries: 0, fetch: tls, credentials: async () => ({}), ...extra });
}
const withPassword = { credentials: async () => ({ username: USER, password: PASSWORD }) };
const withRefresh = { credentials: async () => ({ identityToken: REFRESH }) };

describe('where credentials may go', () => {
  it('never to a plain-http token realm named by an https registry', async () => {
    registry.handler = bearerRegistry(`${tokens.url}/token`);
    tokens.handler = giveToken;
    const err = await rejection(resolver(withPassword).resolve('secure.example/fake/app:1', { platform: AMD64 }));
    expect(err.code).toBe('E_UNAUTHORIZED');
    expect(err.message).toBe(
      `secure.example/fake/app:1: unauthorized: secure.example (https) sent its token realm as plain http (http://${tokens.host}/token): refusing to send credentials in clear text`,
    );
    expect(tokens.requests).toEqual([]);
  });

  it('anonymous token requests may use such a realm (no secret leaves)', async () => {
    registry.handler = bearerRegistry(`${tokens.url}/token`);
    tokens.handler = giveToken;
    const r = await resolver().resolve('secure.example/fake/app:1', { platform: AMD64 });
    expect(r.digest).toBe(MANIFEST_DIGEST);
    expect(tokens.requests.map((q) => q.authorization)).toEqual([undefined]);
  });

  it('credentials go to an https realm, and to an http one when the registry itself is plain http', async () => {
    registry.handler = bearerRegistry('https://tokens.example/token');
    tokens.handler = (req, res) => (req.headers.authorization === BASIC ? giveToken(req, res, '') : res.writeHead(401).end());
    expect((await resolver(withPassword).resolve('secure.example/fake/app:1', { platform: AMD64 })).digest).toBe(MANIFEST_DIGEST);
    registry.handler = bearerRegistry(`${tokens.url}/token`);
    expect((await resolver(withPassword).resolve(`${registry.host}/fake/app:1`, { platform: AMD64 })).digest).toBe(MANIFEST_DIGEST);
  });

  it.each([
    ['an identity token (POST body), 307', withRefresh, 307],
    ['Basic credentials, 302', withPassword, 302],
  ] as const)('a token request with %s is never sent on to another origin', async (_name, creds, status) => {
    registry.handler = bearerRegistry(`${tokens.url}/token`);
    tokens.handler = (_req, res) => res.writeHead(status, { location: `${elsewhere.url}/steal` }).end();
    elsewhere.handler = giveToken;
    const err = await rejection(resolver(creds).resolve(`${registry.host}/fake/app:1`, { platform: AMD64 }));
    expect(err.code).toBe('E_UNAUTHORIZED');
    expect(err.message).toBe(
      `${registry.host}/fake/app:1: unauthorized: the token server at ${tokens.host} answered with a redirect of a request with credentials to another origin (http://${elsewhere.host}/steal): refused`,
    );
    expect(elsewhere.requests).toEqual([]);
    if (creds === withRefresh) expect(tokens.requests[0].body).toContain(`refresh_token=${REFRESH}`);
    else expect(tokens.requests[0].authorization).toBe(BASIC);
  });

  it('an anonymous token request is followed to another origin', async () => {
    registry.handler = bearerRegistry(`${tokens.url}/token`);
    tokens.handler = (_req, res) => res.writeHead(302, { location: `${elsewhere.url}/token` }).end();
    elsewhere.handler = giveToken;
    const r = await resolver().resolve(`${registry.host}/fake/app:1`, { platform: AMD64 });
    expect(r.digest).toBe(MANIFEST_DIGEST);
    expect(elsewhere.requests.map((q) => q.authorization)).toEqual([undefined]);
  });

  it('a 307 within the token server keeps the POST and its body; credentials are not lost', async () => {
    registry.handler = bearerRegistry(`${tokens.url}/token`);
    tokens.handler = (req, res, body) => {
      if (req.url?.startsWith('/token')) res.writeHead(307, { location: '/oauth2/token' }).end();
      else if (req.method === 'POST' && body.includes(`refresh_token=${REFRESH}`)) giveToken(req, res, body);
      else res.writeHead(400).end();
    };
    const r = await resolver(withRefresh).resolve(`${registry.host}/fake/app:1`, { platform: AMD64 });
    expect(r.digest).toBe(MANIFEST_DIGEST);
    expect(tokens.requests.map((q) => `${q.method} ${q.url}`)).toEqual(['POST /token', 'POST /oauth2/token']);
  });

  it.each([
    ['https → http', () => `${elsewhere.url}/blob`, `a redirect from https to plain http (http://${'ELSEWHERE'}/blob)`],
    ['data:', () => `data:application/octet-stream;base64,${CONFIG.toString('base64')}`, 'a redirect to a data: URL'],
    ['file:', () => 'file:///etc/passwd', 'a redirect to a file: URL'],
  ])('a blob redirect %s is refused, not followed', async (_name, location, why) => {
    registry.handler = (req, res) => {
      if (req.url === `/v2/fake/app/blobs/${CONFIG_DIGEST}`) res.writeHead(307, { location: location() }).end();
      else if (!serveImage(req, res)) res.writeHead(404).end();
    };
    elsewhere.handler = (_req, res) => res.writeHead(200).end(CONFIG);
    const err = await rejection(resolver().resolve('secure.example/fake/app:1', { platform: AMD64 }));
    expect(err.code).toBe('E_REGISTRY');
    expect(err.message).toBe(`secure.example/fake/app:1: secure.example answered with ${why.replace('ELSEWHERE', elsewhere.host)}: refused`);
    expect(elsewhere.requests).toEqual([]);
  });

  it('user:pass@ in a realm or a redirect is refused and never shown', async () => {
    registry.handler = bearerRegistry(`http://admin:${PASSWORD}@${tokens.host}/token`);
    const realm = await rejection(resolver().resolve(`${registry.host}/fake/app:1`, { platform: AMD64 }));
    expect(realm.message).toBe(
      `${registry.host}/fake/app:1: unauthorized: ${registry.host} sent a token realm with credentials in it (http://[redacted]@${tokens.host}/token): refused`,
    );
    registry.handler = (req, res) => {
      if (req.url === `/v2/fake/app/blobs/${CONFIG_DIGEST}`) res.writeHead(302, { location: `http://u:${PASSWORD}@${elsewhere.host}/b?sig=${PASSWORD}` }).end();
      else if (!serveImage(req, res)) res.writeHead(404).end();
    };
    const redirect = await rejection(resolver().resolve(`${registry.host}/fake/app:1`, { platform: AMD64 }));
    expect(redirect.message).toBe(
      `${registry.host}/fake/app:1: ${registry.host} answered with a redirect to a URL with credentials in it (http://[redacted]@${elsewhere.host}/b?…): refused`,
    );
    for (const e of [realm, redirect]) expect(e.message).not.toContain(PASSWORD);
    expect(tokens.requests).toEqual([]);
    expect(elsewhere.requests).toEqual([]);
  });
});

describe('registry text on the terminal', () => {
  it('an error body echoing our Authorization header does not show the password', async () => {
    registry.handler = (req, res) => {
      if (!req.headers.authorization) {
        res.writeHead(401, { 'www-authenticate': 'Basic realm="fake"' }).end();
        return;
      }
      const echo = `you sent ${req.headers.authorization} (${Buffer.from(req.headers.authorization.slice(6), 'base64').toString()}) raw ${req.headers.authorization.slice(6)}`;
      res.writeHead(403, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: [{ code: 'DENIED', message: echo }] }));
    };
    const err = await rejection(resolver(withPassword).resolve(`${registry.host}/fake/app:1`, { platform: AMD64 }));
    expect(err.code).toBe('E_UNAUTHORIZED');
    expect(err.message).not.toContain(PASSWORD);
    expect(err.message).not.toContain(BASIC.slice(6));
    expect(err.message).toBe(
      `${registry.host}/fake/app:1: unauthorized: ${registry.host} refused our credentials (HTTP 403): denied: you sent Basic [redacted] (${USER}:[redacted]) raw [redacted]`,
    );
  });

  it('an echoed bearer token and identity token are redacted as well', async () => {
    registry.handler = (req, res) => {
      if (req.headers.authorization !== 'Bearer good-token') {
        res.writeHead(401, { 'www-authenticate': `Bearer realm="${tokens.url}/token"` }).end();
        return;
      }
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: [{ code: 'X', message: `token good-token for ${REFRESH}` }] }));
    };
    tokens.handler = giveToken;
    const err = await rejection(resolver(withRefresh).resolve(`${registry.host}/fake/app:1`, { platform: AMD64 }));
    expect(err.message).toBe(`${registry.host}/fake/app:1: not found: ${registry.host} has no manifest for tag 1: x: token [redacted] for [redacted]`);
  });

  it('escape sequences and newlines are removed and long text is cut', async () => {
    const evil = '\u001b[2J\u001b]0;pwned\u0007line one\n[INFO] forged log line\r\u001b[31mred\u001b[0m\u202eevil' + 'A'.repeat(5000);
    registry.handler = (_req, res) => res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: [{ code: 'MANIFEST_UNKNOWN', message: evil }] }));
    const err = await rejection(resolver().resolve(`${registry.host}/fake/app:1`, { platform: AMD64 }));
    // eslint-disable-next-line no-control-regex
    expect(err.message).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202e]/);
    const detail = err.message.slice(err.message.indexOf('manifest_unknown: '));
    expect(detail.startsWith('manifest_unknown: line one [INFO] forged log line red evilAAA')).toBe(true);
    expect(detail.length).toBeLessThanOrEqual(301);
    expect(detail.endsWith('…')).toBe(true);
  });

  it('cleanRemoteText and SecretRedactor on their own', () => {
    expect(cleanRemoteText('a\tb\n\nc\u0000d')).toBe('a b c d');
    expect(cleanRemoteText('see https://me:pw@host/x and Authorization: Bearer abc.def-ghi')).toBe('see https://[redacted]@host/x and Authorization: Bearer [redacted]');
    const r = new SecretRedactor();
    r.add('p@ss word"x');
    r.add('ab'); // too short to match safely
    expect(r.redact('p@ss word"x / p%40ss%20word%22x / p@ss word\\"x / ab')).toBe('[redacted] / [redacted] / [redacted] / ab');
  });
});

describe('messages', () => {
  it('a 404 with a body over 64 KiB is still "not found"', async () => {
    registry.handler = (_req, res) => res.writeHead(404, { 'content-type': 'text/html' }).end('<html>'.padEnd(100 * 1024, 'x'));
    const err = await rejection(resolver().resolve(`${registry.host}/fake/app:1`, { platform: AMD64 }));
    expect(err.code).toBe('E_IMAGE_NOT_FOUND');
    expect(err.message).toBe(`${registry.host}/fake/app:1: not found: ${registry.host} has no manifest for tag 1`);
  });

  it('an oversized token response is reported as such', async () => {
    registry.handler = bearerRegistry(`${tokens.url}/token`);
    tokens.handler = (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(`{"token":"${'t'.repeat(2 << 20)}"}`);
    const err = await rejection(resolver().resolve(`${registry.host}/fake/app:1`, { platform: AMD64 }));
    expect(err.code).toBe('E_UNAUTHORIZED');
    expect(err.message).toBe(`${registry.host}/fake/app:1: unauthorized: the token server at ${tokens.host} sent a response larger than 1048576 bytes`);
  });

  it('an upper-case Docker-Content-Digest is an invalid header, as containerd says, not a digest mismatch', async () => {
    registry.handler = (req, res) => {
      if (!serveImage(req, res, { 'docker-content-digest': MANIFEST_DIGEST.toUpperCase().replace('SHA256', 'sha256') })) res.writeHead(404).end();
    };
    const err = await rejection(resolver().resolve(`${registry.host}/fake/app:1`, { platform: AMD64 }));
    expect(err.code).toBe('E_REGISTRY');
    expect(err.message).toBe(
      `${registry.host}/fake/app:1: "${MANIFEST_DIGEST.toUpperCase().replace('SHA256', 'sha256')}" in header not a valid digest: invalid checksum digest format (manifest for tag 1)`,
    );
  });

  it('Retry-After as an HTTP-date is honoured', async () => {
    let failed = 0;
    let retriedAt = 0;
    const start = Date.now();
    registry.handler = (req, res) => {
      if (failed === 0) {
        failed++;
        res.writeHead(503, { 'retry-after': new Date(Date.now() + 1500).toUTCString() }).end();
        return;
      }
      retriedAt ||= Date.now();
      if (!serveImage(req, res)) res.writeHead(404).end();
    };
    const r = await resolver({ retries: 1 }).resolve(`${registry.host}/fake/app:1`, { platform: AMD64 });
    expect(r.digest).toBe(MANIFEST_DIGEST);
    // HTTP-dates have whole seconds: the wait is between 0.5 and 1.5 s, far above the 1 ms retry delay.
    expect(retriedAt - start).toBeGreaterThanOrEqual(400);
  });

  it('parseRetryAfter reads both forms and caps the wait', () => {
    const now = Date.parse('Wed, 21 Oct 2026 07:28:00 GMT');
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter('Wed, 21 Oct 2026 07:28:02 GMT', now)).toBe(2000);
    expect(parseRetryAfter('Wed, 21 Oct 2026 07:27:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('3600', now)).toBe(10_000);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('-1', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});

describe('cancellation', () => {
  it('aborting the signal ends requests and queued resolutions at once', async () => {
    registry.handler = () => undefined; // never answers
    const controller = new AbortController();
    const r = resolver({ signal: controller.signal, timeoutMs: 60_000, retries: 3, concurrency: 1 });
    const start = Date.now();
    const a = r.resolve(`${registry.host}/fake/app:1`, { platform: AMD64 });
    const b = r.resolve(`${registry.host}/fake/other:1`, { platform: AMD64 });
    setTimeout(() => controller.abort(new Error('stop')), 100);
    await expect(a).rejects.toThrow('stop');
    await expect(b).rejects.toThrow('stop');
    expect(Date.now() - start).toBeLessThan(2000);
  });
});
