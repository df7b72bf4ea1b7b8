/**
 * `.dockerignore`-style path patterns, with the semantics of moby's `patternmatcher` package,
 * which BuildKit uses for `.dockerignore` (the context's exclude patterns), the context's follow
 * paths, and `COPY --exclude` / `COPY --parents` filters.
 *
 * A pattern is a cleaned slash path where `*` and `?` stay within one path element, `**` crosses
 * elements, `[...]` is a character class and `\` escapes. Patterns apply in order: a later one
 * overrides an earlier one, and a `!` pattern re-includes what earlier patterns matched.
 */
import { goTrimSpace } from './gounicode.js';
import { clean } from './posix-path.js';

type Compiled =
  | { readonly kind: 'exact'; readonly text: string }
  | { readonly kind: 'prefix'; readonly text: string }
  | { readonly kind: 'suffix'; readonly text: string }
  | { readonly kind: 'regexp'; readonly re: RegExp }
  /** A pattern Go's regexp package refuses: it matches nothing. */
  | { readonly kind: 'bad' };

/** One pattern of a {@link PatternMatcher}. */
export interface Pattern {
  /** The cleaned pattern, without its `!`. */
  readonly text: string;
  /** A `!` pattern. */
  readonly exclusion: boolean;
}

interface CompiledPattern extends Pattern {
  readonly compiled: Compiled;
}

/**
 * Parent-directory results carried down a walk (`patternmatcher.MatchInfo`): for each pattern,
 * whether it matched the parent directory. An empty list means "nothing known".
 */
export interface MatchInfo {
  readonly parentMatched: readonly boolean[];
}

/** The {@link MatchInfo} of a walk's starting point. */
export const NO_MATCH_INFO: MatchInfo = { parentMatched: [] };

/** Characters that mean something in a regular expression but nothing in a pattern. */
const REGEXP_ONLY = new Set(['.', '+', '(', ')', '|', '{', '}', '$']);

/** What Go's regexp makes of `\x` for the letters and digits a pattern can escape. */
const GO_ESCAPES: Readonly<Record<string, string>> = {
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

/** Translates a cleaned pattern into a matcher, as patternmatcher's `Pattern.compile` does for `/`. */
function compile(pattern: string): Compiled {
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
          // `**` at the end matches everything below, as in .gitignore.
          if (kind === 'exact') kind = 'prefix';
          else {
            re += '.*';
            kind = 'regexp';
          }
        } else {
          re += '(?:.*/)?';
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
          const esc = GO_ESCAPES[next];
          if (esc === undefined) return { kind: 'bad' };
          re += esc;
        } else re += `\\${next}`;
        kind = 'regexp';
      } else re += '\\\\';
    } else if (ch === '[') {
      re += ch;
      inClass = true;
      kind = 'regexp';
    } else if (ch === ']') {
      // Go reads a `]` outside a class as itself; a JavaScript unicode regexp refuses it.
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
        // Go's `.` does not match a newline, nor does JavaScript's without the `s` flag.
        return { kind, re: new RegExp(`${re}$`, 'u') };
      } catch {
        return { kind: 'bad' };
      }
  }
}

function matchOne(c: Compiled, path: string): boolean {
  switch (c.kind) {
    case 'exact':
      return path === c.text;
    case 'prefix':
      return path.startsWith(c.text);
    case 'suffix':
      // `**/foo` also matches `foo` itself.
      return path.endsWith(c.text) || (c.text.startsWith('/') && path === c.text.slice(1));
    case 'regexp':
      return c.re.test(path);
    case 'bad':
      return false;
  }
}

/** The parent directories of a slash path, shortest first (`a/b/c` → `a`, `a/b`); none for `a`. */
function parentDirs(file: string): string[] {
  const i = file.lastIndexOf('/');
  if (i < 0) return [];
  const parent = clean(file.slice(0, i + 1));
  if (parent === '.') return [];
  const parts = parent.split('/');
  return parts.map((_, k) => parts.slice(0, k + 1).join('/'));
}

/** An ordered list of patterns (moby's `patternmatcher.PatternMatcher`). */
export class PatternMatcher {
  private readonly list: readonly CompiledPattern[];
  /** True when some pattern is a `!` exclusion. */
  readonly exclusions: boolean;

  /**
   * @param patterns - patterns as written: blank ones are skipped, the rest trimmed and cleaned
   * @throws Error for a lone `!`, as patternmatcher does
   */
  constructor(patterns: readonly string[]) {
    const list: CompiledPattern[] = [];
    for (const raw of patterns) {
      let p = goTrimSpace(raw);
      if (p === '') continue;
      p = clean(p);
      let exclusion = false;
      if (p.startsWith('!')) {
        if (p.length === 1) throw new Error('illegal exclusion pattern: "!"');
        exclusion = true;
        p = p.slice(1);
      }
      list.push({ text: p, exclusion, compiled: compile(p) });
    }
    this.list = list;
    this.exclusions = list.some((p) => p.exclusion);
  }

  /** The patterns, in order. */
  get patterns(): readonly Pattern[] {
    return this.list.map(({ text, exclusion }) => ({ text, exclusion }));
  }

  /** Whether there are no patterns at all. */
  get empty(): boolean {
    return this.list.length === 0;
  }

  /** Whether `file` (a slash path) or one of its parent directories matches (`MatchesOrParentMatches`). */
  matchesOrParentMatches(file: string): boolean {
    let matched = false;
    const parents = parentDirs(file);
    for (const p of this.list) {
      // An inclusion cannot change a match, an exclusion cannot change a non-match.
      if (p.exclusion !== matched) continue;
      const match = matchOne(p.compiled, file) || parents.some((d) => matchOne(p.compiled, d));
      if (match) matched = !p.exclusion;
    }
    return matched;
  }

  /**
   * Whether `file` matches, given what its parent directory's call returned
   * (`MatchesUsingParentResults`): a pattern that matched the parent matches the file too.
   * With {@link NO_MATCH_INFO}, parent directories are checked as {@link matchesOrParentMatches}
   * does.
   */
  matchesUsingParentResults(file: string, parent: MatchInfo): { matched: boolean; info: MatchInfo } {
    const known = parent.parentMatched;
    let matched = false;
    const info: boolean[] = new Array<boolean>(this.list.length).fill(false);
    this.list.forEach((p, i) => {
      let match = known.length !== 0 && known[i] === true;
      if (!match) {
        if (p.exclusion !== matched) return;
        match = matchOne(p.compiled, file);
        if (!match && known.length === 0) match = parentDirs(file).some((d) => matchOne(p.compiled, d));
      }
      info[i] = match;
      if (match) matched = !p.exclusion;
    });
    return { matched, info: { parentMatched: info } };
  }

  /**
   * `matchesUsingParentResults` applied down the path from its first element, as a directory
   * walk computes it: the result for `a/b/c` after `a` and `a/b`.
   */
  matchesWalking(file: string): boolean {
    const parts = file.split('/').filter((s) => s !== '');
    let info = NO_MATCH_INFO;
    let matched = false;
    for (let i = 0; i < parts.length; i++) {
      const r = this.matchesUsingParentResults(parts.slice(0, i + 1).join('/'), info);
      matched = r.matched;
      info = r.info;
    }
    return matched;
  }
}
