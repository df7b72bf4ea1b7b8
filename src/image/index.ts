/**
 * Image references, platforms and offline image metadata: the browser-safe half of image
 * resolution. The registry client lives in `src/resolver` (Node only).
 */
export { ImageErrorCode } from './codes.js';
export { DIGEST_ALGORITHMS, digestAlgorithm, digestError, isDigest, parseDigest } from './digest.js';
export {
  canonicalJson,
  lockImages,
  parseImageMetadata,
  serializeImageMetadata,
  validateImageMetadata,
  type ImageMetadataOptions,
  type LockRequest,
} from './metadata.js';
export {
  formatPlatform,
  formatPlatformAll,
  normalizePlatform,
  parsePlatform,
  platformMatcher,
  strictPlatformMatcher,
  type PlatformMatcher,
} from './platform.js';
export {
  DEFAULT_DOMAIN,
  DEFAULT_TAG,
  LEGACY_DEFAULT_DOMAIN,
  OFFICIAL_REPO_PREFIX,
  REPOSITORY_NAME_MAX_LENGTH,
  familiarName,
  familiarString,
  formatReference,
  isValidReference,
  normalizeReference,
  parseReference,
  referenceName,
  tagNameOnly,
  trimReference,
  withDigest,
  withTag,
  type Reference,
} from './reference.js';
export { StaticImageResolver, type StaticImageResolverOptions } from './static-resolver.js';
export type * from './types.js';
