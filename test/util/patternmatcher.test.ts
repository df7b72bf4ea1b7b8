/**
 * moby/patternmatcher semantics (.dockerignore, follow paths, COPY --exclude/--parents), as its
 * documentation and BuildKit's uses describe them.
 */
import { describe, expect, it } from 'vitest';
import { NO_MATCH_INFO, PatternMatcher } from '../../src/util/patternmatcher';

const orParent = (patterns: string[], file: string) => new PatternMatcher(patterns).matchesOrParentMatches(file);

describe('PatternMatcher', () => {
  it('matches * and ? within one path element, ** across elements', () => {
    expect(orParent(['*.go'], 'fileutils.go')).toBe(true);
    expect(orParent(['*.go'], 'dir/fileutils.go')).toBe(false);
    expect(orParent(['?.go'], 'a.go')).toBe(true);
    expect(orParent(['?.go'], 'ab.go')).toBe(false);
    expect(orParent(['**/*.tmp'], 'a/b/c.tmp')).toBe(true);
    expect(orParent(['**/*.tmp'], 'c.tmp')).toBe(true);
    expect(orParent(['**'], 'anything/at/all')).toBe(true);
    expect(orParent(['docs/**'], 'docs/a/b.md')).toBe(true);
    expect(orParent(['docs/**'], 'other/docs/b.md')).toBe(false);
    expect(orParent(['**/docs'], 'docs')).toBe(true);
    expect(orParent(['**/docs'], 'a/docs/x.md')).toBe(true);
  });

  it('excludes what is below a matched directory', () => {
    expect(orParent(['node_modules'], 'node_modules/pkg/index.js')).toBe(true);
    expect(orParent(['a/b'], 'a/b/c')).toBe(true);
    expect(orParent(['a/b'], 'a/bc')).toBe(false);
  });

  it('lets later ! patterns re-include, and later patterns override earlier ones', () => {
    const m = ['logs/*.log', '!logs/keep.log'];
    expect(orParent(m, 'logs/a.log')).toBe(true);
    expect(orParent(m, 'logs/keep.log')).toBe(false);
    expect(orParent(['docs', '!docs/README.md'], 'docs/README.md')).toBe(false);
    expect(orParent(['docs', '!docs/README.md'], 'docs/other.md')).toBe(true);
    expect(orParent(['!a', 'a'], 'a')).toBe(true);
    expect(new PatternMatcher(['a', '!b']).exclusions).toBe(true);
    expect(new PatternMatcher(['a']).exclusions).toBe(false);
  });

  it('cleans patterns and skips blank ones', () => {
    expect(orParent(['  ./src/../src/*.txt  ', ''], 'src/a.txt')).toBe(true);
    expect(orParent(['tmp/'], 'tmp/x.txt')).toBe(true);
    expect(new PatternMatcher(['', '   ']).empty).toBe(true);
    expect(() => new PatternMatcher(['!'])).toThrow('illegal exclusion pattern');
  });

  it('reads escapes and character classes as Go regular expressions do', () => {
    expect(orParent(['a\\*b'], 'a*b')).toBe(true);
    expect(orParent(['a\\*b'], 'axb')).toBe(false);
    expect(orParent(['[ab].txt'], 'b.txt')).toBe(true);
    expect(orParent(['[^ab].txt'], 'b.txt')).toBe(false);
    expect(orParent(['file.(1)'], 'file.(1)')).toBe(true);
    expect(orParent(['\\d.txt'], '7.txt')).toBe(true);
  });

  it('carries parent results down a walk (MatchesUsingParentResults)', () => {
    const pm = new PatternMatcher(['src/dir', '!src/dir/keep']);
    const a = pm.matchesUsingParentResults('src', NO_MATCH_INFO);
    expect(a.matched).toBe(false);
    const b = pm.matchesUsingParentResults('src/dir', a.info);
    expect(b.matched).toBe(true);
    expect(pm.matchesUsingParentResults('src/dir/x', b.info).matched).toBe(true);
    expect(pm.matchesUsingParentResults('src/dir/keep', b.info).matched).toBe(false);
    expect(pm.matchesWalking('src/dir/x')).toBe(true);
    expect(pm.matchesWalking('src/dir/keep')).toBe(false);
    expect(pm.matchesWalking('src/other')).toBe(false);
  });
});
