/// <reference types="node" />
/**
 * OCI / Docker schema 2 manifests and indexes: media types, parsing and validation, and the
 * choice of a manifest for a platform with BuildKit's rules (containerd `images.Manifest` with
 * `platforms.Only`).
 */
import { digestError } from '../image/digest.js';
import { normalizePlatform, type PlatformMatcher } from '../image/platform.js';
import type { Platform } from '../image/types.js';

/** The media types this resolver understands. */
export const MediaTypes = {
  OciManifest: 'application/vnd.oci.image.manifest.v1+json',
  OciIndex: 'application/vnd.oci.image.index.v1+json',
  OciConfig: 'application/vnd.oci.image.config.v1+json',
  DockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  DockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  DockerConfig: 'application/vnd.docker.container.image.v1+json',
} as const;

const MANIFEST_TYPES = new Set<string>([MediaTypes.OciManifest, MediaTypes.DockerManifest]);
const INDEX_TYPES = new Set<string>([MediaTypes.OciIndex, MediaTypes.DockerManifestList]);
const CONFIG_TYPES = new Set<string>([MediaTypes.OciConfig, MediaTypes.DockerConfig]);
const SCHEMA1_TYPES = new Set<string>([
  'application/vnd.docker.distribution.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v1+prettyjws',
]);

/** The `Accept` header for manifest requests: every manifest and index type we handle. */
export const MANIFEST_ACCEPT = [MediaTypes.OciIndex, MediaTypes.DockerManifestList, MediaTypes.OciManifest, MediaTypes.DockerManifest].join(', ');

export function isManifestType(mt: string): boolean {
  return MANIFEST_TYPES.has(mt);
}
export function isIndexType(mt: string): boolean {
  return INDEX_TYPES.has(mt);
}
export function isConfigType(mt: string): boolean {
  return CONFIG_TYPES.has(mt);
}
export function isSchema1Type(mt: string): boolean {
  return SCHEMA1_TYPES.has(mt);
}

/** An OCI descriptor, as found in manifests and indexes. */
export interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly platform?: Platform;
}

/** A parsed manifest or index. */
export type ParsedManifest =
  | { readonly kind: 'manifest'; readonly mediaType: string; readonly config: Descriptor }
  | { readonly kind: 'index'; readonly mediaType: string; readonly manifests: readonly Descriptor[] };

/** Why a manifest could not be used. `unsupported` is a media type problem, `invalid` a shape one. */
export class ManifestError extends Error {
  constructor(
    readonly kind: 'unsupported' | 'invalid',
    message: string,
  ) {
    super(message);
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The media type without parameters, lowercased: `application/json; charset=utf-8` → `application/json`. */
export function bareMediaType(contentType: string | null | undefined): string {
  return (contentType ?? '').split(';')[0].trim().toLowerCase();
}

function parsePlatformField(v: unknown, where: string): Platform | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObject(v) || typeof v.os !== 'string' || typeof v.architecture !== 'string') {
    throw new ManifestError('invalid', `${where}: platform must have string "os" and "architecture"`);
  }
  const features = v['os.features'];
  return {
    os: v.os,
    architecture: v.architecture,
    ...(typeof v.variant === 'string' && v.variant !== '' ? { variant: v.variant } : {}),
    ...(typeof v['os.version'] === 'string' && v['os.version'] !== '' ? { osVersion: v['os.version'] } : {}),
    ...(Array.isArray(features) && features.length > 0 ? { osFeatures: features.filter((f): f is string => typeof f === 'string') } : {}),
  };
}

function parseDescriptor(v: unknown, where: string): Descriptor {
  if (!isObject(v)) throw new ManifestError('invalid', `${where} is not a descriptor object`);
  const { mediaType, digest, size } = v;
  if (typeof mediaType !== 'string' || mediaType === '') throw new ManifestError('invalid', `${where} has no mediaType`);
  if (typeof digest !== 'string') throw new ManifestError('invalid', `${where} has no digest`);
  const err = digestError(digest);
  if (err !== undefined) throw new ManifestError('invalid', `${where} has an invalid digest ${JSON.stringify(digest)}: ${err}`);
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) throw new ManifestError('invalid', `${where} has an invalid size`);
  const platform = parsePlatformField(v.platform, where);
  return { mediaType, digest, size, ...(platform ? { platform } : {}) };
}

/**
 * Parses manifest bytes. The media type comes from the `Content-Type` the registry sent (or the
 * descriptor that pointed here); when that is missing or generic, from the document's own
 * `mediaType`, then from its shape (OCI allows omitting `mediaType`).
 * @throws ManifestError `unsupported` for schema 1 and unknown types, `invalid` for bad JSON.
 */
export function parseManifest(bytes: Uint8Array, declaredType: string | undefined): ParsedManifest {
  let doc: unknown;
  try {
    doc = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (e) {
    throw new ManifestError('invalid', `manifest is not valid JSON: ${(e as Error).message}`);
  }
  if (!isObject(doc)) throw new ManifestError('invalid', 'manifest is not a JSON object');
  const own = typeof doc.mediaType === 'string' ? doc.mediaType : undefined;
  const declared = declaredType !== undefined && declaredType !== '' ? declaredType : undefined;

  let mediaType: string | undefined;
  if (declared !== undefined && (isManifestType(declared) || isIndexType(declared) || isSchema1Type(declared))) mediaType = declared;
  else if (own !== undefined) mediaType = own;
  else if (declared !== undefined && declared !== 'application/json' && declared !== 'application/octet-stream' && declared !== 'text/plain') {
    mediaType = declared;
  } else if (doc.schemaVersion === 1) mediaType = 'application/vnd.docker.distribution.manifest.v1+json';
  else if (Array.isArray(doc.manifests)) mediaType = MediaTypes.OciIndex;
  else if (isObject(doc.config)) mediaType = MediaTypes.OciManifest;
  else throw new ManifestError('unsupported', 'cannot tell the media type of the manifest (no Content-Type, no "mediaType")');

  if (isSchema1Type(mediaType) || doc.schemaVersion === 1) {
    throw new ManifestError('unsupported', `unsupported media type ${mediaType}: Docker schema 1 manifests are not supported`);
  }
  if (!isManifestType(mediaType) && !isIndexType(mediaType)) {
    throw new ManifestError(
      'unsupported',
      `unsupported media type ${mediaType}: expected an OCI or Docker schema 2 manifest or index`,
    );
  }
  // A document must not contradict the type it was served as (containerd's validateMediaType).
  if (own !== undefined && own !== mediaType) {
    throw new ManifestError('invalid', `manifest declares media type ${own} but was served as ${mediaType}`);
  }
  if (isManifestType(mediaType)) {
    if (doc.manifests !== undefined) throw new ManifestError('invalid', `a ${mediaType} must not have "manifests"`);
    return { kind: 'manifest', mediaType, config: parseDescriptor(doc.config, 'manifest config') };
  }
  if (doc.config !== undefined || doc.layers !== undefined) throw new ManifestError('invalid', `an index (${mediaType}) must not have "config" or "layers"`);
  if (!Array.isArray(doc.manifests)) throw new ManifestError('invalid', 'index has no "manifests" array');
  return { kind: 'index', mediaType, manifests: doc.manifests.map((m, i) => parseDescriptor(m, `index manifests[${i}]`)) };
}

/**
 * Orders the entries of an index the way containerd does before taking the first: entries of
 * a manifest or index type whose platform matches (or is absent), best platform first,
 * platform-less entries last, ties kept in index order. Returns the candidates in that order.
 */
export function rankIndexEntries(manifests: readonly Descriptor[], matcher: PlatformMatcher): Descriptor[] {
  const candidates = manifests.filter(
    (d) => (isManifestType(d.mediaType) || isIndexType(d.mediaType)) && (d.platform === undefined || matcher.match(d.platform)),
  );
  // Stable insertion sort with containerd's comparator.
  const less = (a: Descriptor, b: Descriptor): boolean => {
    if (a.platform === undefined) return false;
    if (b.platform === undefined) return true;
    return matcher.less(a.platform, b.platform);
  };
  const out: Descriptor[] = [];
  for (const d of candidates) {
    let i = out.length;
    while (i > 0 && less(d, out[i - 1])) i--;
    out.splice(i, 0, d);
  }
  return out;
}

/** The platform an image config declares, normalized (for platform-less index entries). */
export function configPlatform(config: Record<string, unknown>): Platform {
  const str = (k: string): string => (typeof config[k] === 'string' ? (config[k]) : '');
  const features = config['os.features'];
  return normalizePlatform({
    os: str('os'),
    architecture: str('architecture'),
    ...(str('variant') !== '' ? { variant: str('variant') } : {}),
    ...(str('os.version') !== '' ? { osVersion: str('os.version') } : {}),
    ...(Array.isArray(features) ? { osFeatures: features.filter((f): f is string => typeof f === 'string') } : {}),
  });
}
