/** Types of cli-fuzz.mjs (plain JavaScript, so that a bare node worker can load it). */
export function rng(seed: number): () => number;
export const BUILTIN_SEEDS: readonly string[];
export function mutate(r: () => number, src: string): string;
export function commandFor(r: () => number, dockerfile: string, contextDir: string, images: string, outDir: string): string[];
export function input(seed: number, i: number, seeds: readonly string[]): { text: string; r: () => number };
export function loadSeeds(repoRoot: string): { seeds: string[]; images: string; source: string };
