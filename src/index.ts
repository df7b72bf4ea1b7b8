/**
 * dockerfile-llb: compile Dockerfiles into BuildKit LLB, byte-identical to BuildKit's frontend.
 *
 * This entry point is the browser-safe core: it uses no Node APIs.
 * @packageDocumentation
 */
export * from './errors.js';
export type * from './graph/types.js';
export type { ImageConfig, ImageResolver, ImageMetadataFile, ResolvedImage, ResolveOptions } from './image/types.js';
export { traversalInputs, sourceType } from './graph/traverse.js';
export {
  type Definition,
  type DefinitionSource,
  type DefinitionSourceInfo,
  readDefinition,
  writeDefinition,
  digestOf,
  definitionDigests,
} from './llb/definition.js';
export { encodeGraph, decodeGraph, VertexEncoder, type EncodedGraph, type DecodedGraph, type EncodeOptions } from './llb/marshal.js';
export { dumpDefinition, definitionToDot, type DumpEntry, type OpMetadataJson } from './llb/dump.js';
export { toProtoJson, opJson, type JsonValue } from './llb/json.js';
export { sha256Digest, setSha256, PURE_SHA256, type Sha256Implementation } from './util/sha256.js';
export { VERSION } from './version.js';

// ----- compiling Dockerfiles ----------------------------------------------------------------------
export {
  compile,
  compilePlatforms,
  platformFileName,
  DEFAULT_COMPILE_LIMITS,
  type CompileLimits,
  type CompileOptions,
  type CompileResult,
  type MultiPlatformResult,
  type PlatformResult,
} from './compile.js';
export { parseBuildRequest, type BuildRequest, type BuildRequestOptions } from './frontend/request.js';
export {
  findNamedContext,
  parseNamedContextValue,
  type NamedContextMatch,
  type NamedContexts,
  type NamedContextValue,
  type OciLayoutResolver,
} from './frontend/named-context.js';

// ----- build checks (docker build --check, --call=check) -----------------------------------------
export { check, type CheckOptions } from './check.js';
export { LintViolationError, type CheckWarning, type CheckLocation, type CheckRange, type CheckPosition } from './frontend/checks/linter.js';
export {
  checkResultJson,
  checkResultText,
  warningsJson,
  buildWarningsText,
  type CheckResult,
  type CheckSource,
  type CheckBuildError,
} from './frontend/checks/report.js';
export { RULES, type RuleInfo } from './frontend/checks/rules.js';
export { RecordingResolver, lockDockerfile, type LockOptions, type LockResult } from './lock.js';
export { lowerLinks, isLinkedCopy } from './lower/link.js';
export { parseDockerignore } from './frontend/dockerignore.js';

// ----- building LLB by hand (the graph API) -------------------------------------------------------
export {
  State,
  type StateValues,
  type EnvList,
  image,
  local,
  http,
  git,
  ociLayout,
  merge,
  diff as diffStates,
  type ImageOptions,
  type LocalOptions,
  type HttpOptions,
  type GitOptions,
  type GitSource,
} from './graph/state.js';
export { run, type RunOptions, type MountSpec, type SecretSpec, type SSHSpec, type ExecState } from './graph/exec.js';
export {
  file,
  mkdir,
  mkfile,
  rm,
  symlink,
  copy,
  parseChown,
  FileActions,
  type CopyInfo,
  type MkdirInfo,
  type MkfileInfo,
  type RmInfo,
  type ChownSpec,
} from './graph/fileop.js';
export { Caps, type ConstraintsOptions } from './graph/constraints.js';

// ----- images -------------------------------------------------------------------------------------
export { StaticImageResolver, type StaticImageResolverOptions } from './image/static-resolver.js';
export { parsePlatform, formatPlatform, normalizePlatform } from './image/platform.js';
export { parseReference, normalizeReference, familiarName, withDigest } from './image/reference.js';
export { parseImageMetadata, serializeImageMetadata, lockImages, type ImageMetadataOptions } from './image/metadata.js';
export type { Platform } from './image/types.js';

// ----- Dockerfile front half ----------------------------------------------------------------------
export { parse as parseDockerfile, type ParseResult, type Node } from './parser/index.js';
export { parseInstructions, type Command, type Stage } from './instructions/index.js';
export { ShellLex, ExpansionBudget, DEFAULT_EXPANSION_LIMITS, type EnvGetter, type ExpansionLimits } from './shell/index.js';

// ----- cache-key analysis (docs/analysis.md) ------------------------------------------------------
export * from './analysis/index.js';

// ----- what a Dockerfile takes: targets and outline (docker build --call=targets/outline) ------
export {
  outline,
  listTargets,
  formatOutline,
  formatTargets,
  outlineJson,
  targetsJson,
  type Outline,
  type OutlineArg,
  type OutlineMount,
  type OutlineLocation,
  type OutlineOptions,
  type Target,
} from './frontend/outline.js';
