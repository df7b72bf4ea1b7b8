/**
 * What one conversion shares between its parts (convert.ts, stages.ts, base-image.ts): its
 * options, its state (BuildKit's `dispatchContext`) and how its errors get their location.
 */
import { DockerfileError, type DockerfileErrorCode, ImageResolveError, type SourceLocation } from '../errors.js';
import type { EnvList, State } from '../graph/state.js';
import type { LinkedFileVertex, Output, SourceVertex } from '../graph/types.js';
import type { ImageResolver, Platform, ResolvedImage } from '../image/types.js';
import type { ExpansionBudget, ShellLex } from '../shell/index.js';
import type { CheckWarning, Linter } from './checks/linter.js';
import type { DispatchState, DispatchStates } from './dispatch-state.js';
import type { LoadedContext, NamedContexts, OciLayoutResolver } from './named-context.js';
import type { OutlineCapture } from './outline-capture.js';
import type { PlatformOpt } from './platform.js';
import type { BuildRequest } from './request.js';

/** The base name of an empty stage. */
export const EMPTY_IMAGE_NAME = 'scratch';

/** Options of {@link convert}. */
export interface ConvertOptions {
  readonly target?: string;
  readonly buildArgs?: Readonly<Record<string, string>>;
  /** The target platform; when absent BuildKit's implicit default (the build platform) applies. */
  readonly targetPlatform?: Platform;
  readonly buildPlatforms?: readonly Platform[];
  readonly resolver: ImageResolver;
  /** `local.unique` of the build context source. */
  readonly localUniqueId: string;
  /** The file name used in errors and the source map. */
  readonly filename: string;
  /** `.dockerignore` patterns, written as `local.excludepatterns` on the context. */
  readonly excludePatterns?: readonly string[];
  /**
   * The validated build request options (see request.ts): platform prefixes in step names,
   * labels, RUN hosts, network, limits, cgroup parent, stages without cache.
   */
  readonly request?: BuildRequest;
  /**
   * Named build contexts (`--build-context NAME=VALUE`): stages, `FROM` images and `COPY --from`
   * sources they replace. Without any, the conversion is BuildKit's client-less one.
   */
  readonly namedContexts?: NamedContexts;
  /** Reads the images of `oci-layout://` named contexts. */
  readonly ociLayouts?: OciLayoutResolver;
  /** Record what `outline` reports (BuildKit's outlineCapture); compile does not need it. */
  readonly outline?: boolean;
  /**
   * Convert every stage, not just those the target needs (BuildKit's `AllStages`, which its
   * check request sets when no target is given).
   */
  readonly allStages?: boolean;
  /**
   * Called for each build-check violation as it is found (also for a conversion that then
   * fails). Under `check=error=true` a violation fails the conversion at its end with
   * {@link LintViolationError}, as in BuildKit.
   */
  readonly onWarning?: (warning: CheckWarning) => void;
  /**
   * `false` runs no build check (BuildKit's builder gives its checks only to the first platform
   * of a multi-platform request); a bad check configuration is still an error.
   */
  readonly checks?: boolean;
  /** The bounds and running totals of this conversion's expansions (default: the default limits). */
  readonly expansionBudget?: ExpansionBudget;
  /**
   * Lowers a linked copy as soon as it is made (compile passes src/lower's): later steps then
   * read the lowered form directly, and no pass has to rebuild every vertex that depends on a
   * linked copy. Without it, linked copies stay annotated in the output (see lowerLinks).
   */
  readonly lowerLinkedCopy?: (v: LinkedFileVertex) => Output;
}


/** Throws a conversion error, at `location` when given. */
export function fail(message: string, location?: SourceLocation, code: DockerfileErrorCode = 'E_CONVERT'): never {
  throw new DockerfileError(code, message, location);
}

/** Runs `fn`, giving the errors it throws without a location this one. */
export function located<T>(location: SourceLocation | undefined, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof DockerfileError && !e.location && location) throw e.at(location);
    if (e instanceof ImageResolveError && !e.location && location) {
      throw new DockerfileError(e.code, e.message, location, { cause: e });
    }
    throw e;
  }
}

/** {@link located} for an asynchronous `fn`. */
export async function locatedAsync<T>(location: SourceLocation | undefined, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    return located(location, () => {
      throw e;
    });
  }
}

/** Shared state of one conversion (BuildKit's `dispatchContext`). */
export interface Context {
  readonly opt: ConvertOptions;
  readonly platformOpt: PlatformOpt;
  readonly globalArgs: EnvList;
  readonly shlex: ShellLex;
  readonly all: DispatchStates;
  readonly buildArgs: Readonly<Record<string, string>>;
  /** The build context source, completed once every stage has been dispatched. */
  readonly context: SourceVertex;
  readonly contextState: State;
  /** The global ARGs for `outline`; each stage starts from a clone. */
  readonly outline: OutlineCapture | undefined;
  /** Resolutions by (ref, platform): each image is looked up once per build. */
  readonly resolved: Map<string, Promise<ResolvedImage>>;
  /** Settings BuildKit reads from BUILDKIT_* build args and SOURCE_DATE_EPOCH. */
  readonly config: FrontendConfig;
  /** `local:` named contexts loaded, with the stage whose readers decide their follow paths. */
  readonly localContexts: { readonly reader: DispatchState; readonly loaded: NonNullable<LoadedContext['local']> }[];
  /** The build checks. */
  readonly lint: Linter;
  /** Names a FROM may use: the global ARGs (with or without a value) and the predefined ones. */
  readonly fromArgKeys: readonly string[];
}

/** What BuildKit's frontend reads from the request and special build args (dockerui's Config). */
export interface FrontendConfig extends BuildRequest {
  /** BUILDKIT_CACHE_MOUNT_NS: namespace of cache mount ids. */
  readonly cacheIdNamespace: string;
  /** SOURCE_DATE_EPOCH: timestamp (RFC 3339) for history entries and created files. */
  readonly epoch: { readonly rfc3339: string; readonly nanos: bigint } | undefined;
}
