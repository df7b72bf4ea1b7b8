/**
 * The V8 heap of the CLI's process, tuned for a large Dockerfile.
 *
 * A compile keeps most of what it allocates until the end (the graph, the ops), so V8 sees its
 * young objects survive and grows the young generation, doubling each semi-space up to 16 MB:
 * on a 1,000-stage file that is 32 MB more resident memory, for scavenges no cheaper per
 * surviving byte. With a growth factor of 1 the semi-spaces keep their first size: about 25 MB
 * less peak RSS on that file, at about the same CPU time (bench/run.mjs measures both). Only for
 * large inputs: loading node:v8 costs a small compile more than it would save.
 */
import type * as V8 from 'node:v8';
import { builtin } from '../node/builtin.js';

/** Dockerfiles of at least this many bytes get the tuned heap. */
export const LARGE_DOCKERFILE = 64 * 1024;

let tuned = false;

/** Tunes the process's heap for compiling a Dockerfile of `size` bytes (once, when it is large). */
export function tuneHeapFor(size: number): void {
  if (tuned || size < LARGE_DOCKERFILE) return;
  tuned = true;
  builtin<typeof V8>('node:v8').setFlagsFromString('--semi-space-growth-factor=1');
}
