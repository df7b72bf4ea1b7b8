/// <reference types="node" />
/**
 * {@link RegistryResolver}: resolves base images from OCI registries (distribution API v2),
 * as BuildKit does when the Dockerfile frontend asks for an image config:
 *
 * 1. the tag (or digest) is resolved to a manifest or index, whose digest is what `FROM` pins;
 * 2. from an index, the manifest for the requested platform is chosen with containerd's
 *    `platforms.Only` matcher (best platform first, platform-less entries last);
 * 3. the manifest's config blob is fetched and parsed.
 *
 * Every download is checked against the digest (and size) it was requested by.
 */
import { createHash } from 'node:crypto';
import { ImageResolveError } from '../errors.js';
import { ImageErrorCode } from '../image/codes.js';
import { digestAlgorithm, digestError } from '../image/digest.js';
import { formatPlatformAll, normalizePlatform, platformMatcher, type PlatformMatcher } from '../image/platform.js';
import { formatReference, parseReference, tagNameOnly, type Reference } from '../image/reference.js';
import type { ImageConfig, ImageResolver, Platform, ResolvedImage, ResolveOptions } from '../image/types.js';
import { DockerCredentialStore, type CredentialsProvider } from './credentials.js';
import {
  MANIFEST_ACCEPT,
  ManifestError,
  bareMediaType,
  configPlatform,
  isConfigType,
  isIndexType,
  isManifestType,
  parseManifest,
  rankIndexEntries,
  type Descriptor,
  type ParsedManifest,
} from './manifest.js';
import { cleanRemoteText } from './sanitize.js';
import { abortReason, BodyTooLarge, RegistryTransport, registryErrorText, type FetchLike, type RegistryResponse, type RequestTarget } from './transport.js';

/** Options of {@link RegistryResolver}. All are optional. */
export interface RegistryResolverOptions {
  /**
   * Registries reached over plain `http` (`host` or `host:port`). `localhost`, `127.0.0.0/8`
   * and `[::1]` always are, like docker's defaults; every other registry uses `https`.
   */
  readonly insecureRegistries?: readonly string[];
  /** Timeout of one HTTP request, body included, in ms. Default 30000. */
  readonly timeoutMs?: number;
  /** Retries after a 5xx/429 answer or a network error (so `retries + 1` attempts). Default 3. */
  readonly retries?: number;
  /** First retry delay in ms, doubled at each retry (capped at 5 s). Default 200. */
  readonly retryDelayMs?: number;
  /** How many images are resolved at the same time (across stages). Default 4. */
  readonly concurrency?: number;
  /** Directory of docker's `config.json`. Default `$DOCKER_CONFIG`, else `~/.docker`. */
  readonly dockerConfigDir?: string;
  /** Environment for `DOCKER_CONFIG`, `HOME` and credential helpers. Default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Replace docker's credential lookup (config file and helpers) altogether. */
  readonly credentials?: CredentialsProvider;
  /** The `fetch` to use; tests inject failures through it. Default the global `fetch`. */
  readonly fetch?: FetchLike;
  /** `User-Agent` header. */
  readonly userAgent?: string;
  /** Largest manifest or index accepted, in bytes. Default 4 MiB (containerd's limit). */
  readonly maxManifestBytes?: number;
  /** Largest image config accepted, in bytes. Default 32 MiB. */
  readonly maxConfigBytes?: number;
  /**
   * Cancels everything in flight and queued when aborted: requests, retry waits, resolutions
   * waiting for their turn. They reject with the signal's reason. The CLI aborts it as soon as a
   * command ends, so that a failed build does not wait for a hanging registry.
   */
  readonly signal?: AbortSignal;
}

/** Docker Hub's registry endpoint for the `docker.io` domain. */
export const DOCKER_HUB_REGISTRY = 'registry-1.docker.io';

const MAX_INDEX_DEPTH = 4;

/** The API endpoint host of a reference's domain: Docker Hub's domain maps to its registry. */
export function registryHost(domain: string): string {
  return domain === 'docker.io' || domain === 'index.docker.io' ? DOCKER_HUB_REGISTRY : domain;
}

function hostname(host: string): string {
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1);
  const colon = host.lastIndexOf(':');
  return colon >= 0 ? host.slice(0, colon) : host;
}

/** True for hosts reached over `http` by default: localhost, 127.0.0.0/8 and ::1. */
export function isLoopbackHost(host: string): boolean {
  const name = hostname(host).toLowerCase();
  return name === 'localhost' || name === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name);
}

function stripScheme(s: string): string {
  return s.replace(/^[a-z]+:\/\//i, '').replace(/\/+$/, '').toLowerCase();
}

/** A simple FIFO semaphore; waiting tasks give up when `signal` aborts. */
class Limiter {
  #active = 0;
  readonly #queue: (() => void)[] = [];
  constructor(
    readonly limit: number,
    readonly signal: AbortSignal | undefined,
  ) {}

  async run<T>(fn: () => Promise<T>): Promise<T> {
    const signal = this.signal;
    if (signal?.aborted) throw abortReason(signal);
    if (this.#active >= this.limit) {
      await new Promise<void>((resolve, reject) => {
        const onAbort = () => {
          const i = this.#queue.indexOf(go);
          if (i >= 0) this.#queue.splice(i, 1);
          reject(abortReason(signal!));
        };
        const go = () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        };
        this.#queue.push(go);
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    }
    this.#active++;
    try {
      return await fn();
    } finally {
      this.#active--;
      this.#queue.shift()?.();
    }
  }
}

interface FetchedManifest {
  readonly digest: string;
  readonly manifest: ParsedManifest;
}

/**
 * Resolves image references against their registries. One instance is meant to serve one
 * compile or lock: it caches tags, manifests, configs and tokens, so every stage that names the
 * same image sees the same digest.
 */
export class RegistryResolver implements ImageResolver {
  readonly #transport: RegistryTransport;
  readonly #limiter: Limiter;
  readonly #insecure: Set<string>;
  readonly #maxManifestBytes: number;
  readonly #maxConfigBytes: number;
  readonly #resolutions = new Map<string, Promise<ResolvedImage>>();
  readonly #manifests = new Map<string, Promise<FetchedManifest>>();
  readonly #configs = new Map<string, Promise<ImageConfig>>();

  constructor(options: RegistryResolverOptions = {}) {
    const credentials =
      options.credentials ??
      (() => {
        const store = new DockerCredentialStore({
          ...(options.dockerConfigDir !== undefined ? { dockerConfigDir: options.dockerConfigDir } : {}),
          ...(options.env !== undefined ? { env: options.env } : {}),
        });
        return (host: string) => store.get(host);
      })();
    const fetchImpl: FetchLike = options.fetch ?? ((input, init) => fetch(input, init));
    this.#transport = new RegistryTransport({
      fetch: fetchImpl,
      timeoutMs: options.timeoutMs ?? 30_000,
      retries: Math.max(0, options.retries ?? 3),
      retryDelayMs: options.retryDelayMs ?? 200,
      credentials,
      userAgent: options.userAgent ?? 'dockerfile-llb',
      ...(options.signal ? { signal: options.signal } : {}),
    });
    this.#limiter = new Limiter(Math.max(1, options.concurrency ?? 4), options.signal);
    this.#insecure = new Set((options.insecureRegistries ?? []).map(stripScheme));
    this.#maxManifestBytes = options.maxManifestBytes ?? 4 * 1024 * 1024;
    this.#maxConfigBytes = options.maxConfigBytes ?? 32 * 1024 * 1024;
  }

  /** `http` or `https` for a registry host (see {@link RegistryResolverOptions.insecureRegistries}). */
  schemeFor(host: string): 'http' | 'https' {
    const h = host.toLowerCase();
    if (isLoopbackHost(h) || this.#insecure.has(h) || this.#insecure.has(hostname(h))) return 'http';
    return 'https';
  }

  /**
   * Resolves `ref` (any form {@link parseReference} accepts; normalized here) for a platform.
   * Concurrent and repeated calls for the same reference and platform share one resolution.
   *
   * @throws ImageResolveError with code `E_INVALID_REFERENCE`, `E_IMAGE_NOT_FOUND`,
   *   `E_UNAUTHORIZED`, `E_UNSUPPORTED_MEDIA_TYPE`, `E_DIGEST_MISMATCH`,
   *   `E_NO_MATCHING_PLATFORM`, `E_INVALID_MANIFEST`, `E_NETWORK`, `E_REGISTRY` or
   *   `E_CREDENTIALS`; the message starts with the normalized reference.
   */
  resolve(ref: string, options: ResolveOptions): Promise<ResolvedImage> {
    let parsed: Reference;
    try {
      parsed = tagNameOnly(parseReference(ref));
    } catch (e) {
      return Promise.reject(e);
    }
    const normalized = formatReference(parsed);
    const platform = normalizePlatform(options.platform);
    const key = `${normalized}\u0000${formatPlatformAll(platform)}`;
    let p = this.#resolutions.get(key);
    if (p === undefined) {
      p = this.#limiter.run(() => this.#resolve(parsed, normalized, platform)).catch((e: unknown) => {
        throw this.#redacted(e);
      });
      this.#resolutions.set(key, p);
      // Failures are not cached: a later call tries again.
      p.catch(() => this.#resolutions.delete(key));
    }
    return p.then((r) => ({ ...r, config: JSON.parse(JSON.stringify(r.config)) as ImageConfig }));
  }

  /** `e` with every secret the transport has used, and any credentials, removed from its message. */
  #redacted(e: unknown): unknown {
    if (!(e instanceof ImageResolveError)) return e;
    const message = this.#transport.secrets.redact(e.message);
    if (message === e.message) return e;
    return new ImageResolveError(e.code, message, e.ref);
  }

  async #resolve(ref: Reference, normalized: string, platform: Platform): Promise<ResolvedImage> {
    const host = registryHost(ref.domain);
    const target: RequestTarget = { scheme: this.schemeFor(host), host, repository: ref.path, ref: normalized };
    // With a digest the tag is ignored, as containerd's resolver does.
    const top = await this.#manifest(target, ref.digest ?? ref.tag!, ref.digest, undefined);
    const matcher = platformMatcher(platform);
    const config = await this.#configFor(target, top, matcher, platform, 0);
    return { ref: normalized, digest: top.digest, config };
  }

  /** The config of the manifest chosen for `matcher` under `fetched` (containerd's images.Config). */
  async #configFor(target: RequestTarget, fetched: FetchedManifest, matcher: PlatformMatcher, platform: Platform, depth: number): Promise<ImageConfig> {
    const m = fetched.manifest;
    if (m.kind === 'manifest') return this.#config(target, m.config);
    if (depth >= MAX_INDEX_DEPTH) {
      throw new ImageResolveError(ImageErrorCode.InvalidManifest, `${target.ref}: indexes nested deeper than ${MAX_INDEX_DEPTH} levels`, target.ref);
    }
    // containerd looks at the best candidate only.
    const best = rankIndexEntries(m.manifests, matcher)[0];
    if (best === undefined) throw this.#noMatch(target, fetched.digest, platform, m.manifests);
    const child = await this.#manifest(target, best.digest, best.digest, best);
    if (child.manifest.kind === 'manifest' && best.platform === undefined) {
      // No platform in the index: the config says which platform the image is for.
      const config = await this.#config(target, child.manifest.config);
      if (!matcher.match(configPlatform(config))) throw this.#noMatch(target, fetched.digest, platform, m.manifests);
      return config;
    }
    return this.#configFor(target, child, matcher, platform, depth + 1);
  }

  #noMatch(target: RequestTarget, digest: string, platform: Platform, manifests: readonly Descriptor[]): ImageResolveError {
    const available = manifests
      .filter((d) => d.platform !== undefined)
      .map((d) => formatPlatformAll(d.platform!))
      .filter((v, i, a) => a.indexOf(v) === i);
    return new ImageResolveError(
      ImageErrorCode.NoMatchingPlatform,
      `${target.ref}: no match for platform ${formatPlatformAll(platform)} in manifest ${digest}` +
        (available.length > 0 ? ` (available: ${available.join(', ')})` : ''),
      target.ref,
    );
  }

  /**
   * Fetches a manifest or index by tag or digest, verifying it against `expectedDigest` (and the
   * descriptor's size and media type when it came from an index), else against the registry's
   * `Docker-Content-Digest`. Cached per repository and object.
   */
  #manifest(target: RequestTarget, object: string, expectedDigest: string | undefined, descriptor: Descriptor | undefined): Promise<FetchedManifest> {
    const key = `${target.host}/${target.repository}@${object}`;
    let p = this.#manifests.get(key);
    if (p === undefined) {
      p = this.#fetchManifest(target, object, expectedDigest, descriptor);
      this.#manifests.set(key, p);
      p.catch(() => this.#manifests.delete(key));
    }
    return p;
  }

  async #fetchManifest(target: RequestTarget, object: string, expectedDigest: string | undefined, descriptor: Descriptor | undefined): Promise<FetchedManifest> {
    const what = descriptor ? `manifest ${object}` : `manifest for ${object.includes(':') ? object : `tag ${object}`}`;
    const res = await this.#get(target, `/v2/${target.repository}/manifests/${object}`, MANIFEST_ACCEPT, this.#maxManifestBytes, what);
    const announced = res.headers.get('docker-content-digest') || undefined;
    // Like containerd: a digest header that is not a valid digest is an error of its own.
    const invalid = announced === undefined ? undefined : digestError(announced);
    if (expectedDigest === undefined && invalid !== undefined) {
      throw new ImageResolveError(
        ImageErrorCode.Registry,
        `${target.ref}: ${JSON.stringify(cleanRemoteText(announced!, 100))} in header not a valid digest: ${invalid} (${what})`,
        target.ref,
      );
    }
    let algorithm = 'sha256';
    if (expectedDigest !== undefined) algorithm = digestAlgorithm(expectedDigest);
    else if (announced !== undefined) algorithm = digestAlgorithm(announced);
    const actual = digestOf(res.body, algorithm);
    if (expectedDigest !== undefined && actual !== expectedDigest) {
      throw this.#mismatch(target, what, expectedDigest, actual);
    }
    if (expectedDigest === undefined && announced !== undefined && announced !== actual) {
      throw this.#mismatch(target, `${what} (Docker-Content-Digest)`, announced, actual);
    }
    if (descriptor !== undefined && descriptor.size !== res.body.length) {
      throw new ImageResolveError(
        ImageErrorCode.DigestMismatch,
        `${target.ref}: size mismatch for ${what}: the index says ${descriptor.size} bytes, got ${res.body.length}`,
        target.ref,
      );
    }
    const declared = descriptor?.mediaType ?? bareMediaType(res.headers.get('content-type'));
    let manifest: ParsedManifest;
    try {
      manifest = parseManifest(res.body, declared);
    } catch (e) {
      if (!(e instanceof ManifestError)) throw e;
      throw new ImageResolveError(
        e.kind === 'unsupported' ? ImageErrorCode.UnsupportedMediaType : ImageErrorCode.InvalidManifest,
        `${target.ref}: ${e.message} (${what}, ${actual})`,
        target.ref,
        { cause: e },
      );
    }
    return { digest: expectedDigest ?? actual, manifest };
  }

  /** Fetches and parses a config blob, checking media type, size and digest. Cached by digest. */
  #config(target: RequestTarget, descriptor: Descriptor): Promise<ImageConfig> {
    const key = `${target.host}/${target.repository}@${descriptor.digest}`;
    let p = this.#configs.get(key);
    if (p === undefined) {
      p = this.#fetchConfig(target, descriptor);
      this.#configs.set(key, p);
      p.catch(() => this.#configs.delete(key));
    }
    return p;
  }

  async #fetchConfig(target: RequestTarget, descriptor: Descriptor): Promise<ImageConfig> {
    if (!isConfigType(descriptor.mediaType)) {
      const hint = isManifestType(descriptor.mediaType) || isIndexType(descriptor.mediaType) ? '' : ' (not a container image: an artifact?)';
      throw new ImageResolveError(
        ImageErrorCode.UnsupportedMediaType,
        `${target.ref}: unsupported config media type ${descriptor.mediaType}${hint}`,
        target.ref,
      );
    }
    const what = `config ${descriptor.digest}`;
    if (descriptor.size > this.#maxConfigBytes) {
      throw new ImageResolveError(ImageErrorCode.InvalidManifest, `${target.ref}: ${what} is larger than ${this.#maxConfigBytes} bytes`, target.ref);
    }
    const res = await this.#get(target, `/v2/${target.repository}/blobs/${descriptor.digest}`, undefined, this.#maxConfigBytes, what);
    const actual = digestOf(res.body, digestAlgorithm(descriptor.digest));
    if (actual !== descriptor.digest) throw this.#mismatch(target, what, descriptor.digest, actual);
    if (res.body.length !== descriptor.size) {
      throw new ImageResolveError(
        ImageErrorCode.DigestMismatch,
        `${target.ref}: size mismatch for ${what}: the manifest says ${descriptor.size} bytes, got ${res.body.length}`,
        target.ref,
      );
    }
    let config: unknown;
    try {
      config = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(res.body));
    } catch (e) {
      throw new ImageResolveError(ImageErrorCode.InvalidManifest, `${target.ref}: ${what} is not valid JSON: ${(e as Error).message}`, target.ref);
    }
    if (typeof config !== 'object' || config === null || Array.isArray(config)) {
      throw new ImageResolveError(ImageErrorCode.InvalidManifest, `${target.ref}: ${what} is not a JSON object`, target.ref);
    }
    return config as ImageConfig;
  }

  #mismatch(target: RequestTarget, what: string, expected: string, actual: string): ImageResolveError {
    return new ImageResolveError(
      ImageErrorCode.DigestMismatch,
      `${target.ref}: digest mismatch for ${what}: expected ${expected}, got ${actual}`,
      target.ref,
    );
  }

  /** A GET whose non-2xx outcomes become typed errors. */
  async #get(target: RequestTarget, path: string, accept: string | undefined, limit: number, what: string): Promise<RegistryResponse> {
    let res: RegistryResponse;
    try {
      res = await this.#transport.get(target, path, accept, limit);
    } catch (e) {
      if (e instanceof BodyTooLarge) {
        throw new ImageResolveError(ImageErrorCode.InvalidManifest, `${target.ref}: ${what} is larger than ${e.limit} bytes`, target.ref);
      }
      throw e;
    }
    if (res.status >= 200 && res.status < 300) return res;
    const detail = registryErrorText(res.body);
    const suffix = detail ? `: ${detail}` : '';
    if (res.status === 404) {
      throw new ImageResolveError(ImageErrorCode.ImageNotFound, `${target.ref}: not found: ${target.host} has no ${what}${suffix}`, target.ref);
    }
    const retried = (res.status === 429 ? ' (rate limited)' : '') + (res.attempts > 1 ? ` after ${res.attempts} attempts` : '');
    throw new ImageResolveError(
      ImageErrorCode.Registry,
      `${target.ref}: registry ${target.host} answered HTTP ${res.status} for ${what}${retried}${suffix}`,
      target.ref,
    );
  }
}

function digestOf(data: Uint8Array, algorithm: string): string {
  return `${algorithm}:${createHash(algorithm).update(data).digest('hex')}`;
}
