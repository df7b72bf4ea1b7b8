/**
 * Stable `code` values of the errors thrown by image reference parsing and image resolution.
 * Tools match on these, never on messages.
 */
export const ImageErrorCode = {
  /** A string is not a valid image reference (distribution/reference grammar). */
  InvalidReference: 'E_INVALID_REFERENCE',
  /** A string is not a valid digest (`algorithm:hex`). */
  InvalidDigest: 'E_INVALID_DIGEST',
  /** A string is not a valid platform specifier (containerd/platforms grammar). */
  InvalidPlatform: 'E_INVALID_PLATFORM',
  /** The image is unknown: absent from the metadata file, or the registry answered 404. */
  ImageNotFound: 'E_IMAGE_NOT_FOUND',
  /** The registry or its token server refused our (possibly anonymous) credentials. */
  Unauthorized: 'E_UNAUTHORIZED',
  /** A manifest or config uses a media type we do not handle (schema 1, artifacts…). */
  UnsupportedMediaType: 'E_UNSUPPORTED_MEDIA_TYPE',
  /** Downloaded bytes do not hash to the digest they were fetched by or announced with. */
  DigestMismatch: 'E_DIGEST_MISMATCH',
  /** An index has no manifest for the requested platform. */
  NoMatchingPlatform: 'E_NO_MATCHING_PLATFORM',
  /** A manifest, index or config is not valid JSON of the expected shape. */
  InvalidManifest: 'E_INVALID_MANIFEST',
  /** Connection failure, reset or timeout, after the configured retries. */
  Network: 'E_NETWORK',
  /** The registry answered with an unexpected HTTP status (after retries for 5xx). */
  Registry: 'E_REGISTRY',
  /** Docker's `config.json` is unreadable, or a credential helper failed or answered garbage. */
  Credentials: 'E_CREDENTIALS',
  /** The offline metadata file (`images.json`) is malformed. */
  InvalidMetadata: 'E_INVALID_METADATA',
} as const;

export type ImageErrorCode = (typeof ImageErrorCode)[keyof typeof ImageErrorCode];
