/**
 * The Node entry's SHA-256 (src/node/sha256.ts): the pure implementation for the first
 * NATIVE_AFTER bytes, so a small compile never loads node:crypto, then node:crypto's. The digests
 * are SHA-256's on both sides of the switch.
 */
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type * as Builtin from '../../src/node/builtin';

const loads: string[] = [];
vi.mock('../../src/node/builtin', async (original) => {
  const real = await original<typeof Builtin>();
  return { builtin: (id: string) => (loads.push(id), real.builtin(id)) };
});

const { NATIVE_AFTER, useNodeSha256 } = await import('../../src/node/sha256');
const { setSha256, sha256, sha256Digest } = await import('../../src/util/sha256');

afterAll(() => setSha256());

describe('useNodeSha256', () => {
  it('hashes the first NATIVE_AFTER bytes without node:crypto, then with it, with the same digests', () => {
    useNodeSha256();
    // Installing probes the implementation: three short inputs (59 bytes), as hex and as bytes.
    let hashed = 118;
    const want = (d: Uint8Array) => createHash('sha256').update(d).digest('hex');
    while (hashed + 300 < NATIVE_AFTER) {
      const d = randomBytes(300);
      expect(sha256Digest(d)).toBe(`sha256:${want(d)}`);
      hashed += 300;
    }
    expect(loads).toEqual([]);
    // This call spends the budget: node:crypto is loaded once, and used from then on.
    for (let i = 0; i < 50; i++) {
      const d = randomBytes(i * 37);
      expect(Buffer.from(sha256(d)).toString('hex')).toBe(want(d));
      expect(sha256Digest(d)).toBe(`sha256:${want(d)}`);
    }
    expect(loads).toEqual(['node:crypto']);
  });
});
