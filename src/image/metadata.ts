/**
 * The offline image metadata file (`images.json`): validation, stable serialization, and
 * {@link lockImages}, which fills one from any {@link ImageResolver}.
 *
 * Browser-safe: no Node APIs.
 */
import { ImageResolveError } from '../errors.js';
import { ImageErrorCode } from './codes.js';
import { digestError } from './digest.js';
import { formatPlatformAll, normalizePlatform, parsePlatform } from './platform.js';
import { normalizeReference } from './reference.js';
import type { ImageConfig, ImageMetadataEntry, ImageMetadataFile, ImageResolver, Platform } from './types.js';

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// ----- the schema -------------------------------------------------------------------------------
// `images.json` is checked whole before anything reads it: every field the frontend uses must have
// the JSON type BuildKit's Go structs (ocispec.Image, dockerspec.DockerOCIImageConfig) would
// unmarshal, or the file is refused with the path of the bad value. As in Go, `null` stands for a
// field's zero value; fields the frontend does not read (Hostname, Domainname, ...) may hold
// anything.

/**
 * A value failed its schema. Where it is, is found only when a check fails (most files are
 * valid): each level the failure passes on its way out adds its step (a key, or an array index),
 * so that a valid file costs no path strings and no closures.
 */
class SchemaFailure extends Error {
  /** The steps from the value checked to the bad one, innermost first. */
  readonly #steps: (string | number)[] = [];
  constructor(readonly what: string) {
    super(what);
  }
  /** `path: what`, the path of the bad value from `root` (`images["alpine:3.20"].config.config.Env`). */
  textFrom(root: string): string {
    let path = root;
    for (let i = this.#steps.length - 1; i >= 0; i--) {
      const step = this.#steps[i];
      path = typeof step === 'number' ? `${path}[${step}]` : member(path, step);
    }
    return `${path}: ${this.what}`;
  }
  /** Adds the step that led to the value that failed. */
  static through(e: unknown, step: string | number): unknown {
    if (e instanceof SchemaFailure) e.#steps.push(step);
    return e;
  }
}

type Check = (value: unknown) => void;

/** `check` on `value`, which is `step` (a key or an index) below the value being checked. */
function checkAt(check: Check, value: unknown, step: string | number): void {
  try {
    check(value);
  } catch (e) {
    throw SchemaFailure.through(e, step);
  }
}

function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  return typeof v === 'number' || typeof v === 'boolean' ? `the ${typeof v} ${String(v)}` : `a ${typeof v}`;
}

/** `path` extended by an object key: `.Env`, or `["os.version"]` for keys that are not identifiers. */
function member(path: string, key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

const string: Check = (v) => {
  if (typeof v !== 'string') throw new SchemaFailure(`expected a string, got ${kindOf(v)}`);
};
const boolean: Check = (v) => {
  if (typeof v !== 'boolean') throw new SchemaFailure(`expected true or false, got ${kindOf(v)}`);
};
/** Go's int64 (durations in nanoseconds, counts). */
const integer: Check = (v) => {
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw new SchemaFailure(`expected an integer, got ${kindOf(v)}`);
};
const anyObject: Check = (v) => {
  if (!isObject(v)) throw new SchemaFailure(`expected an object, got ${kindOf(v)}`);
};

function arrayOf(item: Check, what: string): Check {
  return (v) => {
    if (v === null) return;
    if (!Array.isArray(v)) throw new SchemaFailure(`expected ${what}, got ${kindOf(v)}`);
    for (let i = 0; i < v.length; i++) checkAt(item, v[i], i);
  };
}

function mapOf(value: Check, what: string): Check {
  return (v) => {
    if (v === null) return;
    if (!isObject(v)) throw new SchemaFailure(`expected ${what}, got ${kindOf(v)}`);
    for (const k of Object.keys(v)) checkAt(value, v[k], k);
  };
}

/** An object whose known fields are checked (each may be null) and whose other fields are free. */
function struct(fields: Record<string, Check>): Check {
  const keys = Object.keys(fields);
  const checks = keys.map((k) => fields[k]);
  return (v) => {
    if (v === null) return;
    if (!isObject(v)) throw new SchemaFailure(`expected an object, got ${kindOf(v)}`);
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i];
      if (Object.hasOwn(v, k) && v[k] !== null) checkAt(checks[i], v[k], k);
    }
  };
}

const strings = arrayOf(string, 'an array of strings');

const healthConfig = struct({ Test: strings, Interval: integer, Timeout: integer, StartPeriod: integer, StartInterval: integer, Retries: integer });

/** The `config` of an image config: the container defaults a stage starts from. */
const runtimeConfig = struct({
  User: string,
  ExposedPorts: mapOf(anyObject, 'an object of ports ({"80/tcp": {}})'),
  Env: strings,
  Entrypoint: strings,
  Cmd: strings,
  Volumes: mapOf(anyObject, 'an object of paths ({"/data": {}})'),
  WorkingDir: string,
  Labels: mapOf(string, 'an object of string labels'),
  StopSignal: string,
  ArgsEscaped: boolean,
  Healthcheck: healthConfig,
  OnBuild: strings,
  Shell: strings,
});

const imageConfigFields = struct({
  created: string,
  author: string,
  architecture: string,
  os: string,
  'os.version': string,
  'os.features': strings,
  variant: string,
  config: runtimeConfig,
  rootfs: struct({ type: string, diff_ids: strings }),
  history: arrayOf(struct({ created: string, created_by: string, author: string, comment: string, empty_layer: boolean }), 'an array of history entries'),
});

/** An OCI image config document. */
const imageConfig: Check = (v) => {
  if (!isObject(v)) throw new SchemaFailure(`expected an image config object, got ${kindOf(v)}`);
  imageConfigFields(v);
};

const ENTRY_FIELDS = new Set(['digest', 'config', 'platforms']);

/** Options of {@link validateImageMetadata}, {@link parseImageMetadata} and the static resolver. */
export interface ImageMetadataOptions {
  /**
   * What an entry whose key is pinned (`name[:tag]@sha256:…`) must record as its `digest`.
   * `'verify'` (the default): that same digest, or the file is refused, since the key promises
   * exactly that content. `'as-recorded'`: any digest, used as recorded; only for metadata made
   * by a test resolver that answers pinned references with digests of its own, like BuildKit's
   * golden corpus (`dockerfile-llb --images-unverified-pins`).
   */
  readonly pins?: 'verify' | 'as-recorded';
}

/** The digest a key pins with `@digest`, when it is a valid one (a bad key is reported elsewhere). */
function pinnedDigest(key: string): string | undefined {
  const at = key.lastIndexOf('@');
  if (at < 0) return undefined;
  const digest = key.slice(at + 1);
  return digestError(digest) === undefined ? digest : undefined;
}

function checkEntry(key: string, entry: unknown, options: ImageMetadataOptions): void {
  if (!isObject(entry)) throw new SchemaFailure(`expected an object with "digest" and "config", got ${kindOf(entry)}`);
  for (const k of Object.keys(entry)) {
    if (!ENTRY_FIELDS.has(k)) throw SchemaFailure.through(new SchemaFailure('unknown field (an entry has "digest", "config" and "platforms")'), k);
  }
  try {
    string(entry.digest);
    const err = digestError(entry.digest as string);
    if (err !== undefined) throw new SchemaFailure(err);
    const pinned = pinnedDigest(key);
    if (pinned !== undefined && pinned !== entry.digest && (options.pins ?? 'verify') === 'verify') {
      throw new SchemaFailure(`${entry.digest as string} is not the digest the key pins (${pinned})`);
    }
  } catch (e) {
    throw SchemaFailure.through(e, 'digest');
  }
  checkAt(imageConfig, entry.config, 'config');
  if (entry.platforms !== undefined) {
    const platforms = entry.platforms;
    if (!isObject(platforms)) throw SchemaFailure.through(new SchemaFailure(`expected an object of platform → image config, got ${kindOf(platforms)}`), 'platforms');
    for (const [platform, config] of Object.entries(platforms)) {
      try {
        try {
          parsePlatform(platform);
        } catch (e) {
          throw new SchemaFailure(`not a platform: ${(e as Error).message}`);
        }
        imageConfig(config);
      } catch (e) {
        throw SchemaFailure.through(SchemaFailure.through(e, platform), 'platforms');
      }
    }
  }
}

/**
 * Checks that a parsed JSON value is an {@link ImageMetadataFile}, whole: an object of reference →
 * `{digest, config, platforms?}` with valid digests (and, for a key pinned with `@digest`, that
 * same digest unless `options.pins` is `'as-recorded'`), and image configs whose every field the
 * frontend reads has its JSON type. Keys are not normalized here.
 * @throws ImageResolveError with code `E_INVALID_METADATA`, its message giving the path of the
 *   bad value (`images["alpine:3.20"].config.config.Env: expected an array of strings, got a
 *   string`) and its `ref` the entry's key.
 */
export function validateImageMetadata(value: unknown, options: ImageMetadataOptions = {}): ImageMetadataFile {
  if (!isObject(value)) {
    throw new ImageResolveError(
      ImageErrorCode.InvalidMetadata,
      `invalid image metadata: expected a JSON object of image references, got ${kindOf(value)}`,
      '',
    );
  }
  for (const [key, entry] of Object.entries(value)) {
    try {
      checkEntry(key, entry, options);
    } catch (e) {
      if (!(e instanceof SchemaFailure)) throw e;
      throw new ImageResolveError(ImageErrorCode.InvalidMetadata, `invalid image metadata: ${e.textFrom(`images[${JSON.stringify(key)}]`)}`, key);
    }
  }
  return value as ImageMetadataFile;
}

/**
 * Parses the text of an `images.json` file.
 * @throws ImageResolveError `E_INVALID_METADATA` for bad JSON or a bad shape, as
 *   {@link validateImageMetadata} checks it with `options`.
 */
export function parseImageMetadata(text: string, options: ImageMetadataOptions = {}): ImageMetadataFile {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new ImageResolveError(ImageErrorCode.InvalidMetadata, `invalid image metadata: ${(e as Error).message}`, '', {
      cause: e,
    });
  }
  return validateImageMetadata(value, options);
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
 * Only verified entries are written: a pinned reference (`name@sha256:A`) must resolve to that
 * digest (the registry resolver checks it; a static resolver reading pins `'as-recorded'` may
 * not), so that the file passes {@link validateImageMetadata} with its default.
 *
 * @throws the first failure in request order (an {@link ImageResolveError}); or
 *   `E_INVALID_REFERENCE` for a bad reference before anything is resolved; or
 *   `E_DIGEST_MISMATCH` when a pinned reference resolved to another digest.
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
      const pinned = pinnedDigest(job.key);
      if (pinned !== undefined && pinned !== resolved.digest) {
        throw new ImageResolveError(
          ImageErrorCode.DigestMismatch,
          `${job.key}: resolved to ${resolved.digest}, not the digest it pins (${pinned}); lock writes only verified entries`,
          job.key,
        );
      }
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
