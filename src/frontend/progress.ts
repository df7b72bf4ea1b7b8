/**
 * Progress group ids. BuildKit draws them at random; ours are derived from the step so that the
 * same Dockerfile always gives the same Definition. They have BuildKit's shape: 25 characters
 * of [0-9a-z].
 */
import { sha256 } from '../util/sha256.js';

const encoder = new TextEncoder();
const DIGITS = '0123456789abcdefghijklmnopqrstuvwxyz';

/**
 * The first 16 bytes of the seed's SHA-256, as a 128-bit number written in base 36 with 25
 * digits (36^25 > 2^128, so no digit is lost and short numbers get leading zeros).
 */
export function progressGroupId(seed: string): string {
  const bytes = sha256(encoder.encode(seed));
  // Four 32-bit limbs, most significant first, divided by 36 once per digit.
  const limbs = [0, 0, 0, 0];
  for (let i = 0; i < 16; i++) limbs[i >> 2] = limbs[i >> 2] * 256 + bytes[i];
  let out = '';
  for (let d = 0; d < 25; d++) {
    let rem = 0;
    for (let i = 0; i < 4; i++) {
      // rem < 36, so rem * 2^32 + limb < 2^38: exact in a double.
      const cur = rem * 0x100000000 + limbs[i];
      limbs[i] = Math.floor(cur / 36);
      rem = cur - limbs[i] * 36;
    }
    out = DIGITS[rem] + out;
  }
  return out;
}
