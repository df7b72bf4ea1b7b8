/**
 * "did you mean …?" suggestions, as BuildKit's `util/suggest` package produces them:
 * the closest option by Levenshtein distance, if that distance is below 3.
 */

/** Levenshtein edit distance between two strings, over code points (unit costs). */
export function levenshtein(a: string, b: string): number {
  const s = Array.from(a);
  const t = Array.from(b);
  if (s.length === 0) return t.length;
  if (t.length === 0) return s.length;
  let prev = new Array<number>(t.length + 1);
  let cur = new Array<number>(t.length + 1);
  for (let j = 0; j <= t.length; j++) prev[j] = j;
  for (let i = 1; i <= s.length; i++) {
    cur[0] = i;
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
    }
    [prev, cur] = [cur, prev];
  }
  return prev[t.length];
}

function matchCase(val: string, orig: string): string {
  if (orig === orig.toLowerCase()) return val.toLowerCase();
  if (orig === orig.toUpperCase()) return val.toUpperCase();
  return val;
}

/**
 * The suggestion BuildKit's `suggest.WrapError` would append for `val` among `options`, or
 * `undefined`. An exact match means the error is unrelated to the value: no suggestion.
 * Options are visited in the given order; the first strictly closer one wins.
 */
export function suggest(val: string, options: readonly string[], caseSensitive: boolean): string | undefined {
  const v = caseSensitive ? val : val.toLowerCase();
  let match: string | undefined;
  let min = 3;
  for (const o of options) {
    const opt = caseSensitive ? o : o.toLowerCase();
    if (v === opt) return undefined;
    const dist = levenshtein(v, opt);
    if (dist < min) {
      match = caseSensitive ? opt : matchCase(opt, val);
      min = dist;
    }
  }
  return match;
}

/** `message` with BuildKit's ` (did you mean X?)` suffix when a suggestion exists. */
export function withSuggestion(message: string, val: string, options: readonly string[], caseSensitive: boolean): string {
  const m = suggest(val, options, caseSensitive);
  return m === undefined ? message : `${message} (did you mean ${m}?)`;
}
