/**
 * Image references (`alpine`, `ghcr.io/org/app:1.2@sha256:…`) parsed and normalized the way
 * Docker and BuildKit do it (github.com/distribution/reference): familiar names gain the
 * `docker.io` domain and the `library/` namespace, repositories must be lowercase, tags and
 * digests follow the registry grammar, and errors carry the same messages.
 *
 * Browser-safe: no Node APIs.
 *
 * Platforms are in `platform.ts`.
 */
import { ImageResolveError } from '../errors.js';
import { ImageErrorCode } from './codes.js';
import { digestError } from './digest.js';

/** A parsed, normalized image reference. `String(ref)` is not defined: use {@link formatReference}. */
export interface Reference {
  /** Registry host, with port if any: `docker.io`, `ghcr.io`, `localhost:5000`, `[::1]:5000`. */
  readonly domain: string;
  /** Repository path inside the registry: `library/alpine`, `org/team/app`. */
  readonly path: string;
  /** Tag, when the reference has one. */
  readonly tag?: string;
  /** Digest (`sha256:…`), when the reference has one. */
  readonly digest?: string;
}

/** Docker Hub's canonical domain in normalized names. */
export const DEFAULT_DOMAIN = 'docker.io';
/** The historical Docker Hub domain, rewritten to {@link DEFAULT_DOMAIN} when parsing. */
export const LEGACY_DEFAULT_DOMAIN = 'index.docker.io';
/** The namespace of official images on Docker Hub. */
export const OFFICIAL_REPO_PREFIX = 'library/';
/** The tag implied when a reference has neither tag nor digest. */
export const DEFAULT_TAG = 'latest';
/** Longest allowed repository path (without the domain). */
export const REPOSITORY_NAME_MAX_LENGTH = 255;

// ---- Grammar (distribution/reference regexp.go, rebuilt here) ----------------------------------
// path-component := [a-z0-9]+ (separator [a-z0-9]+)*, separator := [._] | __ | -+
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const REMOTE_NAME = `${PATH_COMPONENT}(?:/${PATH_COMPONENT})*`;
const DOMAIN_LABEL = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const HOST = `(?:${DOMAIN_LABEL}(?:\\.${DOMAIN_LABEL})*|\\[(?:[a-fA-F0-9:]+)\\])`;
const DOMAIN_AND_PORT = `${HOST}(?::[0-9]+)?`;
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9A-Fa-f]{32,}';
const NAME = `(?:${DOMAIN_AND_PORT}/)?${REMOTE_NAME}`;

const REFERENCE_RE = new RegExp(`^(${NAME})(?::(${TAG}))?(?:@(${DIGEST}))?$`);
const ANCHORED_NAME_RE = new RegExp(`^(?:(${DOMAIN_AND_PORT})/)?(${REMOTE_NAME})$`);
const ANCHORED_TAG_RE = new RegExp(`^${TAG}$`);
const ANCHORED_DIGEST_RE = new RegExp(`^${DIGEST}$`);
const ANCHORED_IDENTIFIER_RE = /^[a-f0-9]{64}$/;

function invalid(message: string, input: string): ImageResolveError {
  return new ImageResolveError(ImageErrorCode.InvalidReference, message, input);
}

/**
 * Parses a reference that is already fully qualified (no normalization), like
 * distribution's `reference.Parse` restricted to named references.
 */
function parseQualified(s: string, input: string): Reference {
  if (s === '') throw invalid('repository name must have at least one component', input);
  const m = REFERENCE_RE.exec(s);
  if (m === null) {
    const lower = s.toLowerCase();
    if (lower !== s && REFERENCE_RE.test(lower)) throw invalid('repository name must be lowercase', input);
    throw invalid('invalid reference format', input);
  }
  const nameMatch = ANCHORED_NAME_RE.exec(m[1]);
  const domain = nameMatch?.[1] ?? '';
  const path = nameMatch ? nameMatch[2] : m[1];
  if (path.length > REPOSITORY_NAME_MAX_LENGTH) {
    throw invalid(`repository name must not be more than ${REPOSITORY_NAME_MAX_LENGTH} characters`, input);
  }
  const tag = m[2];
  const digest = m[3];
  if (digest !== undefined) {
    const err = digestError(digest);
    if (err !== undefined) throw invalid(err, input);
  }
  return {
    domain,
    path,
    ...(tag !== undefined ? { tag } : {}),
    ...(digest !== undefined ? { digest } : {}),
  };
}

/**
 * Splits a familiar name into registry domain and remainder, Docker's way: the first path
 * element is a domain only if it is `localhost`, contains `.` or `:`, or has uppercase letters.
 * Docker Hub names without a namespace get `library/`.
 */
function splitDockerDomain(name: string): { domain: string; remainder: string } {
  const slash = name.indexOf('/');
  if (slash < 0) return { domain: DEFAULT_DOMAIN, remainder: OFFICIAL_REPO_PREFIX + name };
  const first = name.slice(0, slash);
  const rest = name.slice(slash + 1);
  let domain: string;
  let remainder: string;
  if (first === 'localhost') {
    domain = first;
    remainder = rest;
  } else if (first === LEGACY_DEFAULT_DOMAIN) {
    domain = DEFAULT_DOMAIN;
    remainder = rest;
  } else if (first.includes('.') || first.includes(':') || first.toLowerCase() !== first) {
    domain = first;
    remainder = rest;
  } else {
    domain = DEFAULT_DOMAIN;
    remainder = name;
  }
  if (domain === DEFAULT_DOMAIN && !remainder.includes('/')) remainder = OFFICIAL_REPO_PREFIX + remainder;
  return { domain, remainder };
}

/**
 * Parses an image reference as written by users (`alpine`, `user/img:tag`,
 * `localhost:5000/x@sha256:…`) into its normalized parts, like distribution's
 * `ParseNormalizedNamed`. No default tag is added: see {@link tagNameOnly}.
 *
 * - `alpine` → `{domain: 'docker.io', path: 'library/alpine'}`
 * - `index.docker.io/user/img` → `{domain: 'docker.io', path: 'user/img'}`
 *
 * @throws ImageResolveError with code `E_INVALID_REFERENCE` and distribution's message, e.g.
 *   `invalid reference format`,
 *   `invalid reference format: repository name (library/Alpine) must be lowercase`,
 *   `invalid repository name (…), cannot specify 64-byte hexadecimal strings`,
 *   `repository name must not be more than 255 characters`, `invalid checksum digest format`.
 */
export function parseReference(s: string): Reference {
  // A build names the same few images over and over (each stage's base, each --from): parsed
  // references are kept, frozen, in a small cache that is emptied when it fills.
  const hit = parsedReferences.get(s);
  if (hit) return hit;
  const ref = Object.freeze(parseUncached(s));
  if (parsedReferences.size >= PARSED_REFERENCES_MAX) parsedReferences.clear();
  parsedReferences.set(s, ref);
  return ref;
}

const PARSED_REFERENCES_MAX = 512;
const parsedReferences = new Map<string, Reference>();

function parseUncached(s: string): Reference {
  if (ANCHORED_IDENTIFIER_RE.test(s)) {
    throw invalid(`invalid repository name (${s}), cannot specify 64-byte hexadecimal strings`, s);
  }
  const { domain, remainder } = splitDockerDomain(s);
  const colon = remainder.indexOf(':');
  const remote = colon >= 0 ? remainder.slice(0, colon) : remainder;
  if (remote.toLowerCase() !== remote) {
    throw invalid(`invalid reference format: repository name (${remote}) must be lowercase`, s);
  }
  return parseQualified(`${domain}/${remainder}`, s);
}

/** True when `s` parses with {@link parseReference}. */
export function isValidReference(s: string): boolean {
  try {
    parseReference(s);
    return true;
  } catch {
    return false;
  }
}

/** The repository name with its domain: `docker.io/library/alpine`. */
export function referenceName(ref: Reference): string {
  return ref.domain === '' ? ref.path : `${ref.domain}/${ref.path}`;
}

/** Formats a reference as `domain/path[:tag][@digest]`. */
export function formatReference(ref: Reference): string {
  let s = referenceName(ref);
  if (ref.tag !== undefined) s += `:${ref.tag}`;
  if (ref.digest !== undefined) s += `@${ref.digest}`;
  return s;
}

/** Adds the `latest` tag when a reference has neither tag nor digest (distribution's `TagNameOnly`). */
export function tagNameOnly(ref: Reference): Reference {
  if (ref.tag === undefined && ref.digest === undefined) return { ...ref, tag: DEFAULT_TAG };
  return ref;
}

function toReference(ref: Reference | string): Reference {
  return typeof ref === 'string' ? parseReference(ref) : ref;
}

/**
 * Normalizes a reference to the string BuildKit resolves and records:
 * `alpine` → `docker.io/library/alpine:latest`, `alpine@sha256:…` →
 * `docker.io/library/alpine@sha256:…` (no tag added), and `alpine:3.20@sha256:…` →
 * `docker.io/library/alpine:3.20@sha256:…` (both kept).
 * @throws ImageResolveError `E_INVALID_REFERENCE` (see {@link parseReference}).
 */
export function normalizeReference(ref: Reference | string): string {
  return formatReference(tagNameOnly(toReference(ref)));
}

/**
 * The short name Docker shows: `docker.io/library/alpine:3.20` → `alpine`,
 * `docker.io/user/img` → `user/img`, other registries unchanged. Name only, no tag or digest;
 * see {@link familiarString} for the full form.
 */
export function familiarName(ref: Reference | string): string {
  const r = toReference(ref);
  if (r.domain !== DEFAULT_DOMAIN) return referenceName(r);
  if (r.path.startsWith(OFFICIAL_REPO_PREFIX)) {
    const rest = r.path.slice(OFFICIAL_REPO_PREFIX.length);
    if (!rest.includes('/')) return rest;
  }
  return r.path;
}

/** {@link familiarName} plus the tag and digest: `docker.io/library/alpine:3.20` → `alpine:3.20`. */
export function familiarString(ref: Reference | string): string {
  const r = toReference(ref);
  let s = familiarName(r);
  if (r.tag !== undefined) s += `:${r.tag}`;
  if (r.digest !== undefined) s += `@${r.digest}`;
  return s;
}

/**
 * Pins a reference to a digest the way BuildKit's Dockerfile frontend pins `FROM` images:
 * the `latest` tag is added to a bare name, the tag is kept, any digest already present is
 * replaced. `alpine:3.20` + `sha256:ab…` → `docker.io/library/alpine:3.20@sha256:ab…`;
 * `alpine@sha256:X` + `sha256:X` → `docker.io/library/alpine@sha256:X`.
 * @throws ImageResolveError `E_INVALID_REFERENCE` for a bad reference, or with message
 *   `invalid digest format` for a digest outside the reference grammar.
 */
export function withDigest(ref: Reference | string, digest: string): string {
  const r = tagNameOnly(toReference(ref));
  if (!ANCHORED_DIGEST_RE.test(digest)) throw invalid('invalid digest format', digest);
  return formatReference({ domain: r.domain, path: r.path, ...(r.tag !== undefined ? { tag: r.tag } : {}), digest });
}

/**
 * Replaces or adds the tag of a reference, keeping its digest (distribution's `WithTag`).
 * @throws ImageResolveError with message `invalid tag format` for a bad tag.
 */
export function withTag(ref: Reference | string, tag: string): string {
  const r = toReference(ref);
  if (!ANCHORED_TAG_RE.test(tag)) throw invalid('invalid tag format', tag);
  return formatReference({ domain: r.domain, path: r.path, tag, ...(r.digest !== undefined ? { digest: r.digest } : {}) });
}

/** The reference without tag and digest: `docker.io/library/alpine`. */
export function trimReference(ref: Reference | string): string {
  return referenceName(toReference(ref));
}

/**
 * Parses a reference as written, without normalizing it (distribution's `reference.Parse`): no
 * default domain, no `library/`. `mystore:1.0@sha256:…` has the path `mystore` and no domain.
 * @throws ImageResolveError `E_INVALID_REFERENCE` with distribution's message.
 */
export function parseQualifiedReference(s: string): Reference {
  return parseQualified(s, s);
}
