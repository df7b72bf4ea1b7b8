import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { base36of128, progressGroupId } from '../../src/frontend/progress';
import { rng } from '../helpers/random';
import { setSha256, sha256, sha256Digest } from '../../src/util/sha256';

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

describe('setSha256', () => {
  it('uses an installed implementation for every digest, and goes back to the pure one', () => {
    const data = new TextEncoder().encode('op bytes');
    const want = sha256Digest(data);
    let calls = 0;
    setSha256({
      bytes: (d) => createHash('sha256').update(d).digest(),
      hex: (d) => (calls++, createHash('sha256').update(d).digest('hex')),
    });
    try {
      const before = calls;
      expect(sha256Digest(data)).toBe(want);
      expect(calls).toBe(before + 1);
      expect(Buffer.from(sha256(data)).toString('hex')).toBe(want.slice('sha256:'.length));
    } finally {
      setSha256();
    }
    const before = calls;
    expect(sha256Digest(data)).toBe(want);
    expect(calls).toBe(before);
  });

  it('refuses an implementation that is not SHA-256, and keeps the one it had', () => {
    const sha1 = { bytes: (d: Uint8Array) => createHash('sha1').update(d).digest(), hex: (d: Uint8Array) => createHash('sha1').update(d).digest('hex') };
    expect(() => setSha256(sha1)).toThrow(/does not compute SHA-256/);
    // Right hex, wrong bytes: refused too.
    expect(() => setSha256({ bytes: () => new Uint8Array(32), hex: (d) => createHash('sha256').update(d).digest('hex') })).toThrow(TypeError);
    expect(sha256Digest(new Uint8Array(0))).toBe('sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('is node:crypto once the Node entry point is loaded', async () => {
    await import('../../src/node/index.js');
    try {
      const data = randomBytes(777);
      expect(sha256Digest(data)).toBe(`sha256:${createHash('sha256').update(data).digest('hex')}`);
    } finally {
      setSha256();
    }
  });
});

describe('progressGroupId', () => {
  it('writes a 128-bit number in base 36 with 25 digits', () => {
    const rand = rng(20261127);
    const r = (n: number) => Math.floor(rand() * n);
    const cases: number[][] = [[0, 0, 0, 0], [0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff], [0, 0, 0, 35], [1, 0, 0, 0]];
    for (let i = 0; i < 2000; i++) cases.push([r(2 ** 32), r(2 ** 32), r(2 ** 32), r(2 ** 32)]);
    for (const limbs of cases) {
      const n = limbs.reduce((acc, l) => (acc << 32n) | BigInt(l), 0n);
      expect(base36of128([...limbs])).toBe(n.toString(36).padStart(25, '0'));
    }
  });

  it('is stable, has BuildKit\'s shape and tells 200,000 seeds apart', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200000; i++) {
      // Seeds that differ in one field only, as the steps of one Dockerfile do.
      const seed = `stage-${i % 1000}\0${Math.floor(i / 1000)}\0[stage-${i % 1000} 2/3] COPY --link . .\0${i % 7}`;
      const id = progressGroupId(seed);
      expect(id).toMatch(/^[0-9a-z]{25}$/);
      seen.add(id);
    }
    expect(seen.size).toBe(200000);
    expect(progressGroupId('a\0b')).toBe(progressGroupId('a\0b'));
    expect(progressGroupId('a\0b')).not.toBe(progressGroupId('a\0c'));
    expect(progressGroupId('')).not.toBe(progressGroupId('\0'));
  });
});
