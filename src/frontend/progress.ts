/**
 * Progress group ids. BuildKit draws them at random; ours are derived from the step so that the
 * same Dockerfile always gives the same Definition. They have BuildKit's shape: 25 characters
 * of [0-9a-z]. They are display metadata, in no digest: a fast 128-bit hash of the seed is
 * enough (a SHA-256 of it cost a linked COPY more than the rest of its id).
 */

const DIGIT_CODES = Array.from('0123456789abcdefghijklmnopqrstuvwxyz', (c) => c.charCodeAt(0));
/** Scratch for the 25 digits and the four limbs (ids are made one at a time). */
const CODES: number[] = new Array<number>(25).fill(0);
const LIMBS: number[] = [0, 0, 0, 0];

/** Murmur3's 32-bit finalizer: every input bit moves about half the output bits. */
function avalanche(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * A 128-bit hash of `seed`'s UTF-16 code units into {@link LIMBS}, most significant first: four
 * multiplicative lanes with different odd multipliers, then mixed into each other and finalized.
 */
function hash128(seed: string): number[] {
  let a = 0x811c9dc5;
  let b = 0x9e3779b9;
  let c = 0x85ebca77;
  let d = 0xc2b2ae3d;
  for (let i = 0; i < seed.length; i++) {
    const k = seed.charCodeAt(i);
    a = Math.imul(a ^ k, 0x01000193);
    b = Math.imul(b ^ k, 0x5bd1e995);
    c = Math.imul(c ^ k, 0x27d4eb2f);
    d = Math.imul(d ^ k, 0x165667b1);
  }
  a = avalanche(a ^ seed.length);
  b = avalanche(b ^ a);
  c = avalanche(c ^ b);
  d = avalanche(d ^ c);
  LIMBS[0] = avalanche(a ^ d);
  LIMBS[1] = b;
  LIMBS[2] = c;
  LIMBS[3] = d;
  return LIMBS;
}

/**
 * A 128-bit number given as four 32-bit limbs (most significant first) in base 36 with 25 digits
 * (36^25 > 2^128, so no digit is lost and short numbers get leading zeros). Consumes `limbs`.
 * @internal exported for tests
 */
export function base36of128(limbs: number[]): string {
  // Digits from the last: filled into one list of character codes, one string made at the end.
  const codes = CODES;
  for (let d = 24; d >= 0; d--) {
    let rem = 0;
    for (let i = 0; i < 4; i++) {
      // rem < 36, so rem * 2^32 + limb < 2^38: exact in a double.
      const cur = rem * 0x100000000 + limbs[i];
      limbs[i] = Math.floor(cur / 36);
      rem = cur - limbs[i] * 36;
    }
    codes[d] = DIGIT_CODES[rem];
  }
  return String.fromCharCode.apply(null, codes);
}

/** The progress group id of a step: its seed's 128-bit hash in base 36, 25 digits. */
export function progressGroupId(seed: string): string {
  return base36of128(hash128(seed));
}
