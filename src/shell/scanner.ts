/**
 * A code-point reader with the two behaviours of Go's `text/scanner` that BuildKit's lexer
 * relies on: `peek`/`next` return -1 at the end, and a byte-order mark at the very start of
 * the input is skipped.
 */

/** End of input. */
export const EOF = -1;

export class RuneScanner {
  private pos = 0;

  constructor(private readonly src: string) {
    if (src.charCodeAt(0) === 0xfeff) this.pos = 1;
  }

  /** The next code point without consuming it, or {@link EOF}. */
  peek(): number {
    return this.pos < this.src.length ? this.src.codePointAt(this.pos)! : EOF;
  }

  /** Consumes and returns the next code point, or {@link EOF}. */
  next(): number {
    if (this.pos >= this.src.length) return EOF;
    const cp = this.src.codePointAt(this.pos)!;
    this.pos += cp > 0xffff ? 2 : 1;
    return cp;
  }
}

/** Go's `string(rune)`: invalid runes (such as EOF) become U+FFFD. */
export function runeToString(cp: number): string {
  return cp < 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) ? '\ufffd' : String.fromCodePoint(cp);
}
