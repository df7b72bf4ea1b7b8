/**
 * Character classes with Go's `unicode` package semantics, used wherever BuildKit calls
 * `unicode.IsSpace`, `unicode.IsLetter`, `unicode.IsDigit` or `unicode.IsPrint`.
 * All functions take a Unicode code point.
 */

/** Go's `unicode.IsSpace`: ASCII whitespace, NEL, NBSP and the Unicode `Z` space separators. */
export function isGoSpace(cp: number): boolean {
  if (cp <= 0xff) {
    return (cp >= 0x09 && cp <= 0x0d) || cp === 0x20 || cp === 0x85 || cp === 0xa0;
  }
  return (
    cp === 0x1680 ||
    (cp >= 0x2000 && cp <= 0x200a) ||
    cp === 0x2028 ||
    cp === 0x2029 ||
    cp === 0x202f ||
    cp === 0x205f ||
    cp === 0x3000
  );
}

// Unicode property classes, compiled on first use: building them costs about a millisecond, and
// most runs (an ASCII Dockerfile) never need them.
let letter: RegExp | undefined;
let digit: RegExp | undefined;
let printable: RegExp | undefined;

/** Go's `unicode.IsLetter`. */
export function isGoLetter(cp: number): boolean {
  if (cp < 0x80) return (cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a);
  return (letter ??= /^\p{L}$/u).test(String.fromCodePoint(cp));
}

/** Go's `unicode.IsDigit` (decimal digits, category Nd). */
export function isGoDigit(cp: number): boolean {
  if (cp < 0x80) return cp >= 0x30 && cp <= 0x39;
  return (digit ??= /^\p{Nd}$/u).test(String.fromCodePoint(cp));
}

/** Go's `unicode.IsPrint`: letters, marks, numbers, punctuation, symbols and the ASCII space. */
export function isGoPrint(cp: number): boolean {
  if (cp < 0x80) return cp >= 0x20 && cp < 0x7f;
  if (cp >= 0xd800 && cp <= 0xdfff) return false;
  return (printable ??= /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u).test(String.fromCodePoint(cp));
}

/** Go's `strings.TrimSpace` (trims {@link isGoSpace} characters at both ends). */
export function goTrimSpace(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && isGoSpace(s.charCodeAt(start))) start++;
  while (end > start && isGoSpace(s.charCodeAt(end - 1))) end--;
  return start === 0 && end === s.length ? s : s.slice(start, end);
}

/** Go's `bytes.TrimLeftFunc(s, unicode.IsSpace)`. */
export function goTrimLeftSpace(s: string): string {
  let start = 0;
  while (start < s.length && isGoSpace(s.charCodeAt(start))) start++;
  return start === 0 ? s : s.slice(start);
}

/** Index of the first non-{@link isGoSpace} UTF-16 unit at or after `from`. */
export function skipGoSpace(s: string, from: number): number {
  let i = from;
  while (i < s.length && isGoSpace(s.charCodeAt(i))) i++;
  return i;
}

/** Compares two strings in UTF-8 byte order (Go's string ordering), which is code point order. */
export function compareGoStrings(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a.codePointAt(i)!;
    const cb = b.codePointAt(i)!;
    if (ca !== cb) return ca < cb ? -1 : 1;
    if (ca > 0xffff) i++;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

/** The UTF-8 encoded length of a string, in bytes. */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4;
        i++;
      } else n += 3;
    } else n += 3;
  }
  return n;
}
