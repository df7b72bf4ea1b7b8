/// <reference types="node" />
/**
 * Reading `images.json` from disk, for `compile --images FILE`.
 */
import { readFile } from 'node:fs/promises';
import { ImageResolveError } from '../errors.js';
import { ImageErrorCode } from '../image/codes.js';
import { type ImageMetadataOptions, parseImageMetadata } from '../image/metadata.js';
import { StaticImageResolver } from '../image/static-resolver.js';
import type { ImageMetadataFile } from '../image/types.js';

/**
 * Reads and validates an image metadata file (with `options`, see {@link ImageMetadataOptions}).
 * @throws ImageResolveError `E_INVALID_METADATA` when the file cannot be read or is malformed;
 *   the message names the file.
 */
export async function readImageMetadataFile(path: string, options: ImageMetadataOptions = {}): Promise<ImageMetadataFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : (code ?? (e as Error).message);
    throw new ImageResolveError(ImageErrorCode.InvalidMetadata, `cannot read image metadata file ${path}: ${why}`, '', { cause: e });
  }
  try {
    return parseImageMetadata(text, options);
  } catch (e) {
    const err = e as ImageResolveError;
    throw new ImageResolveError(err.code, `${path}: ${err.message}`, err.ref, { cause: e });
  }
}

/** A {@link StaticImageResolver} over the metadata file at `path`; its errors name the file. */
export async function loadStaticResolver(path: string, options: ImageMetadataOptions = {}): Promise<StaticImageResolver> {
  const file = await readImageMetadataFile(path, options);
  try {
    return new StaticImageResolver(file, { ...options, source: path });
  } catch (e) {
    const err = e as ImageResolveError;
    throw new ImageResolveError(err.code, `${path}: ${err.message}`, err.ref, { cause: e });
  }
}
