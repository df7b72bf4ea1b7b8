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
// Cache-key analysis (docs/analysis.md).
export * from './analysis/index.js';
