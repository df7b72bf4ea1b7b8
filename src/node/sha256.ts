/**
 * `node:crypto`'s SHA-256 for the library's digests (see `setSha256`): native code, several
 * times faster than the pure implementation on op-sized inputs, and fast from the first call.
 *
 * Loading `node:crypto` costs about as much as hashing 4 KiB with the pure implementation before
 * the JIT has warmed up, so the first {@link NATIVE_AFTER} bytes are hashed with the pure one:
 * a small Dockerfile (a few ops, under 1 KiB) never loads `node:crypto`, a large one switches
 * early. Both give the same digests.
 */
import type * as Crypto from 'node:crypto';
import { PURE_SHA256, setSha256, type Sha256Implementation } from '../index.js';
import { builtin } from './builtin.js';

/** Bytes hashed with the pure implementation before `node:crypto` is loaded. */
export const NATIVE_AFTER = 4096;

/** `crypto.hash` (Node 20.12+): one call, no Hash object; `createHash` where it is missing. */
function nativeSha256(): Sha256Implementation {
  const crypto = builtin<typeof Crypto>('node:crypto');
  const oneShot = (crypto as { hash?: typeof Crypto.hash }).hash;
  return oneShot
    ? { bytes: (data) => oneShot('sha256', data, 'buffer'), hex: (data) => oneShot('sha256', data, 'hex') }
    : {
        bytes: (data) => crypto.createHash('sha256').update(data).digest(),
        hex: (data) => crypto.createHash('sha256').update(data).digest('hex'),
      };
}

let impl: Sha256Implementation = PURE_SHA256;
let budget = NATIVE_AFTER;

/** The implementation for the next `size` bytes: the pure one until the budget is spent. */
function next(size: number): Sha256Implementation {
  if (budget > 0) {
    budget -= size;
    if (budget <= 0) impl = nativeSha256();
  }
  return impl;
}

const lazyNodeSha256: Sha256Implementation = {
  bytes: (data) => next(data.length).bytes(data),
  hex: (data) => next(data.length).hex(data),
};

/** Makes every digest of the library use `node:crypto` (after the first {@link NATIVE_AFTER} bytes). */
export function useNodeSha256(): void {
  setSha256(lazyNodeSha256);
}
