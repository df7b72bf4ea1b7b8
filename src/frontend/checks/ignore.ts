/**
 * `.dockerignore` matching as BuildKit's frontend does it for the CopyIgnoredFile check (moby's
 * `patternmatcher`): patterns are cleaned paths where `*` and `?` stay inside one path element,
 * `**` crosses elements, later patterns override earlier ones and `!` re-includes. A path is
 * excluded when it, or one of its parent directories, matches.
 */
import { clean } from '../../util/posix-path.js';
import { goTrimSpace } from '../../util/gounicode.js';
import type { CheckRange, Linter } from './linter.js';
import { CopyIgnoredFile } from './rules.js';

type Matcher =
  | { readonly kind: 'exact'; readonly text: string }
  | { readonly kind: 'prefix'; readonly text: string }
  | { readonly kind: 'suffix'; readonly text: string }
  | { readonly kind: 'regexp'; readonly re: RegExp }
  | { readonly kind: 'bad' };

/** One pattern of a {@link PatternMatcher}. */
export interface IgnorePattern {
  /** The cleaned pattern, without its `!`. */
  readonly pattern: string;
  /** A `!` pattern: re-includes what earlier patterns excluded. */
  readonly exclusion: boolean;
}

interface CompiledPattern extends IgnorePattern {
  readonly matcher: Matcher;
}

/** Characters with a meaning in a regular expression but none in a path pattern. */
const REGEXP_ONLY = new Set(['.', '+', '(', ')', '|', '{', '}', '$']);

/** Escapes of Go's regexp syntax that a pattern can produce with `\x`, as JS equivalents. */
const GO_ESCAPES: Record<string, string> = {
  a: '\\x07',
  f: '\\f',
  t: '\\t',
  n: '\\n',
  r: '\\r',
  v: '\\v',
  d: '[0-9]',
  D: '[^0-9]',
  s: '[\\t\\n\\f\\r ]',
  S: '[^\\t\\n\\f\\r ]',
  w: '[0-9A-Za-z_]',
  W: '[^0-9A-Za-z_]',
};

/** Translates a cleaned pattern the way patternmatcher's `compile` does, for `/` separators. */
function compile(pattern: string): Matcher {
  const chars = Array.from(pattern);
  let re = '^';
  let kind: 'exact' | 'prefix' | 'suffix' | 'regexp' = 'exact';
  let inClass = false;
  for (let i = 0, token = 0; i < chars.length; i++, token++) {
    const ch = chars[i];
    if (ch === '*') {
      if (chars[i + 1] === '*') {
        i++;
        if (chars[i + 1] === '/') i++;
        if (i + 1 >= chars.length) {
          // A trailing `**` matches everything below, as in .gitignore.
          if (kind === 'exact') kind = 'prefix';
          else {
            re += '[^\\n]*';
            kind = 'regexp';
          }
        } else {
          re += '(?:[^\\n]*/)?';
          kind = 'regexp';
        }
        if (token === 0) kind = 'suffix';
      } else {
        re += '[^/]*';
        kind = 'regexp';
      }
    } else if (ch === '?') {
      re += '[^/]';
      kind = 'regexp';
    } else if (REGEXP_ONLY.has(ch)) {
      re += `\\${ch}`;
    } else if (ch === '\\') {
      if (i + 1 < chars.length) {
        const next = chars[++i];
        if (/[A-Za-z0-9]/.test(next)) {
          // Go's regexp gives letters after `\` a meaning; the few a pattern can use:
          const esc = GO_ESCAPES[next];
          if (esc === undefined) return { kind: 'bad' };
          re += esc;
        } else {
          re += `\\${next}`;
        }
        kind = 'regexp';
      } else {
        re += '\\\\';
      }
    } else if (ch === '[') {
      re += ch;
      inClass = true;
      kind = 'regexp';
    } else if (ch === ']') {
      // Go reads a `]` outside a class as itself; JS (in unicode mode) refuses it.
      re += inClass ? ch : '\\]';
      inClass = false;
      kind = 'regexp';
    } else {
      re += ch;
    }
  }
  switch (kind) {
    case 'exact':
      return { kind, text: pattern };
    case 'prefix':
      return { kind, text: pattern.slice(0, -2) };
    case 'suffix':
      return { kind, text: pattern.slice(2) };
    case 'regexp':
      try {
        return { kind, re: new RegExp(`${re}$`, 'u') };
      } catch {
        return { kind: 'bad' };
      }
  }
}

function matches(m: Matcher, path: string): boolean {
  switch (m.kind) {
    case 'exact':
      return path === m.text;
    case 'prefix':
      return path.startsWith(m.text);
    case 'suffix':
      // `**/foo` also matches `foo` itself.
      return path.endsWith(m.text) || (m.text.startsWith('/') && path === m.text.slice(1));
    case 'regexp':
      return m.re.test(path);
    case 'bad':
      return false;
  }
}

/** Go's `filepath.Dir` for slash paths. */
function dir(p: string): string {
  const i = p.lastIndexOf('/');
  return clean(i < 0 ? '.' : p.slice(0, i + 1));
}

/** A set of `.dockerignore` patterns (moby's `patternmatcher.PatternMatcher`). */
export class PatternMatcher {
  private readonly compiled: CompiledPattern[];
  /** True when some pattern is a `!` exclusion. */
  readonly hasExclusions: boolean;

  constructor(patterns: readonly string[]) {
    this.compiled = [];
    let exclusions = false;
    for (const raw of patterns) {
      let p = goTrimSpace(raw);
      if (p === '') continue;
      p = clean(p);
      let exclusion = false;
      if (p.startsWith('!')) {
        exclusion = true;
        exclusions = true;
        p = p.slice(1);
      }
      this.compiled.push({ pattern: p, exclusion, matcher: compile(p) });
    }
    this.hasExclusions = exclusions;
  }

  /** The patterns, in order. */
  get patterns(): readonly IgnorePattern[] {
    return this.compiled.map(({ pattern, exclusion }) => ({ pattern, exclusion }));
  }

  /** Whether `file` (a slash path) or one of its parents is excluded (`MatchesOrParentMatches`). */
  matchesOrParentMatches(file: string): boolean {
    let matched = false;
    const parent = dir(file);
    const parentDirs = parent.split('/');
    for (const p of this.compiled) {
      // An inclusion cannot change a match, an exclusion cannot change a non-match.
      if (p.exclusion !== matched) continue;
      // A pattern Go's regexp refuses is an error that ends the check, unreported.
      if (p.matcher.kind === 'bad') return false;
      let match = matches(p.matcher, file);
      if (!match && parent !== '.') {
        for (let i = 0; i < parentDirs.length && !match; i++) match = matches(p.matcher, parentDirs.slice(0, i + 1).join('/'));
      }
      if (match) matched = !p.exclusion;
    }
    return matched;
  }
}

/**
 * CopyIgnoredFile for one local source of COPY or ADD (BuildKit's `validateCopySourcePath`):
 * silent without a `.dockerignore`, or when it has `!` patterns (too hard to decide statically).
 * The context root (`.`, `/`) counts only when a pattern excludes every entry of it.
 */
export function checkCopySource(src: string, isAdd: boolean, ignore: PatternMatcher | undefined, at: readonly CheckRange[], lint: Linter): void {
  if (!ignore || ignore.hasExclusions) return;
  const path = clean(src);
  if ((path === '.' || path === '/') && !ignore.patterns.some((p) => !p.exclusion && (p.pattern === '*' || p.pattern === '**' || p.pattern === '**/*'))) return;
  if (ignore.matchesOrParentMatches(path)) lint.run(CopyIgnoredFile, at, isAdd ? 'Add' : 'Copy', path);
}
