export { rng } from './rng.mjs';

export function randInt(r: () => number, n: number): number {
  return Math.floor(r() * n);
}
