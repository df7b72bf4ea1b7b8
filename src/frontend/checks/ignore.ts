/** The CopyIgnoredFile check: a COPY or ADD of a context path that `.dockerignore` excludes. */
import { DockerfileError, DockerfileErrorCode } from '../../errors.js';
import { PatternMatcher } from '../../util/patternmatcher.js';
import { clean } from '../../util/posix-path.js';
import type { CheckRange, Linter } from './linter.js';
import { CopyIgnoredFile } from './rules.js';

export type { PatternMatcher };

/**
 * The matcher of the context's `.dockerignore` patterns, as BuildKit's frontend builds it before
 * dispatching; `undefined` without patterns. A lone `!` fails the build, as in BuildKit.
 */
export function ignoreMatcher(patterns: readonly string[] | undefined): PatternMatcher | undefined {
  if (!patterns?.length) return undefined;
  try {
    return new PatternMatcher(patterns);
  } catch (e) {
    throw new DockerfileError(DockerfileErrorCode.Convert, (e as Error).message);
  }
}

/**
 * CopyIgnoredFile for one local source of COPY or ADD (BuildKit's `validateCopySourcePath`):
 * silent without a `.dockerignore`, or when it has `!` patterns (too hard to decide statically).
 * The context root (`.`, `/`) counts only when a pattern excludes every entry of it.
 */
export function checkCopySource(src: string, isAdd: boolean, ignore: PatternMatcher | undefined, at: readonly CheckRange[], lint: Linter): void {
  if (!ignore || ignore.exclusions) return;
  const path = clean(src);
  if ((path === '.' || path === '/') && !ignore.patterns.some((p) => !p.exclusion && (p.text === '*' || p.text === '**' || p.text === '**/*'))) return;
  if (ignore.matchesOrParentMatches(path)) lint.run(CopyIgnoredFile, at, isAdd ? 'Add' : 'Copy', path);
}
