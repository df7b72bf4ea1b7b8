/**
 * Content digests (`sha256:…`) validated with the rules of github.com/opencontainers/go-digest,
 * which is what BuildKit uses: only sha256, sha384 and sha512, lowercase hex of the exact length.
 */
import { DockerfileLlbError } from '../errors.js';
import { ImageErrorCode } from './codes.js';

/** Hex length of each supported digest algorithm. */
const ENCODED_LENGTH: Readonly<Record<string, number>> = { sha256: 64, sha384: 96, sha512: 128 };

/** The digest algorithms accepted anywhere a digest is parsed. */
export const DIGEST_ALGORITHMS: readonly string[] = Object.keys(ENCODED_LENGTH);

// go-digest's loose grammar: used only to tell "unknown algorithm" from "garbage".
const LOOSE_DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

/**
 * Checks a digest string. Returns `undefined` when valid, else go-digest's message:
 * `invalid checksum digest format` or `unsupported digest algorithm`.
 */
export function digestError(s: string): string | undefined {
  const i = s.indexOf(':');
  if (i <= 0 || i + 1 === s.length) return 'invalid checksum digest format';
  const algorithm = s.slice(0, i);
  const length = Object.prototype.hasOwnProperty.call(ENCODED_LENGTH, algorithm) ? ENCODED_LENGTH[algorithm] : undefined;
  if (length === undefined) {
    return LOOSE_DIGEST.test(s) ? 'unsupported digest algorithm' : 'invalid checksum digest format';
  }
  const encoded = s.slice(i + 1);
  if (encoded.length !== length || !/^[a-f0-9]+$/.test(encoded)) return 'invalid checksum digest format';
  return undefined;
}

/** True when `s` is a valid digest (see {@link digestError}). */
export function isDigest(s: string): boolean {
  return digestError(s) === undefined;
}

/**
 * Validates and returns a digest.
 * @throws DockerfileLlbError with code `E_INVALID_DIGEST` and go-digest's message.
 */
export function parseDigest(s: string): string {
  const err = digestError(s);
  if (err !== undefined) throw new DockerfileLlbError(ImageErrorCode.InvalidDigest, err);
  return s;
}

/** The algorithm part of a valid digest (`sha256`). */
export function digestAlgorithm(digest: string): string {
  return digest.slice(0, digest.indexOf(':'));
}
