/**
 * Vitest global setup: says in one line when the golden corpus is absent, so that its skipped
 * tests are explained once rather than per file.
 */
import { GOLDEN, goldenMissingLine } from '../../scripts/lib/corpus.mjs';

export default function setup(): void {
  if (!GOLDEN) console.log(goldenMissingLine());
}
