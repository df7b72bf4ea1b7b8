import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sha256Digest } from '../../src/util/sha256';

describe('sha256', () => {
  it('matches the FIPS 180-4 test vectors', () => {
    const enc = (s: string) => new TextEncoder().encode(s);
    expect(sha256Digest(enc(''))).toBe('sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256Digest(enc('abc'))).toBe('sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256Digest(enc('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'))).toBe(
      'sha256:248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    );
  });

  it('agrees with node:crypto on every length across block boundaries, and on large inputs', () => {
    for (let len = 0; len < 300; len++) {
      const data = randomBytes(len);
      expect(sha256Digest(data)).toBe(`sha256:${createHash('sha256').update(data).digest('hex')}`);
    }
    const big = randomBytes(1 << 20);
    expect(sha256Digest(big)).toBe(`sha256:${createHash('sha256').update(big).digest('hex')}`);
  });
});
