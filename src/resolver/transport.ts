/// <reference types="node" />
/**
 * HTTP for the registry resolver: per-request timeouts, bounded retries on 5xx/429 and network
 * errors, manual redirects, size limits, cancellation, and registry authentication — anonymous
 * or credentialed bearer tokens from `WWW-Authenticate` challenges, and basic auth.
 *
 * Where credentials may go (docs/security.md):
 * - an `Authorization` header only to the origin it was made for, never across a redirect;
 * - a token request with credentials (Basic header, or an identity token in a POST body) only
 *   over https, unless the registry itself is reached over plain http (loopback or marked
 *   insecure); never across a redirect to another origin;
 * - never to a URL with user-info, and never by following https → http or non-http redirects.
 * Registry text in errors is cleaned and every error is passed through a {@link SecretRedactor}.
 */
import { ImageResolveError } from '../errors.js';
import { ImageErrorCode } from '../image/codes.js';
import { parseChallenges, type Challenge } from './auth.js';
import type { CredentialsProvider, RegistryCredentials } from './credentials.js';
import { cleanRemoteText, displayUrl, SecretRedactor } from './sanitize.js';

/** The `fetch` signature the transport needs (the global one, or a test double). */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export interface TransportOptions {
  readonly fetch: FetchLike;
  readonly timeoutMs: number;
  readonly retries: number;
  readonly retryDelayMs: number;
  readonly credentials: CredentialsProvider;
  readonly userAgent: string;
  /** Aborting it cancels every request and retry wait in flight, now and later. */
  readonly signal?: AbortSignal;
}

/** Where a request goes and on whose behalf (for auth scopes and error messages). */
export interface RequestTarget {
  /** `http` or `https`. */
  readonly scheme: string;
  /** The registry endpoint host (`registry-1.docker.io`, `127.0.0.1:5000`). */
  readonly host: string;
  /** Repository path, for the token scope (`library/alpine`). */
  readonly repository: string;
  /** The image reference being resolved, for error messages. */
  readonly ref: string;
}

export interface RegistryResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Uint8Array;
  /** How many attempts were made (1 = no retry). */
  readonly attempts: number;
}

interface CachedToken {
  readonly token: string;
  readonly expiresAt: number;
  /** Whether user credentials were used to get it (else it is an anonymous token). */
  readonly credentialed: boolean;
}

/** An `Authorization` header value, and whether it carries user credentials. */
interface Authorization {
  readonly header: string;
  readonly credentialed: boolean;
}

interface HostAuthState {
  /** The scheme the registry asked for last time; requests then authenticate up front. */
  scheme?: 'basic' | 'bearer';
  bearer?: { realm: string; service: string | undefined };
  readonly tokens: Map<string, CachedToken>;
  readonly pending: Map<string, Promise<CachedToken>>;
}

/** Thrown inside an attempt for statuses worth retrying; turned into a response after the last. */
class RetryableStatus extends Error {
  constructor(readonly response: RegistryResponse, readonly retryAfterMs: number | undefined) {
    super(`HTTP ${response.status}`);
  }
}

const MAX_REDIRECTS = 10;
const ERROR_BODY_LIMIT = 64 * 1024;
const TOKEN_BODY_LIMIT = 1024 * 1024;

function isRetryableStatus(status: number): boolean {
  return status === 429 || (status >= 500 && status <= 599);
}

/** Why `signal` was aborted, as an Error (its reason, when that is one). */
export function abortReason(signal: AbortSignal): Error {
  const r: unknown = signal.reason;
  return r instanceof Error ? r : new Error(`aborted: ${String(r)}`);
}

/** Waits `ms`, or less when `signal` aborts (then rejects with its reason). */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortReason(signal));
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortReason(signal!));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Longest wait a `Retry-After` may ask for. */
const RETRY_AFTER_CAP_MS = 10_000;

/** `Retry-After` in either form (RFC 9110): delay-seconds, or an HTTP-date. Capped at 10 s. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Math.min(Number(text) * 1000, RETRY_AFTER_CAP_MS);
  const at = Date.parse(text);
  if (Number.isNaN(at) || !/[a-z]/i.test(text)) return undefined;
  return Math.min(Math.max(0, at - now), RETRY_AFTER_CAP_MS);
}

/**
 * Reads a response body, failing once it exceeds `limit` bytes; with `truncate` (error bodies,
 * which only feed messages), keeps the first `limit` bytes instead.
 */
async function readBody(res: Response, limit: number, what: string, truncate = false): Promise<Uint8Array> {
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (!truncate && Number.isFinite(declared) && declared > limit) {
    await res.body?.cancel().catch(() => undefined);
    throw new BodyTooLarge(what, limit);
  }
  if (res.body === null) return new Uint8Array(0);
  const reader: ReadableStreamDefaultReader<Uint8Array> = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (total + value.byteLength > limit) {
      await reader.cancel().catch(() => undefined);
      if (!truncate) throw new BodyTooLarge(what, limit);
      chunks.push(value.subarray(0, limit - total));
      total = limit;
      break;
    }
    total += value.byteLength;
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.byteLength;
  }
  return out;
}

/** A body larger than allowed: not retried. */
export class BodyTooLarge extends Error {
  constructor(readonly what: string, readonly limit: number) {
    super(`${what} is larger than ${limit} bytes`);
  }
}

/** A short description of a network failure, without URLs' query strings or headers. */
function describeNetworkError(e: unknown, timeoutMs: number): string {
  const err = e as { name?: string; message?: string; code?: string; cause?: { code?: string; message?: string } };
  if (err?.name === 'TimeoutError') return `timed out after ${timeoutMs}ms`;
  if (err?.name === 'AbortError') return 'request aborted';
  const code = err?.cause?.code ?? err?.code;
  const message = cleanRemoteText(err?.cause?.message ?? err?.message ?? String(e));
  if (code && !message.includes(code)) return `${code}: ${message}`;
  return message;
}

/** A redirect we refuse to follow (https → http, a non-http scheme, credentials in the URL). */
class RefusedRedirect extends Error {}

/**
 * Checks where a redirect from `from` goes: http(s) only, never from https down to http, never
 * to a URL with user-info. Returns the absolute target.
 */
function redirectTarget(from: string, location: string): URL {
  let to: URL;
  try {
    to = new URL(location, from);
  } catch {
    throw new RefusedRedirect(`an invalid redirect location (${cleanRemoteText(location, 200)})`);
  }
  if (to.protocol !== 'https:' && to.protocol !== 'http:') throw new RefusedRedirect(`a redirect to a ${cleanRemoteText(to.protocol, 20)} URL`);
  if (new URL(from).protocol === 'https:' && to.protocol === 'http:') throw new RefusedRedirect(`a redirect from https to plain http (${displayUrl(to)})`);
  if (to.username || to.password) throw new RefusedRedirect(`a redirect to a URL with credentials in it (${displayUrl(to)})`);
  return to;
}

/**
 * The registry's own error text (`{"errors":[{"code":"MANIFEST_UNKNOWN","message":"…"}]}`), if
 * any, cleaned for a terminal (see {@link cleanRemoteText}).
 */
export function registryErrorText(body: Uint8Array): string | undefined {
  try {
    const doc = JSON.parse(new TextDecoder().decode(body)) as { errors?: { code?: unknown; message?: unknown }[] };
    const first = doc.errors?.[0];
    if (!first) return undefined;
    const code = typeof first.code === 'string' ? first.code.toLowerCase() : '';
    const message = typeof first.message === 'string' ? first.message : '';
    return cleanRemoteText([code, message].filter(Boolean).join(': ')) || undefined;
  } catch {
    return undefined;
  }
}

function hasBasic(c: RegistryCredentials): boolean {
  return c.username !== undefined && c.username !== '' && c.password !== undefined;
}

function basicHeader(c: RegistryCredentials): string {
  return `Basic ${Buffer.from(`${c.username}:${c.password}`, 'utf8').toString('base64')}`;
}

/** Performs registry requests with authentication, retries and timeouts. */
export class RegistryTransport {
  readonly #opts: TransportOptions;
  readonly #hosts = new Map<string, HostAuthState>();
  /** Every secret used so far, to keep out of messages. */
  readonly secrets = new SecretRedactor();

  constructor(options: TransportOptions) {
    this.#opts = options;
  }

  /** Credentials for `host`, remembered as secrets to redact. */
  async #credentials(host: string): Promise<RegistryCredentials> {
    const c = await this.#opts.credentials(host);
    this.secrets.add(c.password);
    this.secrets.add(c.identityToken);
    this.secrets.add(c.registryToken);
    if (hasBasic(c)) this.secrets.add(basicHeader(c).slice('Basic '.length));
    return c;
  }

  /** A signal for one request: its timeout, and the transport's cancellation. */
  #requestSignal(): AbortSignal {
    const timeout = AbortSignal.timeout(this.#opts.timeoutMs);
    return this.#opts.signal ? AbortSignal.any([timeout, this.#opts.signal]) : timeout;
  }

  /** Throws the cancellation's reason when the transport was cancelled. */
  #checkCancelled(): void {
    if (this.#opts.signal?.aborted) throw abortReason(this.#opts.signal);
  }

  #state(host: string): HostAuthState {
    let s = this.#hosts.get(host);
    if (s === undefined) {
      s = { tokens: new Map(), pending: new Map() };
      this.#hosts.set(host, s);
    }
    return s;
  }

  /**
   * GETs `path` on the target's registry. Returns the final response whatever its status, except
   * that authentication failures throw `E_UNAUTHORIZED` and network failures (after retries)
   * throw `E_NETWORK`. 5xx and 429 are retried; the last such response is returned.
   */
  async get(target: RequestTarget, path: string, accept: string | undefined, limit: number): Promise<RegistryResponse> {
    const url = `${target.scheme}://${target.host}${path}`;
    const attempts = this.#opts.retries + 1;
    let lastError: unknown;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      this.#checkCancelled();
      try {
        const res = await this.#authenticatedGet(target, url, accept, limit, attempt);
        return res;
      } catch (e) {
        if (e instanceof ImageResolveError || e instanceof BodyTooLarge) throw e;
        this.#checkCancelled();
        if (e instanceof RefusedRedirect) {
          throw new ImageResolveError(ImageErrorCode.Registry, `${target.ref}: ${target.host} answered with ${e.message}: refused`, target.ref);
        }
        lastError = e;
        if (attempt === attempts) break;
        const backoff = Math.min(this.#opts.retryDelayMs * 2 ** (attempt - 1), 5000);
        await sleep(e instanceof RetryableStatus ? Math.max(backoff, e.retryAfterMs ?? 0) : backoff, this.#opts.signal);
      }
    }
    if (lastError instanceof RetryableStatus) return lastError.response;
    throw new ImageResolveError(
      ImageErrorCode.Network,
      `${target.ref}: network error talking to ${target.host}: ${describeNetworkError(lastError, this.#opts.timeoutMs)}` +
        (attempts > 1 ? ` (after ${attempts} attempts)` : ''),
      target.ref,
      { cause: lastError },
    );
  }

  /** One attempt: authenticate up front when we know how, answer one challenge if needed. */
  async #authenticatedGet(target: RequestTarget, url: string, accept: string | undefined, limit: number, attempt: number): Promise<RegistryResponse> {
    const state = this.#state(target.host);
    const scope = `repository:${target.repository}:pull`;
    let authorization = await this.#authorizationFor(target, state, scope);
    let answeredChallenge = false;
    for (;;) {
      const res = await this.#fetch(url, accept, authorization?.header, limit, attempt);
      if (res.status === 401 && !answeredChallenge) {
        answeredChallenge = true;
        authorization = await this.#answerChallenge(target, state, scope, res, authorization);
        continue;
      }
      if (res.status === 401 || res.status === 403) {
        throw this.#unauthorized(target, res, authorization?.credentialed ?? false);
      }
      return res;
    }
  }

  async #authorizationFor(target: RequestTarget, state: HostAuthState, scope: string): Promise<Authorization | undefined> {
    if (state.scheme === 'bearer') {
      const cached = state.tokens.get(scope);
      const token = cached && cached.expiresAt > Date.now() ? cached : state.bearer ? await this.#token(target, state, scope, [scope]) : undefined;
      if (token) return { header: `Bearer ${token.token}`, credentialed: token.credentialed };
    }
    if (state.scheme === 'basic') {
      const creds = await this.#credentials(target.host);
      if (hasBasic(creds)) return { header: basicHeader(creds), credentialed: true };
    }
    return undefined;
  }

  async #answerChallenge(
    target: RequestTarget,
    state: HostAuthState,
    scope: string,
    res: RegistryResponse,
    sent: Authorization | undefined,
  ): Promise<Authorization> {
    const challenges = parseChallenges(res.headers.get('www-authenticate') ?? '');
    const bearer = challenges.find((c) => c.scheme === 'bearer' && c.params.realm);
    const basic = challenges.find((c) => c.scheme === 'basic');
    if (bearer) {
      state.scheme = 'bearer';
      state.bearer = { realm: bearer.params.realm, service: bearer.params.service };
      // A token we sent was refused (expired or too narrow): get a fresh one. A token that a
      // concurrent request fetched after this one went out unauthenticated is kept and used.
      const cached = state.tokens.get(scope);
      if (cached !== undefined && sent?.header === `Bearer ${cached.token}`) state.tokens.delete(scope);
      const token = await this.#token(target, state, scope, scopesFor(scope, bearer));
      return { header: `Bearer ${token.token}`, credentialed: token.credentialed };
    }
    if (basic) {
      state.scheme = 'basic';
      const creds = await this.#credentials(target.host);
      if (!hasBasic(creds) || sent !== undefined) throw this.#unauthorized(target, res, sent?.credentialed ?? false);
      return { header: basicHeader(creds), credentialed: true };
    }
    throw this.#unauthorized(target, res, sent?.credentialed ?? false);
  }

  #unauthorized(target: RequestTarget, res: RegistryResponse, credentialed: boolean): ImageResolveError {
    const detail = registryErrorText(res.body);
    const why = credentialed
      ? `${target.host} refused our credentials (HTTP ${res.status})`
      : `pull access denied for ${target.repository} on ${target.host} (HTTP ${res.status}): the repository does not exist or requires credentials (docker login)`;
    return new ImageResolveError(ImageErrorCode.Unauthorized, `${target.ref}: unauthorized: ${why}${detail ? `: ${detail}` : ''}`, target.ref);
  }

  /** A bearer token for `scope`, fetched once per host and scope while valid. */
  #token(target: RequestTarget, state: HostAuthState, scope: string, scopes: string[]): Promise<CachedToken> {
    const cached = state.tokens.get(scope);
    if (cached && cached.expiresAt > Date.now()) return Promise.resolve(cached);
    let pending = state.pending.get(scope);
    if (pending === undefined) {
      pending = this.#fetchToken(target, state, scopes).then(
        (t) => {
          state.tokens.set(scope, t);
          state.pending.delete(scope);
          return t;
        },
        (e: unknown) => {
          state.pending.delete(scope);
          throw e;
        },
      );
      state.pending.set(scope, pending);
    }
    return pending;
  }

  async #fetchToken(target: RequestTarget, state: HostAuthState, scopes: string[]): Promise<CachedToken> {
    const creds = await this.#credentials(target.host);
    if (creds.registryToken) return { token: creds.registryToken, expiresAt: Number.POSITIVE_INFINITY, credentialed: true };
    const { realm, service } = state.bearer!;
    const unauthorized = (why: string) => new ImageResolveError(ImageErrorCode.Unauthorized, `${target.ref}: unauthorized: ${why}`, target.ref);
    let realmUrl: URL;
    try {
      realmUrl = new URL(realm);
    } catch {
      throw unauthorized(`${target.host} sent an invalid token realm (${cleanRemoteText(realm, 200)})`);
    }
    if (realmUrl.protocol !== 'https:' && realmUrl.protocol !== 'http:') {
      throw unauthorized(`${target.host} sent a token realm that is not an http(s) URL (${displayUrl(realmUrl)})`);
    }
    if (realmUrl.username || realmUrl.password) {
      throw unauthorized(`${target.host} sent a token realm with credentials in it (${displayUrl(realmUrl)}): refused`);
    }
    const realmHost = realmUrl.host;
    const usedCreds = hasBasic(creds) || creds.identityToken !== undefined;
    // Credentials travel in clear only when the user chose plain http for the registry itself.
    if (usedCreds && realmUrl.protocol === 'http:' && target.scheme === 'https') {
      throw unauthorized(
        `${target.host} (https) sent its token realm as plain http (${displayUrl(realmUrl)}): refusing to send credentials in clear text`,
      );
    }
    let init: RequestInit;
    if (creds.identityToken) {
      // OAuth2 refresh-token grant, as docker does with identity tokens.
      const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: creds.identityToken, client_id: 'dockerfile-llb' });
      if (service) form.set('service', service);
      form.set('scope', scopes.join(' '));
      init = { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString() };
    } else {
      if (service) realmUrl.searchParams.set('service', service);
      for (const s of scopes) realmUrl.searchParams.append('scope', s);
      init = { method: 'GET', headers: hasBasic(creds) ? { authorization: basicHeader(creds) } : {} };
    }

    const attempts = this.#opts.retries + 1;
    let lastError: unknown;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      this.#checkCancelled();
      try {
        const res = await this.#tokenExchange(realmUrl, init, usedCreds);
        let body: Uint8Array;
        try {
          body = await readBody(res, TOKEN_BODY_LIMIT, 'token response');
        } catch (e) {
          if (!(e instanceof BodyTooLarge)) throw e;
          throw unauthorized(`the token server at ${realmHost} sent a response larger than ${TOKEN_BODY_LIMIT} bytes`);
        }
        if (isRetryableStatus(res.status) && attempt < attempts) {
          lastError = new Error(`HTTP ${res.status}`);
          await sleep(Math.min(this.#opts.retryDelayMs * 2 ** (attempt - 1), 5000), this.#opts.signal);
          continue;
        }
        if (!res.ok) {
          const why = res.status === 401 || res.status === 403
            ? usedCreds
              ? `the token server at ${realmHost} rejected our credentials (HTTP ${res.status})`
              : `the token server at ${realmHost} refused anonymous access (HTTP ${res.status})`
            : `the token server at ${realmHost} answered HTTP ${res.status}`;
          throw new ImageResolveError(ImageErrorCode.Unauthorized, `${target.ref}: unauthorized: ${why}`, target.ref);
        }
        let doc: { token?: unknown; access_token?: unknown; expires_in?: unknown; issued_at?: unknown };
        try {
          doc = JSON.parse(new TextDecoder().decode(body)) as typeof doc;
        } catch {
          doc = {};
        }
        const token = typeof doc.token === 'string' && doc.token !== '' ? doc.token : typeof doc.access_token === 'string' ? doc.access_token : '';
        if (token === '') {
          throw new ImageResolveError(ImageErrorCode.Unauthorized, `${target.ref}: unauthorized: the token server at ${realmHost} returned no token`, target.ref);
        }
        this.secrets.add(token);
        const expiresIn = typeof doc.expires_in === 'number' && doc.expires_in > 0 ? doc.expires_in : 60;
        // Renew a little early so a token does not expire between check and use.
        return { token, expiresAt: Date.now() + Math.max(expiresIn - 10, 1) * 1000, credentialed: usedCreds };
      } catch (e) {
        if (e instanceof ImageResolveError) throw e;
        this.#checkCancelled();
        if (e instanceof RefusedRedirect) throw unauthorized(`the token server at ${realmHost} answered with ${e.message}: refused`);
        lastError = e;
        if (attempt < attempts) await sleep(Math.min(this.#opts.retryDelayMs * 2 ** (attempt - 1), 5000), this.#opts.signal);
      }
    }
    throw new ImageResolveError(
      ImageErrorCode.Network,
      `${target.ref}: network error talking to the token server at ${realmHost}: ${describeNetworkError(lastError, this.#opts.timeoutMs)}` +
        (attempts > 1 ? ` (after ${attempts} attempts)` : ''),
      target.ref,
      { cause: lastError },
    );
  }

  /**
   * A token request, following redirects by hand: within the realm's origin as they come (a
   * 307/308 keeps a POST and its body, 301/302/303 turn it into a GET without one); to another
   * origin only when the request carries no credentials.
   */
  async #tokenExchange(realmUrl: URL, init: RequestInit, credentialed: boolean): Promise<Response> {
    const signal = this.#requestSignal();
    const origin = realmUrl.origin;
    let current = realmUrl.toString();
    let method = init.method ?? 'GET';
    let body = init.body;
    const headers: Record<string, string> = { ...(init.headers as Record<string, string>), 'user-agent': this.#opts.userAgent, accept: 'application/json' };
    for (let hop = 0; ; hop++) {
      const res = await this.#opts.fetch(current, { method, headers, body, redirect: 'manual', signal });
      const location = res.headers.get('location');
      if (res.status < 300 || res.status >= 400 || !location) return res;
      await res.body?.cancel().catch(() => undefined);
      if (hop >= MAX_REDIRECTS) throw new Error('too many redirects');
      const next = redirectTarget(current, location);
      if (next.origin !== origin && credentialed) {
        throw new RefusedRedirect(`a redirect of a request with credentials to another origin (${displayUrl(next)})`);
      }
      if (res.status !== 307 && res.status !== 308 && method === 'POST') {
        method = 'GET';
        body = undefined;
        delete headers['content-type'];
      }
      current = next.toString();
    }
  }

  /** One HTTP exchange, following redirects by hand; credentials stay on the original origin. */
  async #fetch(url: string, accept: string | undefined, authorization: string | undefined, limit: number, attempt: number): Promise<RegistryResponse> {
    const signal = this.#requestSignal();
    const origin = new URL(url).origin;
    let current = url;
    for (let hop = 0; ; hop++) {
      const headers: Record<string, string> = { 'user-agent': this.#opts.userAgent };
      if (accept) headers.accept = accept;
      if (authorization && new URL(current).origin === origin) headers.authorization = authorization;
      const res = await this.#opts.fetch(current, { method: 'GET', headers, redirect: 'manual', signal });
      if (res.status >= 300 && res.status < 400 && res.headers.get('location')) {
        await res.body?.cancel().catch(() => undefined);
        if (hop >= MAX_REDIRECTS) throw new Error(`too many redirects`);
        current = redirectTarget(current, res.headers.get('location')!).toString();
        continue;
      }
      const ok = res.status >= 200 && res.status < 300;
      const body = await readBody(res, ok ? limit : ERROR_BODY_LIMIT, 'response', !ok);
      const response: RegistryResponse = { status: res.status, headers: res.headers, body, attempts: attempt };
      if (isRetryableStatus(res.status)) throw new RetryableStatus(response, parseRetryAfter(res.headers.get('retry-after')));
      return response;
    }
  }
}

/** Our pull scope plus any scope the challenge asked for. */
function scopesFor(scope: string, challenge: Challenge): string[] {
  const out = [scope];
  for (const s of (challenge.params.scope ?? '').split(' ')) {
    if (s !== '' && !out.includes(s)) out.push(s);
  }
  return out;
}
