/**
 * Validation of symbolic `--chmod` modes (`u+x`, `go-w`, `u=rw,g=r`, `a+X`), with the grammar and
 * messages of the Go `mode` package BuildKit uses. The daemon applies the mode; the frontend only
 * checks it.
 */

/**
 * Returns `undefined` when `s` is a valid symbolic mode, `'numeric'` when it looks like a number
 * (the caller reports the octal error), or the error message.
 */
export function parseSymbolicMode(s: string): string | undefined {
  if (s === '') return 'empty mode string';
  if (/^[0-9]/.test(s)) return 'numeric';
  for (const clause of s.split(',')) {
    let i = 0;
    while (i < clause.length && 'ugoa'.includes(clause[i])) i++;
    if (i >= clause.length || !'+-='.includes(clause[i])) return 'invalid syntax';
    while (i < clause.length) {
      if (!'+-='.includes(clause[i])) return 'invalid syntax';
      i++;
      while (i < clause.length && 'rwxXstugo'.includes(clause[i])) i++;
    }
  }
  return undefined;
}
