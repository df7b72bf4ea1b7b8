/**
 * V8 settings of the CLI's process, tuned for a large Dockerfile.
 *
 * Heap: a compile keeps most of what it allocates until the end (the graph, the ops), so V8 sees
 * its young objects survive and grows the young generation, doubling each semi-space up to 16 MB:
 * on a 1,000-stage file that is 32 MB more resident memory, for scavenges no cheaper per
 * surviving byte. With a growth factor of 1 the semi-spaces keep their first size: about 25 MB
 * less peak RSS on that file, at about the same CPU time (bench/run.mjs measures both).
 *
 * Tiering: a process compiling a large file is over before V8's optimizing compiler (TurboFan)
 * catches up. On a 1,000-stage file it queued about 170 hot functions, each compiled on a
 * background thread with its callees inlined into it (the largest 50-125 ms each): 0.6-0.7 s of
 * CPU time, as much as the main thread's, mostly finished too late to run much, while the main
 * thread ran baseline code. On two cores shared with other work that CPU time is wall time.
 * Without inlining each compile is several times cheaper, and with twice the interrupt budget
 * only the really hot functions get there: the process's CPU time (all threads) went from
 * 1,290 to 890 ms (medians of 11 runs), its main thread's stayed at ~610 ms, peak RSS 106 -> 103
 * MB (the compiler's zone memory). These flags are read when V8 next decides to tier up or
 * compiles, so setting them after start-up works; the bundle's code cache (bin/) was read
 * before, so the changed flags do not make V8 reject it (set before, they would).
 *
 * Only for large inputs: loading node:v8 costs a small compile more than it would save, and a
 * long-running compile (a program calling compile() in a loop) wants the inlined code.
 */
import type * as V8 from 'node:v8';
import { builtin } from '../node/builtin.js';

/** Dockerfiles of at least this many bytes get the tuned settings. */
export const LARGE_DOCKERFILE = 64 * 1024;

/** The V8 flags for a large Dockerfile (see above). */
export const LARGE_DOCKERFILE_FLAGS: readonly string[] = ['--semi-space-growth-factor=1', '--no-turbo-inlining', '--interrupt-budget=135168'];

let tuned = false;

/** Tunes the process's V8 for compiling a Dockerfile of `size` bytes (once, when it is large). */
export function tuneHeapFor(size: number): void {
  if (tuned || size < LARGE_DOCKERFILE) return;
  tuned = true;
  const v8 = builtin<typeof V8>('node:v8');
  for (const flag of LARGE_DOCKERFILE_FLAGS) v8.setFlagsFromString(flag);
}
