/**
 * Go's `path.Match`: shell-style patterns over slash-separated names, as BuildKit's content
 * checksums use them to decide which files a wildcard `COPY` source selects.
 *
 * `*` matches any run of characters other than `/`, `?` one character other than `/`,
 * `[...]` (or `[^...]`) a character class with ranges `a-z`, and `\` escapes the next character.
 * Characters are Unicode code points, as Go's runes. A malformed pattern matches nothing and
 * {@link goPathMatch} reports it as `'bad'` (Go returns `ErrBadPattern`).
 */

type Token =
  | { readonly kind: 'char'; readonly cp: number }
  | { readonly kind: 'any' }
  | { readonly kind: 'star' }
  | { readonly kind: 'class'; readonly negated: boolean; readonly ranges: readonly (readonly [number, number])[] };

const SLASH = 0x2f;

function codePoints(s: string): number[] {
  const out: number[] = [];
  for (const ch of s) out.push(ch.codePointAt(0)!);
  return out;
}

/** Tokenizes a pattern; `undefined` when it is malformed. */
function tokenize(pattern: string): Token[] | undefined {
  const p = codePoints(pattern);
  const out: Token[] = [];
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === 0x2a /* * */) out.push({ kind: 'star' });
    else if (c === 0x3f /* ? */) out.push({ kind: 'any' });
    else if (c === 0x5c /* \ */) {
      if (i + 1 >= p.length) return undefined;
      out.push({ kind: 'char', cp: p[++i] });
    } else if (c === 0x5b /* [ */) {
      let j = i + 1;
      let negated = false;
      if (p[j] === 0x5e /* ^ */) {
        negated = true;
        j++;
      }
      const ranges: [number, number][] = [];
      const classChar = (): number | undefined => {
        if (j >= p.length) return undefined;
        let ch = p[j];
        // `-` and `]` cannot start a range end unescaped; an unescaped `]` ends the class.
        if (ch === 0x2d || ch === 0x5d) return undefined;
        if (ch === 0x5c) {
          j++;
          if (j >= p.length) return undefined;
          ch = p[j];
        }
        j++;
        return ch;
      };
      for (let first = true; ; first = false) {
        if (j >= p.length) return undefined;
        if (p[j] === 0x5d /* ] */ && !first) {
          j++;
          break;
        }
        const lo = classChar();
        if (lo === undefined) return undefined;
        let hi = lo;
        if (p[j] === 0x2d /* - */) {
          j++;
          const h = classChar();
          if (h === undefined) return undefined;
          hi = h;
        }
        ranges.push([lo, hi]);
      }
      out.push({ kind: 'class', negated, ranges });
      i = j - 1;
    } else out.push({ kind: 'char', cp: c });
  }
  return out;
}

function matchOne(t: Token, c: number): boolean {
  switch (t.kind) {
    case 'char':
      return t.cp === c;
    case 'any':
      return c !== SLASH;
    case 'class': {
      if (c === SLASH) return false;
      const inClass = t.ranges.some(([lo, hi]) => lo <= c && c <= hi);
      return inClass !== t.negated;
    }
    case 'star':
      return c !== SLASH;
  }
}

/**
 * Whether `name` matches the shell pattern `pattern` in full (Go's `path.Match`); `'bad'` for a
 * malformed pattern.
 */
export function goPathMatch(pattern: string, name: string): boolean | 'bad' {
  const tokens = tokenize(pattern);
  if (!tokens) return 'bad';
  const s = codePoints(name);
  // reachable[j]: the tokens consumed so far can match s[0..j).
  let reachable = new Uint8Array(s.length + 1);
  reachable[0] = 1;
  for (const t of tokens) {
    const next = new Uint8Array(s.length + 1);
    if (t.kind === 'star') {
      // Zero or more non-slash characters.
      for (let j = 0; j <= s.length; j++) {
        if (reachable[j]) next[j] = 1;
        else if (j > 0 && next[j - 1] && s[j - 1] !== SLASH) next[j] = 1;
      }
    } else {
      for (let j = 0; j < s.length; j++) if (reachable[j] && matchOne(t, s[j])) next[j + 1] = 1;
    }
    reachable = next;
  }
  return reachable[s.length] === 1;
}

/** Whether a path element contains a wildcard character (`*`, `?`, `[`), skipping escaped ones. */
export function hasWildcards(name: string): boolean {
  for (let i = 0; i < name.length; i++) {
    const c = name[i];
    if (c === '\\') i++;
    else if (c === '*' || c === '?' || c === '[') return true;
  }
  return false;
}
