/**
 * Synchronous SHA-256 (FIPS 180-4) over bytes, in plain TypeScript so that digests can be
 * computed the same way in Node and in a browser (WebCrypto's digest is asynchronous only).
 *
 * A runtime with a faster synchronous SHA-256 can install it with {@link setSha256}: the Node
 * entry point (`dockerfile-llb/node`) and the CLI install `node:crypto`'s, which hashes an op
 * several times faster, and many times faster before the JIT has warmed up. An implementation
 * is checked against this one before it is used.
 */

const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
  0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
  0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
  0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
  0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
  0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
  0xc67178f2,
]);

// Scratch space of the pure implementation, reused by every call (hashing never re-enters).
const W = new Int32Array(64);
const H = new Int32Array(8);
const TAIL = new Uint8Array(128);

/** Runs the compression function over the 64-byte blocks of `data` from `offset` to `end`. */
function blocks(data: Uint8Array, offset: number, end: number): void {
  const w = W;
  let h0 = H[0];
  let h1 = H[1];
  let h2 = H[2];
  let h3 = H[3];
  let h4 = H[4];
  let h5 = H[5];
  let h6 = H[6];
  let h7 = H[7];
  for (let off = offset; off < end; off += 64) {
    for (let i = 0, j = off; i < 16; i++, j += 4) w[i] = (data[j] << 24) | (data[j + 1] << 16) | (data[j + 2] << 8) | data[j + 3];
    for (let i = 16; i < 64; i++) {
      const w15 = w[i - 15];
      const w2 = w[i - 2];
      const s0 = ((w15 >>> 7) | (w15 << 25)) ^ ((w15 >>> 18) | (w15 << 14)) ^ (w15 >>> 3);
      const s1 = ((w2 >>> 17) | (w2 << 15)) ^ ((w2 >>> 19) | (w2 << 13)) ^ (w2 >>> 10);
      w[i] = (w[i - 16] + s0 + w[i - 7] + s1) | 0;
    }
    let a = h0;
    let b = h1;
    let c = h2;
    let d = h3;
    let e = h4;
    let f = h5;
    let g = h6;
    let h = h7;
    for (let i = 0; i < 64; i++) {
      const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      const t1 = (h + S1 + ((e & f) ^ (~e & g)) + K[i] + w[i]) | 0;
      const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      const t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
      h = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    h0 = (h0 + a) | 0;
    h1 = (h1 + b) | 0;
    h2 = (h2 + c) | 0;
    h3 = (h3 + d) | 0;
    h4 = (h4 + e) | 0;
    h5 = (h5 + f) | 0;
    h6 = (h6 + g) | 0;
    h7 = (h7 + h) | 0;
  }
  H[0] = h0;
  H[1] = h1;
  H[2] = h2;
  H[3] = h3;
  H[4] = h4;
  H[5] = h5;
  H[6] = h6;
  H[7] = h7;
}

/** Hashes `data` into {@link H}. */
function hashInto(data: Uint8Array): void {
  H[0] = 0x6a09e667;
  H[1] = 0xbb67ae85 | 0;
  H[2] = 0x3c6ef372;
  H[3] = 0xa54ff53a | 0;
  H[4] = 0x510e527f;
  H[5] = 0x9b05688c | 0;
  H[6] = 0x1f83d9ab;
  H[7] = 0x5be0cd19;
  const len = data.length;
  const full = len - (len % 64);
  blocks(data, 0, full);
  // Final block(s): the rest, a 1 bit, zeros, and the bit length as a 64-bit big-endian number.
  const rest = len - full;
  const n = rest < 56 ? 64 : 128;
  const tail = TAIL;
  tail.fill(0, 0, n);
  for (let i = 0; i < rest; i++) tail[i] = data[full + i];
  tail[rest] = 0x80;
  const hi = Math.floor(len / 0x20000000);
  const lo = (len << 3) >>> 0;
  tail[n - 8] = hi >>> 24;
  tail[n - 7] = hi >>> 16;
  tail[n - 6] = hi >>> 8;
  tail[n - 5] = hi;
  tail[n - 4] = lo >>> 24;
  tail[n - 3] = lo >>> 16;
  tail[n - 2] = lo >>> 8;
  tail[n - 1] = lo;
  blocks(tail, 0, n);
}

function pureSha256(data: Uint8Array): Uint8Array {
  hashInto(data);
  const out = new Uint8Array(32);
  for (let i = 0; i < 8; i++) {
    const v = H[i];
    out[i * 4] = v >>> 24;
    out[i * 4 + 1] = v >>> 16;
    out[i * 4 + 2] = v >>> 8;
    out[i * 4 + 3] = v;
  }
  return out;
}

/** Two hex digits of every byte value. */
const HEX_PAIRS = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function pureSha256Hex(data: Uint8Array): string {
  hashInto(data);
  let s = '';
  for (let i = 0; i < 8; i++) {
    const v = H[i];
    s += HEX_PAIRS[v >>> 24] + HEX_PAIRS[(v >>> 16) & 255] + HEX_PAIRS[(v >>> 8) & 255] + HEX_PAIRS[v & 255];
  }
  return s;
}

/** A synchronous SHA-256 for {@link setSha256}. */
export interface Sha256Implementation {
  /** The digest of `data`, 32 bytes. */
  readonly bytes: (data: Uint8Array) => Uint8Array;
  /** The digest of `data` as 64 lower-case hex digits. */
  readonly hex: (data: Uint8Array) => string;
}

const PURE: Sha256Implementation = { bytes: pureSha256, hex: pureSha256Hex };
let current: Sha256Implementation = PURE;

/**
 * The built-in pure implementation, for an implementation that uses it for a while (the Node
 * entry hashes with it until loading `node:crypto` pays off).
 */
export const PURE_SHA256: Sha256Implementation = PURE;

/** FIPS 180-4's examples (one block, two blocks) and the empty input, with their digests. */
const PROBES: readonly (readonly [string, string])[] = [
  ['', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
  ['abc', 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
  ['abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq', '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1'],
];

/**
 * Installs a faster synchronous SHA-256 for every digest the library computes, or with no
 * argument goes back to the built-in pure one. The implementation must give the same digests as
 * SHA-256's on a few known inputs, or it is refused.
 *
 * @throws TypeError when the implementation disagrees with SHA-256.
 */
export function setSha256(impl?: Sha256Implementation): void {
  if (impl === undefined) {
    current = PURE;
    return;
  }
  for (const [text, want] of PROBES) {
    const data = Uint8Array.from(text, (c) => c.charCodeAt(0));
    if (impl.hex(data) !== want || toHex(impl.bytes(data)) !== want) {
      throw new TypeError(`setSha256: the implementation does not compute SHA-256 (wrong digest for ${JSON.stringify(text)})`);
    }
  }
  current = impl;
}

/** SHA-256 of `data`, as 32 bytes. */
export function sha256(data: Uint8Array): Uint8Array {
  return current.bytes(data);
}

/** Lower-case hex of `bytes`. */
export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += HEX_PAIRS[bytes[i]];
  return s;
}

/** The OCI digest string of `data`: `sha256:` followed by 64 hex digits. */
export function sha256Digest(data: Uint8Array): string {
  return `sha256:${current.hex(data)}`;
}
