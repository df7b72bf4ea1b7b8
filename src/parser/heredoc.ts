/** Heredoc detection on instruction lines (BuildKit's `ParseHeredoc` and `heredocsFromLine`). */
import { DockerfileError } from '../errors.js';
import { ErrorCode } from './codes.js';
import { splitWords } from './words.js';

/** A heredoc marker found on an instruction line, before its body is read. */
export interface HeredocMarker {
  readonly name: string;
  readonly expand: boolean;
  readonly chomp: boolean;
  readonly fileDescriptor: number;
}

function isReSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0c || c === 0x0d;
}

const count = (s: string) => {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x27 || c === 0x22) n++;
  }
  return n;
};

/**
 * BuildKit's `ParseHeredoc(word)`: matches `^(\d*)<<(-?)\s*([^<]*)$` and lexes the delimiter.
 * Returns undefined when `word` is not a heredoc marker. Throws (a message string) when the
 * delimiter cannot be lexed, as BuildKit returns an error there.
 */
export function parseHeredocMarker(word: string): HeredocMarker | undefined {
  let i = 0;
  while (i < word.length && word.charCodeAt(i) >= 0x30 && word.charCodeAt(i) <= 0x39) i++;
  const fdText = word.slice(0, i);
  if (!word.startsWith('<<', i)) return undefined;
  i += 2;
  const chomp = word.charCodeAt(i) === 0x2d;
  if (chomp) i++;
  while (i < word.length && isReSpace(word.charCodeAt(i))) i++;
  const rest = word.slice(i);
  if (rest.includes('<')) return undefined;
  if (rest.length === 0) return undefined;
  const fdNum = fdText === '' ? 0 : Number(fdText);
  const fd = Number.isSafeInteger(fdNum) ? fdNum : 0;

  const words = splitWords(rest, { rawQuotes: false, rawEscapes: false });
  if (words.length !== 1) return undefined;
  const wordsRaw = splitWords(rest, { rawQuotes: true, rawEscapes: false });
  if (wordsRaw.length !== words.length) {
    throw new DockerfileError(ErrorCode.Heredoc, `internal lexing of heredoc produced inconsistent results: ${rest}`);
  }
  return { name: words[0], expand: count(words[0]) === count(wordsRaw[0]), chomp, fileDescriptor: fd };
}

/** Like {@link parseHeredocMarker}, but errors mean "not a heredoc" (BuildKit's `MustParseHeredoc`). */
export function mustParseHeredoc(word: string): HeredocMarker | undefined {
  try {
    return parseHeredocMarker(word);
  } catch {
    return undefined;
  }
}

/** The heredoc markers of an instruction line, in order (BuildKit's `heredocsFromLine`). */
export function heredocsFromLine(line: string): HeredocMarker[] {
  let words: string[];
  try {
    words = splitWords(line, { rawQuotes: true, rawEscapes: true });
  } catch {
    words = [];
  }
  const out: HeredocMarker[] = [];
  for (const w of words) {
    const h = parseHeredocMarker(w);
    if (h) out.push(h);
  }
  return out;
}

/** Removes leading tabs from every line of a heredoc body (BuildKit's `ChompHeredocContent`). */
export function chompHeredocContent(src: string): string {
  return src.replace(/(^|\n)\t+/g, '$1');
}
