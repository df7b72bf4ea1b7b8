/**
 * Progress group ids. BuildKit draws them at random; ours are derived from the step so that the
 * same Dockerfile always gives the same Definition. They have BuildKit's shape: 25 characters
 * of [0-9a-z].
 */
import { sha256 } from '../util/sha256.js';

const encoder = new TextEncoder();
const DIGIT_CODES = Array.from('0123456789abcdefghijklmnopqrstuvwxyz', (c) => c.charCodeAt(0));
/** Scratch for the 25 digits (ids are made one at a time). */
const CODES: number[] = new Array<number>(25).fill(0);

/**
 * The first 16 bytes of the seed's SHA-256, as a 128-bit number written in base 36 with 25
 * digits (36^25 > 2^128, so no digit is lost and short numbers get leading zeros).
 */
export function progressGroupId(seed: string): string {
  const bytes = sha256(encoder.encode(seed));
  // Four 32-bit limbs, most significant first, divided by 36 once per digit.
  const limbs = [0, 0, 0, 0];
  for (let i = 0; i < 16; i++) limbs[i >> 2] = limbs[i >> 2] * 256 + bytes[i];
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
