/**
 * Shell patterns of `${VAR#pat}`, `${VAR%pat}` and `${VAR/pat/repl}`.
 *
 * BuildKit turns the pattern into a Go regular expression (`*` → `.*` or `.*?`, `?` → `.`,
 * everything else literal) and lets RE2 find the leftmost-first match. This module compiles
 * the same pattern into tokens and matches them with a dynamic program that yields exactly
 * the match RE2 would pick, in time proportional to pattern × value, with no backtracking.
 */
import { EOF, RuneScanner, runeToString } from './scanner.js';

const STAR = -2;
const ANY = -3;
const NEWLINE = 0x0a;

/** A compiled pattern: code points, or STAR / ANY. */
export interface Glob {
  readonly tokens: Int32Array;
  readonly greedy: boolean;
}

/** Compiles a pattern; returns an error text (`invalid escape '\x'`) for a bad escape. */
export function compileGlob(pattern: string, greedy: boolean): Glob | string {
  const s = new RuneScanner(pattern);
  const out: number[] = [];
  for (let tok = s.next(); tok !== EOF; tok = s.next()) {
    if (tok === 0x2a /* * */) {
      out.push(STAR);
      continue;
    }
    if (tok === 0x3f /* ? */) {
      out.push(ANY);
      continue;
    }
    if (tok === 0x5c /* \ */) {
      // `}` and `/` inside ${} are escaped for the lexer; the escape is not part of the pattern
      if (s.peek() === 0x7d || s.peek() === 0x2f) continue;
      tok = s.next();
      if (tok !== 0x2a && tok !== 0x3f && tok !== 0x5c) return `invalid escape '\\${runeToString(tok)}'`;
    }
    out.push(tok);
  }
  return { tokens: Int32Array.from(out), greedy };
}

/**
 * For every start position in `value` (an array of code points), the end of the match RE2's
 * leftmost-first semantics would choose when the match must begin there, or -1.
 */
function matchEnds(glob: Glob, value: readonly number[]): Int32Array {
  const toks = glob.tokens;
  const n = value.length;
  // next[vi] = best end for tokens[pi+1..] starting at vi; cur is being computed for pi.
  let next = new Int32Array(n + 1);
  let cur = new Int32Array(n + 1);
  for (let vi = 0; vi <= n; vi++) next[vi] = vi;
  for (let pi = toks.length - 1; pi >= 0; pi--) {
    const t = toks[pi];
    if (t === STAR) {
      if (glob.greedy) {
        // prefer consuming one more character, then stop
        for (let vi = n; vi >= 0; vi--) {
          const more = vi < n && value[vi] !== NEWLINE ? cur[vi + 1] : -1;
          cur[vi] = more >= 0 ? more : next[vi];
        }
      } else {
        // prefer stopping here, then consuming one more character
        for (let vi = n; vi >= 0; vi--) {
          if (next[vi] >= 0) cur[vi] = next[vi];
          else cur[vi] = vi < n && value[vi] !== NEWLINE ? cur[vi + 1] : -1;
        }
      }
    } else {
      for (let vi = 0; vi <= n; vi++) {
        const okChar = vi < n && (t === ANY ? value[vi] !== NEWLINE : value[vi] === t);
        cur[vi] = okChar ? next[vi + 1] : -1;
      }
    }
    [next, cur] = [cur, next];
  }
  return next;
}

function codePoints(s: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const cp = s.codePointAt(i)!;
    out.push(cp);
    if (cp > 0xffff) i++;
  }
  return out;
}

function fromCodePoints(cps: readonly number[], start: number, end: number): string {
  let s = '';
  for (let i = start; i < end; i++) s += String.fromCodePoint(cps[i]);
  return s;
}

/** Removes the shortest (or, greedy, longest) prefix of `value` matching `glob`. */
export function trimPrefixGlob(glob: Glob, value: string): string {
  const cps = codePoints(value);
  const end = matchEnds(glob, cps)[0];
  return end >= 0 ? fromCodePoints(cps, end, cps.length) : value;
}

/** Go's `regexp.Expand` of a replacement template for a regexp without capture groups. */
function expandTemplate(template: string, match: string): string {
  let out = '';
  let rest = template;
  for (;;) {
    const i = rest.indexOf('$');
    if (i < 0) break;
    out += rest.slice(0, i);
    rest = rest.slice(i + 1);
    if (rest.startsWith('$')) {
      out += '$';
      rest = rest.slice(1);
      continue;
    }
    let body = rest;
    const brace = body.startsWith('{');
    if (brace) body = body.slice(1);
    let j = 0;
    while (j < body.length) {
      const cp = body.codePointAt(j)!;
      if (!/[\p{L}\p{Nd}_]/u.test(String.fromCodePoint(cp))) break;
      j += cp > 0xffff ? 2 : 1;
    }
    if (j === 0 || (brace && body[j] !== '}')) {
      out += '$';
      continue;
    }
    const name = body.slice(0, j);
    rest = body.slice(j + (brace ? 1 : 0));
    if (name === '0') out += match;
    // any other group number or name refers to a group that does not exist: empty
  }
  return out + rest;
}

/**
 * `${VAR/pattern/replacement}` (first match) and `${VAR//pattern/replacement}` (all matches,
 * with Go's `ReplaceAllString` rules: `$0`/`${0}` expand to the match, `$$` to `$`, an empty
 * match right after a previous match is not replaced). `undefined` when the result would be
 * longer than `maxLength` (it can be the value's length times the replacement's).
 */
export function replaceGlob(glob: Glob, value: string, replacement: string, all: boolean, maxLength = Number.POSITIVE_INFINITY): string | undefined {
  const cps = codePoints(value);
  const ends = matchEnds(glob, cps);
  const n = cps.length;
  const findFrom = (from: number): number => {
    for (let s = from; s <= n; s++) if (ends[s] >= 0) return s;
    return -1;
  };
  if (!all) {
    const s = findFrom(0);
    if (s < 0) return value;
    return fromCodePoints(cps, 0, s) + replacement + fromCodePoints(cps, ends[s], n);
  }
  let out = '';
  let lastMatchEnd = 0;
  let searchPos = 0;
  while (searchPos <= n) {
    const a0 = findFrom(searchPos);
    if (a0 < 0) break;
    const a1 = ends[a0];
    out += fromCodePoints(cps, lastMatchEnd, a0);
    if (a1 > lastMatchEnd || a0 === 0) out += expandTemplate(replacement, fromCodePoints(cps, a0, a1));
    if (out.length > maxLength) return undefined;
    lastMatchEnd = a1;
    searchPos = searchPos + 1 > a1 ? searchPos + 1 : a1;
  }
  return out + fromCodePoints(cps, lastMatchEnd, n);
}

/** Reverses a pattern by code point, keeping `\x` escapes in front of the escaped character. */
export function reversePattern(pattern: string): string {
  const p = Array.from(pattern);
  const out = new Array<string>(p.length);
  const last = p.length - 1;
  for (let i = 0; i <= last; ) {
    const tok = p[i];
    const o = last - i;
    if (tok === '\\' && i !== last) {
      out[o - 1] = tok;
      out[o] = p[i + 1];
      i += 2;
    } else {
      out[o] = tok;
      i++;
    }
  }
  return out.join('');
}

/** Reverses a string by code point. */
export function reverseString(s: string): string {
  return Array.from(s).reverse().join('');
}
