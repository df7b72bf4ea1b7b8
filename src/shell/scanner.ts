/**
 * A code-point reader with the two behaviours of Go's `text/scanner` that BuildKit's lexer
 * relies on: `peek`/`next` return -1 at the end, and a byte-order mark at the very start of
 * the input is skipped.
 */
import { isGoSpace } from '../util/gounicode.js';

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
  /**
   * Reads the run of characters from here that a word scanner copies as they are: everything but
   * `$`, `<`, the escape token, `stop`, quotes (when `quotes`), white space and surrogates (a lone
   * one becomes U+FFFD). Returns '' when the next character is one of those.
   */
  takePlain(esc: number, quotes: boolean, stop: number): string {
    const s = this.src;
    const start = this.pos;
    let i = start;
    for (; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c === 0x24 || c === 0x3c || c === esc || c === stop || (quotes && (c === 0x27 || c === 0x22)) || (c >= 0xd800 && c <= 0xdfff) || isGoSpace(c)) break;
    }
    this.pos = i;
    return i === start ? '' : s.slice(start, i);
  }

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
