/**
 * Go's `strconv.Quote` (what `%q` prints), so that error messages copied from Go code read the
 * same here. Printable characters are kept; `"` and `\` are escaped; control and other
 * non-printable characters become `\n`-style, `\xHH` or `\uHHHH` escapes.
 * @internal
 */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    switch (ch) {
      case '"':
        out += '\\"';
        continue;
      case '\\':
        out += '\\\\';
        continue;
      case '\x07':
        out += '\\a';
        continue;
      case '\b':
        out += '\\b';
        continue;
      case '\f':
        out += '\\f';
        continue;
      case '\n':
        out += '\\n';
        continue;
      case '\r':
        out += '\\r';
        continue;
      case '\t':
        out += '\\t';
        continue;
      case '\v':
        out += '\\v';
        continue;
    }
    if (cp < 0x20 || cp === 0x7f) {
      out += '\\x' + cp.toString(16).padStart(2, '0');
    } else if (cp >= 0xd800 && cp <= 0xdfff) {
      // A lone surrogate is not valid UTF-8; Go would print the replacement character's escape.
      out += '\\ufffd';
    } else if (isNonPrintable(cp)) {
      out += cp > 0xffff ? '\\U' + cp.toString(16).padStart(8, '0') : '\\u' + cp.toString(16).padStart(4, '0');
    } else {
      out += ch;
    }
  }
  return out + '"';
}

// Go's unicode.IsPrint is false for C1 controls, the unicode line/paragraph separators, format
// characters such as the BOM and soft hyphen, and non-ASCII spaces. This covers the common ones.
function isNonPrintable(cp: number): boolean {
  return (
    (cp >= 0x80 && cp <= 0x9f) ||
    cp === 0xa0 ||
    cp === 0xad ||
    (cp >= 0x2000 && cp <= 0x200f) ||
    (cp >= 0x2028 && cp <= 0x202f) ||
    (cp >= 0x205f && cp <= 0x206f) ||
    cp === 0x3000 ||
    cp === 0xfeff ||
    (cp >= 0xfff9 && cp <= 0xfffb)
  );
}
