/**
 * `compile`: Dockerfile text → typed graph, LLB Definition bytes and image config.
 */
import { DockerfileLlbError } from './errors.js';
import { convert } from './frontend/convert.js';
import { DEFAULT_PLATFORM } from './frontend/platform.js';
import { imageConfigJson } from './frontend/image.js';
import type { Graph, Output, Vertex } from './graph/types.js';
import { parsePlatform } from './image/platform.js';
import { StaticImageResolver } from './image/static-resolver.js';
import type { ImageConfig, ImageMetadataFile, ImageResolver, Platform } from './image/types.js';
import { type Definition, writeDefinition } from './llb/definition.js';
import { encodeGraph } from './llb/marshal.js';
import { lowerLinks } from './lower/link.js';
import { type CheckWarning, stabilizeWarnings } from './frontend/checks/linter.js';

/** Options of {@link compile}. */
export interface CompileOptions {
  /** The stage to build (default: the last one). */
  readonly target?: string;
  /** `--build-arg` values. */
  readonly buildArgs?: Readonly<Record<string, string>>;
  /** Target platform (`linux/arm64`); default: the build platform, linux/amd64. */
  readonly platform?: string | Platform;
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
   * Called for each build check that fires, as it fires, also when the build then fails
   * (`result.warnings` has them only for a build that succeeds).
   */
  readonly onWarning?: (warning: CheckWarning) => void;
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
  /** The build checks that fired, in the order BuildKit reports them (`docker build` prints them). */
  readonly warnings: readonly CheckWarning[];
}

function toPlatform(p: string | Platform | undefined): Platform | undefined {
  if (p === undefined) return undefined;
  return typeof p === 'string' ? parsePlatform(p) : p;
}

const textDecoder = new TextDecoder();

/**
 * Compiles a Dockerfile into BuildKit LLB, byte for byte what BuildKit's own Dockerfile frontend
 * produces for the same input.
 *
 * @param dockerfile - the Dockerfile, as text or bytes
 * @throws {@link DockerfileError} with a location for errors in the Dockerfile,
 *   {@link LintViolationError} when `# check=error=true` is set and a build check fired, and
 *   {@link ImageResolveError} when a base image cannot be resolved.
 */
export async function compile(dockerfile: string | Uint8Array, options: CompileOptions = {}): Promise<CompileResult> {
  const bytes = typeof dockerfile === 'string' ? new TextEncoder().encode(dockerfile) : dockerfile;
  const text = typeof dockerfile === 'string' ? dockerfile : textDecoder.decode(dockerfile);
  const resolver = options.resolver ?? (options.images ? new StaticImageResolver(options.images) : undefined);
  if (!resolver) {
    throw new DockerfileLlbError('E_NO_RESOLVER', 'compile needs image metadata: pass `resolver` or `images`');
  }
  const filename = options.filename ?? 'Dockerfile';
  const buildPlatform = toPlatform(options.buildPlatform) ?? DEFAULT_PLATFORM;
  const result = await convert(text, {
    target: options.target,
    buildArgs: options.buildArgs,
    targetPlatform: toPlatform(options.platform),
    buildPlatforms: [buildPlatform],
    resolver,
    localUniqueId: options.localUniqueId ?? 'localuniqueid',
    filename,
    excludePatterns: options.excludePatterns,
    onWarning: options.onWarning,
  });
  const root: Output | undefined = lowerLinks(result.output);
  const graph: Graph = { root, sources: [{ filename, data: bytes, language: 'Dockerfile' }] };
  const { definition, digests } = encodeGraph(graph);
  return {
    graph,
    definition,
    bytes: writeDefinition(definition),
    digests,
    imageConfig: imageConfigJson(result.image),
    stages: result.stages.map(({ name, index, baseName, reachable }) => ({ name, index, baseName, reachable })),
    target: result.target,
    platform: result.platform,
    warnings: stabilizeWarnings(result.warnings),
  };
}
