/**
 * `compile`: Dockerfile text → typed graph, LLB Definition bytes and image config.
 */
import { BuildRequestError, DockerfileLlbError } from './errors.js';
import { convert } from './frontend/convert.js';
import { DEFAULT_PLATFORM } from './frontend/platform.js';
import { imageConfigJson } from './frontend/image.js';
import { type BuildRequest, type BuildRequestOptions, parseBuildRequest } from './frontend/request.js';
import type { NamedContexts, OciLayoutResolver } from './frontend/named-context.js';
import type { Graph, Output, Vertex } from './graph/types.js';
import { formatPlatformAll, normalizePlatform, parsePlatform } from './image/platform.js';
import { StaticImageResolver } from './image/static-resolver.js';
import type { ImageConfig, ImageMetadataFile, ImageResolver, Platform } from './image/types.js';
import type { Definition } from './llb/definition.js';
import { encodeGraphToBytes } from './llb/marshal.js';
import { lowerLinkedCopy } from './lower/link.js';
import { type CheckWarning, stabilizeWarnings } from './frontend/checks/linter.js';
import { checkLimit, DEFAULT_EXPANSION_LIMITS, ExpansionBudget, type ExpansionLimits } from './frontend/limits.js';

/**
 * Bounds that stop hostile Dockerfiles (expansion bombs, deep nesting, huge outputs) with a
 * {@link LimitError} before memory, stack or time run out. The defaults sit far above what real
 * Dockerfiles need; `docs/security.md` lists them and says why.
 */
export interface CompileLimits extends ExpansionLimits {
  /**
   * Largest LLB Definition, in bytes (the ops). Default 16 MiB (16,777,216): BuildKit's API
   * refuses larger requests (gRPC's maximum message size in buildkitd and buildctl).
   */
  readonly maxDefinitionBytes: number;
}

/** The default {@link CompileLimits}. */
export const DEFAULT_COMPILE_LIMITS: CompileLimits = Object.freeze({ ...DEFAULT_EXPANSION_LIMITS, maxDefinitionBytes: 16 << 20 });

/**
 * Options of {@link compile} and {@link compilePlatforms}: the Dockerfile's inputs, and the
 * options `docker build` sends the frontend ({@link BuildRequestOptions}: labels, hosts,
 * network, /dev/shm size, ulimits, cgroup parent, stages without cache).
 */
export interface CompileOptions extends Omit<BuildRequestOptions, 'platforms'> {
  /** The stage to build (default: the last one). */
  readonly target?: string;
  /** `--build-arg` values. */
  readonly buildArgs?: Readonly<Record<string, string>>;
  /**
   * Target platform (`linux/arm64`); default: the build platform, linux/amd64. A string is read
   * like `docker build --platform`: `linux/amd64,linux/arm64` asks for two platforms, which
   * {@link compilePlatforms} builds.
   */
  readonly platform?: string | Platform;
  /** Several target platforms (exclusive with `platform`): see {@link compilePlatforms}. */
  readonly platforms?: readonly (string | Platform)[];
  /** The platform of the build machine; default linux/amd64. */
  readonly buildPlatform?: string | Platform;
  /** Where base image metadata comes from. */
  readonly resolver?: ImageResolver;
  /** Offline image metadata (the `images.json` format), used when no `resolver` is given. */
  readonly images?: ImageMetadataFile;
  /** The `local.unique` attribute of the build context source; default `localuniqueid`. */
  readonly localUniqueId?: string;
  /** The Dockerfile's name in errors and in the source map; default `Dockerfile`. */
  readonly filename?: string;
  /** `.dockerignore` patterns for the build context. */
  readonly excludePatterns?: readonly string[];
  /**
   * Named build contexts (`docker build --build-context NAME=VALUE`), in BuildKit's frontend
   * forms (`local:DIR_NAME`, `docker-image://REF`, a git or `http(s)://` URL,
   * `oci-layout://STORE[:TAG]@DIGEST`) or typed. A `local` one becomes the source
   * `local://DIR_NAME`, which `buildctl build --local DIR_NAME=DIR` provides.
   */
  readonly namedContexts?: NamedContexts;
  /** Reads the images of `oci-layout://` named contexts (the CLI reads OCI layout directories). */
  readonly ociLayouts?: OciLayoutResolver;
  /**
   * Called for each build check that fires, as it fires, also when the build then fails
   * (`result.warnings` has them only for a build that succeeds). Like BuildKit, only the first
   * platform of a multi-platform request runs the checks.
   */
  readonly onWarning?: (warning: CheckWarning) => void;
  /** Bounds on expansion and output size; unset ones keep their {@link DEFAULT_COMPILE_LIMITS}. */
  readonly limits?: Partial<CompileLimits>;
}

/** The result of {@link compile}. */
export interface CompileResult {
  /** The op graph after lowering (what the Definition encodes). */
  readonly graph: Graph;
  /** The LLB Definition. */
  readonly definition: Definition;
  /** The Definition serialized: what `buildctl build` reads on stdin. */
  readonly bytes: Uint8Array;
  /** Digest of every vertex in the graph. */
  readonly digests: ReadonlyMap<Vertex, string>;
  /** The image config of the target, as BuildKit produces it. */
  readonly imageConfig: ImageConfig;
  /** The stages of the Dockerfile and whether the target needs them. */
  readonly stages: readonly { readonly name: string; readonly index: number; readonly baseName: string; readonly reachable: boolean }[];
  /** The target stage name (empty for an unnamed last stage). */
  readonly target: string;
  /** The target platform. */
  readonly platform: Platform;
  /**
   * The build checks that fired, in the order BuildKit reports them (`docker build` prints
   * them); empty for the platforms after the first of a multi-platform request.
   */
  readonly warnings: readonly CheckWarning[];
}

/** One platform's result of {@link compilePlatforms}. */
export interface PlatformResult extends CompileResult {
  /** The normalized platform as BuildKit names it in its results: `linux/arm/v7`. */
  readonly id: string;
  /** The file name stem BuildKit's tools use for it: `linux-arm-v7` (`linux-arm64` for `linux/arm64/v8`). */
  readonly fileName: string;
}

/** The result of {@link compilePlatforms}: one conversion per target platform, in request order. */
export interface MultiPlatformResult {
  /** Whether step names carry the platform (several platforms, or BUILDKIT_MULTI_PLATFORM). */
  readonly multiPlatform: boolean;
  readonly results: readonly PlatformResult[];
}

function toPlatform(p: string | Platform | undefined): Platform | undefined {
  if (p === undefined) return undefined;
  return typeof p === 'string' ? parsePlatform(p) : p;
}

const textDecoder = new TextDecoder();

/** The request options of `options`, validated as BuildKit's frontend validates them. */
function buildRequest(options: CompileOptions): BuildRequest {
  if (options.platform !== undefined && options.platforms !== undefined) {
    throw new BuildRequestError('platform and platforms are exclusive: pass one of them', 'platform');
  }
  const platforms = options.platforms ?? (options.platform === undefined ? undefined : [options.platform]);
  // The request's own fields, named: a spread of all the options costs a small compile more.
  return parseBuildRequest(
    {
      platforms,
      labels: options.labels,
      extraHosts: options.extraHosts,
      hostname: options.hostname,
      network: options.network,
      shmSize: options.shmSize,
      ulimits: options.ulimits,
      cgroupParent: options.cgroupParent,
      noCache: options.noCache,
    },
    options.buildArgs ?? {},
  );
}

interface Prepared {
  readonly bytes: Uint8Array;
  readonly text: string;
  readonly resolver: ImageResolver;
  readonly filename: string;
  readonly buildPlatform: Platform;
  readonly request: BuildRequest;
}

function prepare(dockerfile: string | Uint8Array, options: CompileOptions): Prepared {
  // Like BuildKit, the request options are checked before the Dockerfile is read.
  const request = buildRequest(options);
  const bytes = typeof dockerfile === 'string' ? new TextEncoder().encode(dockerfile) : dockerfile;
  const text = typeof dockerfile === 'string' ? dockerfile : textDecoder.decode(dockerfile);
  const resolver = options.resolver ?? (options.images ? StaticImageResolver.of(options.images) : undefined);
  if (!resolver) {
    throw new DockerfileLlbError('E_NO_RESOLVER', 'compile needs image metadata: pass `resolver` or `images`');
  }
  return { bytes, text, resolver, filename: options.filename ?? 'Dockerfile', buildPlatform: toPlatform(options.buildPlatform) ?? DEFAULT_PLATFORM, request };
}

/**
 * One conversion (BuildKit's builder runs one per target platform). `targetPlatform` is
 * undefined for BuildKit's implicit default.
 */
async function compileOne(p: Prepared, options: CompileOptions, targetPlatform: Platform | undefined, checks = true): Promise<CompileResult> {
  const converted = await convertSummary(p, options, targetPlatform, checks);
  const graph: Graph = { root: converted.root, sources: [{ filename: p.filename, data: p.bytes, language: 'Dockerfile' }] };
  const maxBytes = options.limits?.maxDefinitionBytes ?? DEFAULT_COMPILE_LIMITS.maxDefinitionBytes;
  checkLimit('maxDefinitionBytes', maxBytes);
  const { definition, digests, bytes } = encodeGraphToBytes(graph, { maxBytes });
  return {
    graph,
    definition,
    bytes,
    digests,
    imageConfig: converted.imageConfig,
    stages: converted.stages,
    target: converted.target,
    platform: converted.platform,
    warnings: converted.warnings,
  };
}

/**
 * The conversion, and of its result only what a compile returns. The rest (the parse tree, the
 * instructions, every stage's dispatch state) is referenced from here alone, so that it can be
 * collected before the LLB pass: that pass then runs on a smaller heap (at 10,000 stages the
 * parse tree and instructions alone are over 100 MB, which every full collection would mark).
 */
async function convertSummary(
  p: Prepared,
  options: CompileOptions,
  targetPlatform: Platform | undefined,
  checks: boolean,
): Promise<Pick<CompileResult, 'imageConfig' | 'stages' | 'target' | 'platform' | 'warnings'> & { readonly root: Output | undefined }> {
  const result = await convert(p.text, {
    target: options.target,
    buildArgs: options.buildArgs,
    targetPlatform,
    buildPlatforms: [p.buildPlatform],
    resolver: p.resolver,
    localUniqueId: options.localUniqueId ?? 'localuniqueid',
    filename: p.filename,
    excludePatterns: options.excludePatterns,
    request: p.request,
    namedContexts: options.namedContexts,
    ociLayouts: options.ociLayouts,
    checks,
    onWarning: checks ? options.onWarning : undefined,
    expansionBudget: new ExpansionBudget(options.limits),
    // Linked copies are lowered as they are made: the graph comes out lowered, with no second
    // pass rebuilding every vertex downstream of one.
    lowerLinkedCopy,
  });
  return {
    root: result.output,
    imageConfig: imageConfigJson(result.image),
    stages: result.stages.map(({ name, index, baseName, reachable }) => ({ name, index, baseName, reachable })),
    target: result.target,
    platform: result.platform,
    warnings: stabilizeWarnings(result.warnings),
  };
}

/**
 * Compiles a Dockerfile into BuildKit LLB, byte for byte what BuildKit's own Dockerfile frontend
 * produces for the same input.
 *
 * @param dockerfile - the Dockerfile, as text or bytes
 * @throws {@link DockerfileError} with a location for errors in the Dockerfile,
 *   {@link LintViolationError} when `# check=error=true` is set and a build check fired,
 *   {@link ImageResolveError} when a base image cannot be resolved, and
 *   {@link BuildRequestError} for an option the frontend refuses, or for several platforms
 *   (use {@link compilePlatforms}).
 */
export async function compile(dockerfile: string | Uint8Array, options: CompileOptions = {}): Promise<CompileResult> {
  const p = prepare(dockerfile, options);
  const platforms = p.request.targetPlatforms;
  if (platforms.length > 1) {
    throw new BuildRequestError(
      `compile builds one platform, and ${platforms.length} were given (${platforms.map(formatPlatformAll).join(', ')}): use compilePlatforms for a multi-platform request`,
      'platform',
    );
  }
  return compileOne(p, options, platforms[0]);
}

/**
 * Compiles a Dockerfile for each target platform of the request (`platforms`, or a
 * comma-separated `platform`), as BuildKit's frontend does for
 * `docker build --platform linux/amd64,linux/arm64`: one conversion per platform, in the order
 * asked, step names prefixed with the platform when there are several. Without a platform it
 * builds BuildKit's implicit default, as {@link compile} does.
 *
 * @throws the errors of {@link compile}; a conversion that fails for one platform fails the whole request.
 */
export async function compilePlatforms(dockerfile: string | Uint8Array, options: CompileOptions = {}): Promise<MultiPlatformResult> {
  const p = prepare(dockerfile, options);
  const targets: (Platform | undefined)[] = p.request.targetPlatforms.length ? [...p.request.targetPlatforms] : [undefined];
  const results: PlatformResult[] = [];
  for (const target of targets) {
    // Build checks run for the first platform only, as in BuildKit's builder.
    const r = await compileOne(p, options, target, results.length === 0);
    const named = normalizePlatform(target ?? r.platform);
    results.push({ ...r, id: formatPlatformAll(named), fileName: platformFileName(named) });
  }
  return { multiPlatform: p.request.multiPlatform, results };
}

/** `os-arch[-variant]` of a normalized platform: how BuildKit's tools name per-platform files. */
export function platformFileName(p: Platform): string {
  const n = normalizePlatform(p);
  return `${n.os}-${n.architecture}${n.variant ? `-${n.variant}` : ''}`;
}
