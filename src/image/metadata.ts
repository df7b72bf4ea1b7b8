/**
 * The offline image metadata file (`images.json`): validation, stable serialization, and
 * {@link lockImages}, which fills one from any {@link ImageResolver}.
 *
 * Browser-safe: no Node APIs.
 */
import { ImageResolveError } from '../errors.js';
import { ImageErrorCode } from './codes.js';
import { digestError } from './digest.js';
import { formatPlatformAll, normalizePlatform } from './platform.js';
import { normalizeReference } from './reference.js';
import type { ImageConfig, ImageMetadataEntry, ImageMetadataFile, ImageResolver, Platform } from './types.js';

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function invalidMetadata(key: string, what: string): ImageResolveError {
  return new ImageResolveError(ImageErrorCode.InvalidMetadata, `invalid image metadata for ${key}: ${what}`, key);
}

function checkConfig(key: string, config: unknown, where: string): ImageConfig {
  if (!isObject(config)) throw invalidMetadata(key, `${where} must be an object`);
  return config as ImageConfig;
}

/**
 * Checks that a parsed JSON value has the shape of an {@link ImageMetadataFile}: an object of
 * reference → `{digest, config, platforms?}` with valid digests. Keys are not normalized here.
 * @throws ImageResolveError with code `E_INVALID_METADATA` naming the offending key.
 */
export function validateImageMetadata(value: unknown): ImageMetadataFile {
  if (!isObject(value)) {
    throw new ImageResolveError(ImageErrorCode.InvalidMetadata, 'invalid image metadata: expected a JSON object of image references', '');
  }
  for (const [key, entry] of Object.entries(value)) {
    if (!isObject(entry)) throw invalidMetadata(key, 'entry must be an object with "digest" and "config"');
    if (typeof entry.digest !== 'string') throw invalidMetadata(key, '"digest" must be a string');
    const err = digestError(entry.digest);
    if (err !== undefined) throw invalidMetadata(key, `"digest": ${err}`);
    checkConfig(key, entry.config, '"config"');
    if (entry.platforms !== undefined) {
      if (!isObject(entry.platforms)) throw invalidMetadata(key, '"platforms" must be an object');
      for (const [platform, config] of Object.entries(entry.platforms)) {
        checkConfig(key, config, `"platforms.${platform}"`);
      }
    }
  }
  return value as ImageMetadataFile;
}

/**
 * Parses the text of an `images.json` file.
 * @throws ImageResolveError `E_INVALID_METADATA` for bad JSON or a bad shape.
 */
export function parseImageMetadata(text: string): ImageMetadataFile {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new ImageResolveError(ImageErrorCode.InvalidMetadata, `invalid image metadata: ${(e as Error).message}`, '', {
      cause: e,
    });
  }
  return validateImageMetadata(value);
}

function sortKeysDeep(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeysDeep);
  if (!isObject(v)) return v;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v).sort(compareStrings)) out[k] = sortKeysDeep(v[k]);
  return out;
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** JSON with object keys sorted at every level: equal values give equal strings. */
export function canonicalJson(value: unknown, indent?: number): string {
  return JSON.stringify(sortKeysDeep(value), null, indent);
}

/**
 * Serializes a metadata file the way the golden `images.json` is laid out: keys sorted at every
 * level, one-space indentation, and a final newline.
 */
export function serializeImageMetadata(file: ImageMetadataFile): string {
  return `${canonicalJson(file, 1)}\n`;
}

/** One image a build uses: the reference as written (normalized here) and the platform it is for. */
export interface LockRequest {
  readonly ref: string;
  readonly platform: Platform;
}

/**
 * Resolves every requested image with `resolver` and returns the metadata file that
 * `compile --images` reads: normalized ref → `{digest, config}`, keys sorted. Duplicate
 * requests are resolved once; resolutions run concurrently (the resolver bounds them).
 *
 * When one reference is requested for several platforms whose configs differ, its entry gets a
 * `platforms` map (formatted platform → config) and `config` is the first request's.
 *
 * @throws the first failure in request order (an {@link ImageResolveError}); or
 *   `E_INVALID_REFERENCE` for a bad reference before anything is resolved.
 */
export async function lockImages(requests: readonly LockRequest[], resolver: ImageResolver): Promise<ImageMetadataFile> {
  interface Job {
    key: string;
    platformKey: string;
    platform: Platform;
  }
  const jobs: Job[] = [];
  const seen = new Set<string>();
  for (const req of requests) {
    const key = normalizeReference(req.ref);
    const platform = normalizePlatform(req.platform);
    const platformKey = formatPlatformAll(platform);
    const id = `${key}\u0000${platformKey}`;
    if (seen.has(id)) continue;
    seen.add(id);
    jobs.push({ key, platformKey, platform });
  }

  const settled = await Promise.allSettled(jobs.map((job) => resolver.resolve(job.key, { platform: job.platform })));
  for (const s of settled) {
    if (s.status === 'rejected') throw s.reason;
  }

  const grouped = new Map<string, { digest: string; configs: [string, ImageConfig][] }>();
  jobs.forEach((job, i) => {
    const resolved = (settled[i] as PromiseFulfilledResult<Awaited<ReturnType<ImageResolver['resolve']>>>).value;
    let group = grouped.get(job.key);
    if (group === undefined) {
      group = { digest: resolved.digest, configs: [] };
      grouped.set(job.key, group);
    } else if (group.digest !== resolved.digest) {
      throw new ImageResolveError(
        ImageErrorCode.DigestMismatch,
        `${job.key}: resolved to ${group.digest} and then to ${resolved.digest}; the tag moved while locking, run lock again`,
        job.key,
      );
    }
    group.configs.push([job.platformKey, resolved.config]);
  });

  const out: ImageMetadataFile = {};
  for (const key of [...grouped.keys()].sort(compareStrings)) {
    const { digest, configs } = grouped.get(key)!;
    const entry: ImageMetadataEntry = { digest, config: configs[0][1] };
    const distinct = new Set(configs.map(([, c]) => canonicalJson(c)));
    if (distinct.size > 1) {
      const platforms: Record<string, ImageConfig> = {};
      for (const [p, c] of [...configs].sort((a, b) => compareStrings(a[0], b[0]))) platforms[p] = c;
      entry.platforms = platforms;
    }
    out[key] = entry;
  }
  return out;
}
