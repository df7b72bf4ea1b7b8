/** Types of rng.mjs. */
export function rng(seed: number): () => number;
