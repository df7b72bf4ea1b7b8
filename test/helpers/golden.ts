/**
 * BuildKit's golden corpus (../shared/golden beside the clone, or $GOLDEN_DIR): the extended corpus,
 * optional. Tests that read it directly (BuildKit's parser and shell suites, golden-only checks) run
 * inside `describeGolden` from ./corpus, so that a clone without it skips them instead of failing.
 * Tests over cases use ./corpus, which covers our fixtures and this corpus alike.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { GOLDEN } from './corpus';

/** Absolute path of the golden corpus, or undefined when it is absent. */
export const GOLDEN_DIR: string | undefined = GOLDEN?.dir;

function goldenRoot(): string {
  if (GOLDEN_DIR === undefined) throw new Error('golden corpus not found (set GOLDEN_DIR); wrap this test in describeGolden');
  return GOLDEN_DIR;
}

/** Path inside the golden corpus. */
export function golden(...parts: string[]): string {
  return path.join(goldenRoot(), ...parts);
}

/** Reads a golden file as UTF-8 text. */
export function readGolden(...parts: string[]): string {
  return readFileSync(golden(...parts), 'utf8');
}

/** Sub-directories of a golden directory, sorted; none when the corpus is absent. */
export function goldenDirs(...parts: string[]): string[] {
  if (GOLDEN_DIR === undefined) return [];
  const dir = golden(...parts);
  return readdirSync(dir)
    .filter((n) => statSync(path.join(dir, n)).isDirectory())
    .sort();
}
