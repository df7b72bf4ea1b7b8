/**
 * Locking a build's base images: {@link RecordingResolver} sees every image the frontend resolves
 * while it compiles a Dockerfile, and {@link lockDockerfile} turns that into the offline metadata
 * file (`images.json`) that `compile --images` reads.
 *
 * Running the real frontend is what makes the list exact: it follows ARG expansion, `--platform`,
 * `COPY --from=image`, `RUN --mount=from=image`, ONBUILD triggers and target pruning, and asks for
 * precisely the (reference, platform) pairs that a compile of the same build will ask for.
 *
 * No Node APIs here (it is part of the browser-safe core); the registry it usually wraps, the
 * `RegistryResolver` of `dockerfile-llb/node`, is Node only.
 */
import { compile, type CompileOptions, type CompileResult } from './compile.js';
import { lockImages, type LockRequest } from './image/metadata.js';
import { formatPlatformAll, normalizePlatform } from './image/platform.js';
import { normalizeReference } from './image/reference.js';
import type { ImageConfig, ImageMetadataFile, ImageResolver, Platform, ResolvedImage, ResolveOptions } from './image/types.js';

interface Recorded {
  readonly ref: string;
  readonly platform: Platform;
  /** Settles with a private copy of the resolution, whatever the caller does to its own. */
  readonly result: Promise<ResolvedImage>;
}

function copyResolved(r: ResolvedImage): ResolvedImage {
  return { ref: r.ref, digest: r.digest, config: JSON.parse(JSON.stringify(r.config)) as ImageConfig };
}

function recordKey(ref: string, platform: Platform): string {
  return `${normalizeReference(ref)}\u0000${formatPlatformAll(normalizePlatform(platform))}`;
}

/**
 * An {@link ImageResolver} that forwards to another one and remembers every (reference, platform)
 * asked for, in call order, with what it resolved to.
 */
export class RecordingResolver implements ImageResolver {
  readonly #inner: ImageResolver;
  readonly #records: Recorded[] = [];

  constructor(inner: ImageResolver) {
    this.#inner = inner;
  }

  resolve(ref: string, options: ResolveOptions): Promise<ResolvedImage> {
    const result = this.#inner.resolve(ref, options);
    const record: Recorded = { ref, platform: options.platform, result: result.then(copyResolved) };
    // The caller sees failures through `result`; the copy must not count as unhandled.
    record.result.catch(() => undefined);
    this.#records.push(record);
    return result;
  }

  /** Every resolution asked for so far, in call order (duplicates included). */
  requests(): LockRequest[] {
    return this.#records.map(({ ref, platform }) => ({ ref, platform }));
  }

  /**
   * The metadata file of everything resolved so far (see {@link lockImages}): normalized ref →
   * `{digest, config}`, with a `platforms` map for a reference resolved for several platforms
   * whose configs differ. Built from the recorded results: nothing is resolved again.
   * @throws the first recorded failure, in call order.
   */
  async metadata(): Promise<ImageMetadataFile> {
    const byKey = new Map<string, Promise<ResolvedImage>>();
    for (const r of this.#records) {
      const key = recordKey(r.ref, r.platform);
      if (!byKey.has(key)) byKey.set(key, r.result);
    }
    const replay: ImageResolver = {
      resolve: (ref, options) => byKey.get(recordKey(ref, options.platform))!.then(copyResolved),
    };
    return lockImages(this.requests(), replay);
  }
}

/** Options of {@link lockDockerfile}: those of {@link compile}, with a required resolver. */
export interface LockOptions extends Omit<CompileOptions, 'resolver' | 'images'> {
  /** Where the images come from, usually a `RegistryResolver`. */
  readonly resolver: ImageResolver;
}

/** What {@link lockDockerfile} returns. */
export interface LockResult {
  /** The `images.json` content; serialize it with `serializeImageMetadata`. */
  readonly images: ImageMetadataFile;
  /** The compile that was run to find the images. */
  readonly compiled: CompileResult;
}

/**
 * Resolves every image the build of `dockerfile` uses (for the same target, build args and
 * platform as `options`) and returns their metadata: compiling with `{ images }` afterwards gives
 * the same bytes as compiling with `options.resolver`, without it.
 *
 * @throws whatever {@link compile} throws: {@link DockerfileError} for a bad Dockerfile,
 *   {@link ImageResolveError} when an image cannot be resolved.
 */
export async function lockDockerfile(dockerfile: string | Uint8Array, options: LockOptions): Promise<LockResult> {
  const recorder = new RecordingResolver(options.resolver);
  const compiled = await compile(dockerfile, { ...options, resolver: recorder });
  return { images: await recorder.metadata(), compiled };
}
