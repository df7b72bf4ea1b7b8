/**
 * dockerfile-llb: compile Dockerfiles into BuildKit LLB, byte-identical to BuildKit's frontend.
 *
 * This entry point is the browser-safe core: it uses no Node APIs.
 * @packageDocumentation
 */
export * from './errors.js';
export type * from './graph/types.js';
export type { ImageConfig, ImageResolver, ImageMetadataFile, ResolvedImage, ResolveOptions } from './image/types.js';
export { traversalInputs } from './graph/traverse.js';
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
export { dumpDefinition, definitionToDot, type DumpEntry } from './llb/dump.js';
export { toProtoJson, opJson, type JsonValue } from './llb/json.js';
export { sha256Digest } from './util/sha256.js';
export { VERSION } from './version.js';

// ----- compiling Dockerfiles ---------------------------------------------------------------------
export { compile, type CompileOptions, type CompileResult } from './compile.js';
export {
  outline,
  listTargets,
  formatOutline,
  formatTargets,
  type Outline,
  type OutlineArg,
  type OutlineMount,
  type OutlineLocation,
  type OutlineOptions,
  type Target,
} from './frontend/outline.js';
export { parseDockerignore } from './frontend/dockerignore.js';
export { StaticImageResolver } from './image/static-resolver.js';
export { parsePlatform, formatPlatform } from './image/platform.js';

// ----- the graph API: building LLB by hand ------------------------------------------------------
export {
  State,
  image,
  local,
  http,
  git,
  ociLayout,
  merge,
  diff,
  type EnvList,
  type StateValues,
  type ImageOptions,
  type LocalOptions,
  type HttpOptions,
  type GitOptions,
  type GitSource,
} from './graph/state.js';
export { run, type RunOptions, type ExecState, type MountSpec, type SecretSpec, type SSHSpec } from './graph/exec.js';
export {
  file,
  mkdir,
  mkfile,
  rm,
  symlink,
  copy,
  FileActions,
  type CopyInfo,
  type MkdirInfo,
  type MkfileInfo,
  type RmInfo,
  type ChownSpec,
} from './graph/fileop.js';
export type { ConstraintsOptions } from './graph/constraints.js';
export { lowerLinks } from './lower/link.js';
