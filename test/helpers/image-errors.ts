import { expect } from 'vitest';
import { ImageResolveError } from '../../src/errors.js';

/** Awaits a promise that must reject with an {@link ImageResolveError}, and returns the error. */
export async function rejection(p: Promise<unknown>): Promise<ImageResolveError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(ImageResolveError);
    return e as ImageResolveError;
  }
  throw new Error('expected a rejection');
}
