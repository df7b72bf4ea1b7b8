/**
 * {@link StaticImageResolver}: resolves base images from an offline metadata file
 * (`images.json`, written by `dockerfile-llb lock`). It never touches the network.
 *
 * Browser-safe: no Node APIs.
 */
import { ImageResolveError } from '../errors.js';
import { ImageErrorCode } from './codes.js';
import { type ImageMetadataOptions, parseImageMetadata, validateImageMetadata } from './metadata.js';
import { parsePlatform, platformMatcher } from './platform.js';
import { formatReference, parseReference, referenceName, tagNameOnly, type Reference } from './reference.js';
import type { ImageConfig, ImageMetadataEntry, ImageMetadataFile, ImageResolver, Platform, ResolvedImage, ResolveOptions } from './types.js';

/**
 * Options of {@link StaticImageResolver}. `pins` (see {@link ImageMetadataOptions}) defaults to
 * `'verify'`: an entry keyed `name[:tag]@digest` must record that digest.
 */
export interface StaticImageResolverOptions extends ImageMetadataOptions {
  /** How to name the metadata file in error messages, e.g. its path `images.json`. */
  readonly source?: string;
}

interface Indexed {
  readonly ref: Reference;
  readonly entry: ImageMetadataEntry;
}

/**
 * The resolvers {@link StaticImageResolver.of} built, by file object, with what the file held
 * then: its keys and entry objects, in order.
 */
const built = new WeakMap<
  ImageMetadataFile,
  { readonly resolver: StaticImageResolver; readonly pins: Pins; readonly keys: string[]; readonly entries: unknown[] }
>();

type Pins = NonNullable<ImageMetadataOptions['pins']>;

/**
 * An option only {@link StaticImageResolver.fromJson} sets (the symbol is not exported): the file
 * was just parsed and no one else holds it, so its entries need no private copy.
 */
const OWNED = Symbol('owned');
type InternalOptions = StaticImageResolverOptions & { readonly [OWNED]?: true };

/**
 * Looks images up in an {@link ImageMetadataFile}. Keys may be written in any form
 * {@link parseReference} accepts (`alpine:3.20` works as well as `docker.io/library/alpine:3.20`);
 * they are normalized when the resolver is built.
 *
 * A reference is found by its normalized form (`name:tag`, `name@digest` or
 * `name:tag@digest`). A reference with a digest also matches an entry of the same repository
 * that is pinned to that same digest, since the digest alone names the content.
 */
export class StaticImageResolver implements ImageResolver {
  readonly #entries = new Map<string, Indexed>();
  readonly #byName = new Map<string, Indexed[]>();
  readonly #source: string | undefined;
  readonly #pins: Pins;

  /**
   * @throws ImageResolveError `E_INVALID_METADATA` when the file is malformed, a key is not a
   *   valid reference, or two keys normalize to the same reference.
   */
  constructor(file: ImageMetadataFile, options: StaticImageResolverOptions = {}) {
    const owned = (options as InternalOptions)[OWNED] === true;
    this.#source = options.source;
    this.#pins = options.pins ?? 'verify';
    validateImageMetadata(file, { pins: this.#pins });
    for (const key of Object.keys(file).sort()) {
      let ref: Reference;
      try {
        ref = tagNameOnly(parseReference(key));
      } catch (e) {
        throw new ImageResolveError(
          ImageErrorCode.InvalidMetadata,
          `invalid image metadata: key ${JSON.stringify(key)} is not an image reference: ${(e as Error).message}`,
          key,
          { cause: e },
        );
      }
      const normalized = formatReference(ref);
      if (this.#entries.has(normalized)) {
        throw new ImageResolveError(
          ImageErrorCode.InvalidMetadata,
          `invalid image metadata: ${JSON.stringify(key)} duplicates another entry for ${normalized}`,
          key,
        );
      }
      // A private copy of the checked entry: a change the caller makes to the file afterwards
      // cannot reach a build unchecked, and resolving needs no second check. A file parsed by
      // fromJson has no other holder.
      const indexed = { ref, entry: (owned ? file[key] : cloneJson(file[key])) as ImageMetadataEntry };
      this.#entries.set(normalized, indexed);
      const name = referenceName(ref);
      const list = this.#byName.get(name);
      if (list) list.push(indexed);
      else this.#byName.set(name, [indexed]);
    }
  }

  /**
   * The resolver of an `images.json` text: parsed, checked and indexed, as the constructor does
   * with the parsed file; the entries are not copied, since nothing else holds them (the CLI's
   * `--images` reads the file this way).
   * @throws ImageResolveError `E_INVALID_METADATA` when the text is not JSON (the message of
   *   {@link parseImageMetadata}) or as the constructor does.
   */
  static fromJson(text: string, options: StaticImageResolverOptions = {}): StaticImageResolver {
    let file: unknown;
    try {
      file = JSON.parse(text);
    } catch {
      // parseImageMetadata words the error (it throws here).
      file = parseImageMetadata(text, options);
    }
    const owned: InternalOptions = { ...options, [OWNED]: true };
    return new StaticImageResolver(file as ImageMetadataFile, owned);
  }

  /**
   * The resolver of `file`, built once per file object and reused while the object holds the
   * same keys and the same entry objects (compiling many Dockerfiles against one `images.json`
   * then parses its references once, as BuildKit's own tools read it once). A file changed
   * since (an entry added, removed or replaced) gets a new resolver. The resolver keeps a checked
   * copy of each entry, so a change made inside an entry object after the first call is not
   * seen: replace the entry (or pass a new file object) instead. Only `options.pins` is taken (a
   * resolver built with other pins is not reused).
   *
   * @throws ImageResolveError as the constructor does.
   */
  static of(file: ImageMetadataFile, options: Pick<StaticImageResolverOptions, 'pins'> = {}): StaticImageResolver {
    const pins = options.pins ?? 'verify';
    const hit = built.get(file);
    if (hit && hit.pins === pins && sameEntries(file, hit.keys, hit.entries)) return hit.resolver;
    const resolver = new StaticImageResolver(file, { pins });
    const keys = Object.keys(file);
    built.set(file, { resolver, pins, keys, entries: keys.map((k) => file[k]) });
    return resolver;
  }

  /** Number of images in the file. */
  get size(): number {
    return this.#entries.size;
  }

  /** The normalized references the file knows, sorted. */
  refs(): string[] {
    return [...this.#entries.keys()];
  }

  /** True when {@link resolve} would find `ref` (whatever the platform). */
  has(ref: string): boolean {
    try {
      return this.#lookup(tagNameOnly(parseReference(ref))) !== undefined;
    } catch {
      return false;
    }
  }

  /**
   * Resolves a reference from the file. Normalizes it first, so familiar names work too.
   * @throws ImageResolveError `E_INVALID_REFERENCE` for a bad reference, `E_IMAGE_NOT_FOUND`
   *   when the image is not in the file (the message says to run `dockerfile-llb lock`).
   */
  async resolve(ref: string, options: ResolveOptions): Promise<ResolvedImage> {
    return this.resolveSync(ref, options);
  }

  /** Synchronous {@link resolve}, for callers that know the resolver is static. */
  resolveSync(ref: string, options: ResolveOptions): ResolvedImage {
    const wanted = tagNameOnly(parseReference(ref));
    const normalized = formatReference(wanted);
    const found = this.#lookup(wanted);
    if (found === undefined) throw this.#notFound(wanted, normalized);
    return {
      ref: normalized,
      digest: found.digest,
      // A copy: callers may extend the config without corrupting the file for the next stage.
      config: cloneJson(pickConfig(found.entry, options.platform)) as ImageConfig,
    };
  }

  #lookup(wanted: Reference): { entry: ImageMetadataEntry; digest: string } | undefined {
    const exact = this.#entries.get(formatReference(wanted));
    if (exact) return { entry: exact.entry, digest: exact.entry.digest };
    if (wanted.digest === undefined) return undefined;
    // The digest names the content: accept an entry of this repository whose key has that
    // digest, or a tag-only entry pinned to it; prefer one with the same tag.
    const candidates = (this.#byName.get(referenceName(wanted)) ?? []).filter((c) =>
      c.ref.digest !== undefined ? c.ref.digest === wanted.digest : c.entry.digest === wanted.digest,
    );
    candidates.sort((a, b) => Number(b.ref.tag === wanted.tag) - Number(a.ref.tag === wanted.tag));
    const best = candidates[0];
    return best ? { entry: best.entry, digest: best.entry.digest } : undefined;
  }

  #notFound(wanted: Reference, normalized: string): ImageResolveError {
    const where = this.#source !== undefined ? `the image metadata file ${this.#source}` : 'the image metadata file';
    let hint = '';
    const sameName = this.#byName.get(referenceName(wanted)) ?? [];
    const sameTag = sameName.find((c) => c.ref.tag === wanted.tag && c.ref.digest === undefined);
    if (wanted.digest !== undefined && sameTag !== undefined) {
      hint = ` (it has ${formatReference(sameTag.ref)} pinned to ${sameTag.entry.digest})`;
    }
    return new ImageResolveError(
      ImageErrorCode.ImageNotFound,
      `image ${normalized} is not in ${where}${hint}; run \`dockerfile-llb lock\` to add it`,
      normalized,
    );
  }
}

/** Whether `file` still has exactly these keys, in this order, with these entry objects. */
function sameEntries(file: ImageMetadataFile, keys: readonly string[], entries: readonly unknown[]): boolean {
  let i = 0;
  for (const k in file) {
    if (!Object.hasOwn(file, k)) continue;
    if (i >= keys.length || keys[i] !== k || entries[i] !== file[k]) return false;
    i++;
  }
  return i === keys.length;
}

/**
 * A deep copy of a JSON value (what JSON.parse(JSON.stringify(v)) gives for the values an image
 * config holds, several times faster: a compile resolves an image per stage). Non-finite numbers
 * become null and undefined members are left out, as JSON does; a key such as "__proto__" stays
 * an ordinary entry.
 */
function cloneJson(v: unknown): unknown {
  if (typeof v !== 'object' || v === null) return typeof v === 'number' && !Number.isFinite(v) ? null : v;
  const proto = Object.getPrototypeOf(v) as unknown;
  // Anything but plain objects and arrays (a Date, a boxed string) as JSON writes it.
  if (proto !== Object.prototype && proto !== null && !Array.isArray(v)) return JSON.parse(JSON.stringify(v)) as unknown;
  if (Array.isArray(v)) {
    const out = new Array<unknown>(v.length);
    for (let i = 0; i < v.length; i++) {
      const x = v[i] as unknown;
      out[i] = x === undefined || typeof x === 'function' || typeof x === 'symbol' ? null : cloneJson(x);
    }
    return out;
  }
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v)) {
    const x = (v as Record<string, unknown>)[k];
    if (x === undefined || typeof x === 'function' || typeof x === 'symbol') continue;
    if (k === '__proto__') Object.defineProperty(out, k, { value: cloneJson(x), enumerable: true, writable: true, configurable: true });
    else out[k] = cloneJson(x);
  }
  return out;
}

function pickConfig(entry: ImageMetadataEntry, platform: Platform): ImageConfig {
  const platforms = entry.platforms;
  if (platforms === undefined) return entry.config;
  const matcher = platformMatcher(platform);
  let best: { p: Platform; config: ImageConfig } | undefined;
  for (const [spec, config] of Object.entries(platforms)) {
    let p: Platform;
    try {
      p = parsePlatform(spec);
    } catch {
      continue;
    }
    if (!matcher.match(p)) continue;
    if (best === undefined || matcher.less(p, best.p)) best = { p, config };
  }
  return best?.config ?? entry.config;
}
