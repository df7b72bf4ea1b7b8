/**
 * Progress group ids. BuildKit draws them at random; ours are derived from the step so that the
 * same Dockerfile always gives the same Definition. They have BuildKit's shape: 25 characters
 * of [0-9a-z].
 */
import { sha256 } from '../util/sha256.js';

export function progressGroupId(seed: string): string {
  const bytes = sha256(new TextEncoder().encode(seed));
  let n = 0n;
  for (let i = 0; i < 16; i++) n = (n << 8n) | BigInt(bytes[i]);
  return n.toString(36).padStart(25, '0').slice(-25);
}
