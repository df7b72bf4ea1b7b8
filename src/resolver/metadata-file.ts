/// <reference types="node" />
/**
 * Reading `images.json` from disk, for `compile --images FILE`.
 */
import { readFileSync } from 'node:fs';
import { ImageResolveError } from '../errors.js';
import { ImageErrorCode } from '../image/codes.js';
import { type ImageMetadataOptions, parseImageMetadata } from '../image/metadata.js';
import { StaticImageResolver } from '../image/static-resolver.js';
import type { ImageMetadataFile } from '../image/types.js';

/**
 * The text of the metadata file at `path`. Read synchronously: the file is small and the CLI has
 * nothing else to do meanwhile, and `node:fs/promises` would cost a small compile's start-up
 * more than the read.
 */
function readMetadataText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : (code ?? (e as Error).message);
    throw new ImageResolveError(ImageErrorCode.InvalidMetadata, `cannot read image metadata file ${path}: ${why}`, '', { cause: e });
  }
}

/** Runs `fn`; an {@link ImageResolveError} it throws is thrown again with the file's path in front. */
function naming<T>(path: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    const err = e as ImageResolveError;
    throw new ImageResolveError(err.code, `${path}: ${err.message}`, err.ref, { cause: e });
  }
}

/**
 * Reads and validates an image metadata file (with `options`, see {@link ImageMetadataOptions}).
 * @throws ImageResolveError `E_INVALID_METADATA` when the file cannot be read or is malformed;
 *   the message names the file.
 */
export async function readImageMetadataFile(path: string, options: ImageMetadataOptions = {}): Promise<ImageMetadataFile> {
  const text = readMetadataText(path);
  return naming(path, () => parseImageMetadata(text, options));
}

/**
 * A {@link StaticImageResolver} over the metadata file at `path`; its errors name the file. The
 * file is parsed and validated once, by {@link StaticImageResolver.fromJson} (the same checks and
 * messages as {@link readImageMetadataFile}).
 */
export async function loadStaticResolver(path: string, options: ImageMetadataOptions = {}): Promise<StaticImageResolver> {
  const text = readMetadataText(path);
  return naming(path, () => StaticImageResolver.fromJson(text, { ...options, source: path }));
}
