/**
 * Splitting an instruction line into keyword, builder flags and arguments
 * (BuildKit's `split_command.go`).
 */
import { fit, none } from '../util/arrays.js';
import { isGoSpace, skipGoSpace } from '../util/gounicode.js';

/** The pieces of an instruction line. */
export interface SplitLine {
  /** The keyword as written. */
  readonly cmd: string;
  /** Offset of the keyword in the line. */
  readonly cmdStart: number;
  /** Raw flags, with BuildKit's byte-wise decoding of non-ASCII characters. */
  readonly flags: string[];
  /** Where each flag is in the line: offsets of its first character and past its last. */
  readonly flagSpans: { readonly start: number; readonly end: number }[];
  /** The arguments, trimmed. */
  readonly args: string;
  /** Offset of `args` in the line. */
  readonly argsStart: number;
}

/** BuildKit's `reWhitespace` class: `[\t\v\f\r ]`. */
export function isReWhitespace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0b || c === 0x0c || c === 0x0d;
}

function trimmedEnd(s: string, from: number, to = s.length): number {
  let end = to;
  while (end > from && isGoSpace(s.charCodeAt(end - 1))) end--;
  return end;
}

/** UTF-8 bytes of `s`, and for each byte the UTF-16 offset of the character it belongs to. */
function utf8Bytes(s: string): { bytes: number[]; unit: number[] } {
  const bytes: number[] = [];
  const unit: number[] = [];
  for (let i = 0; i < s.length; i++) {
    let cp = s.charCodeAt(i);
    const at = i;
    if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < s.length) {
      const lo = s.charCodeAt(i + 1);
      if (lo >= 0xdc00 && lo <= 0xdfff) {
        cp = (cp - 0xd800) * 0x400 + (lo - 0xdc00) + 0x10000;
        i++;
      }
    }
    if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffd;
    if (cp < 0x80) bytes.push(cp);
    else if (cp < 0x800) bytes.push(0xc0 | (cp >> 6), 0x80 | (cp & 0x3f));
    else if (cp < 0x10000) bytes.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
    else bytes.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
    while (unit.length < bytes.length) unit.push(at);
  }
  return { bytes, unit };
}

/**
 * BuildKit scans flags byte by byte and stores each byte as a rune, so a non-ASCII character
 * in a flag becomes its UTF-8 bytes read as Latin-1 (mojibake). This reproduces that.
 * Returns the flags and the number of UTF-16 units of `line` consumed by them.
 */
function extractBuilderFlags(
  line: string,
  escapeToken: number,
  shift: number,
  bytewise = false,
): { flags: string[]; spans: { start: number; end: number }[]; consumed: number } {
  // An ASCII line is its own UTF-8 (byte i is character i): no arrays to build. No closures
  // either: this runs for every instruction with a flag. Only the flags are read, so the line is
  // not scanned for other characters first: the first one met sends the line to the byte-wise
  // reading.
  const ascii = !bytewise;
  const enc = ascii ? undefined : utf8Bytes(line);
  const bytes = enc?.bytes;
  const unit = enc?.unit;
  const n = ascii ? line.length : bytes!.length;
  const words: string[] = [];
  const spans: { start: number; end: number }[] = [];
  let wordStart = 0;
  const IN_SPACES = 0;
  const IN_WORD = 1;
  const IN_QUOTE = 2;
  let phase = IN_SPACES;
  let word = '';
  let quote = 0;
  let blankOK = false;
  let ch = 0;
  let consumed = -1;
  for (let pos = 0; pos <= n; pos++) {
    if (pos !== n) ch = ascii ? line.charCodeAt(pos) : bytes![pos];
    if (ascii && ch > 0x7f) return extractBuilderFlags(line, escapeToken, shift, true);
    if (phase === IN_SPACES) {
      if (pos === n) break;
      if (isGoSpace(ch)) continue;
      if (ch !== 0x2d || pos + 1 === n || (ascii ? line.charCodeAt(pos + 1) : bytes![pos + 1]) !== 0x2d) {
        consumed = pos;
        break;
      }
      phase = IN_WORD;
      wordStart = pos;
    }
    if (pos === n) {
      if (word !== '--' && (blankOK || word.length > 0)) {
        words.push(word);
        spans.push({ start: shift + unitOffset(unit, wordStart, line.length), end: shift + unitOffset(unit, pos, line.length) });
      }
      break;
    }
    if (phase === IN_WORD) {
      if (isGoSpace(ch)) {
        phase = IN_SPACES;
        if (word === '--') {
          consumed = pos;
          break;
        }
        if (blankOK || word.length > 0) {
          words.push(word);
          spans.push({ start: shift + unitOffset(unit, wordStart, line.length), end: shift + unitOffset(unit, pos, line.length) });
        }
        word = '';
        blankOK = false;
        continue;
      }
      if (ch === 0x27 || ch === 0x22) {
        quote = ch;
        blankOK = true;
        phase = IN_QUOTE;
        continue;
      }
      if (ch === escapeToken) {
        if (pos + 1 === n) continue; // an escape at the end is dropped
        pos++;
        ch = ascii ? line.charCodeAt(pos) : bytes![pos];
        if (ascii && ch > 0x7f) return extractBuilderFlags(line, escapeToken, shift, true);
      } else if (ascii) {
        // A run of ordinary characters is one slice, not one string per character.
        let end = pos + 1;
        for (; end < n; end++) {
          const c = line.charCodeAt(end);
          if (c > 0x7f) return extractBuilderFlags(line, escapeToken, shift, true);
          if (isGoSpace(c) || c === 0x27 || c === 0x22 || c === escapeToken) break;
        }
        word += line.slice(pos, end);
        pos = end - 1;
        continue;
      }
      word += String.fromCharCode(ch);
      continue;
    }
    // IN_QUOTE
    if (ch === quote) {
      phase = IN_WORD;
      continue;
    }
    if (ch === escapeToken) {
      if (pos + 1 === n) {
        phase = IN_WORD;
        continue;
      }
      pos++;
      ch = ascii ? line.charCodeAt(pos) : bytes![pos];
      if (ascii && ch > 0x7f) return extractBuilderFlags(line, escapeToken, shift, true);
    }
    word += String.fromCharCode(ch);
  }
  if (consumed < 0) return { flags: words, spans, consumed: line.length };
  return { flags: words, spans, consumed: unit === undefined ? consumed : unit[consumed] };
}

/** The UTF-16 offset of UTF-8 byte `pos` (the same number on an ASCII line). */
function unitOffset(unit: number[] | undefined, pos: number, length: number): number {
  return unit === undefined ? Math.min(pos, length) : pos < unit.length ? unit[pos] : length;
}

/** BuildKit's `splitCommand(line, d)`. */
export function splitCommand(line: string, escapeToken: number): SplitLine {
  const start = skipGoSpace(line, 0);
  const end = trimmedEnd(line, start);
  let i = start;
  while (i < end && !isReWhitespace(line.charCodeAt(i))) i++;
  const cmd = line.slice(start, i);
  if (i >= end) return { cmd, cmdStart: start, flags: none(), flagSpans: none(), args: '', argsStart: end };
  while (i < end && isReWhitespace(line.charCodeAt(i))) i++;
  // Most lines have no flags: they share one empty list (nobody writes to a parsed line's lists).
  let flags = none<string>();
  let flagSpans = none<{ start: number; end: number }>();
  let argsFrom = i;
  // fast path: no flags unless the remainder starts with `--`
  const first = skipGoSpace(line, i);
  if (line.charCodeAt(first) === 0x2d && line.charCodeAt(first + 1) === 0x2d) {
    const r = extractBuilderFlags(line.slice(i, end), escapeToken, i);
    flags = fit(r.flags);
    flagSpans = r.spans;
    argsFrom = i + r.consumed;
  } else {
    argsFrom = first;
  }
  const argsStart = skipGoSpace(line, argsFrom);
  const argsEnd = Math.max(argsStart, trimmedEnd(line, argsStart, end));
  return { cmd, cmdStart: start, flags, flagSpans, args: line.slice(argsStart, argsEnd), argsStart };
}
