/**
 * Per-instruction argument parsers (BuildKit's `line_parsers.go`). Each turns the argument
 * text of one instruction into argument nodes; none of them expands variables.
 */
import type { SourceRange } from '../errors.js';
import { fit, none } from '../util/arrays.js';
import { goQuote } from '../util/goquote.js';
import { isGoSpace } from '../util/gounicode.js';
import { ErrorCode, type ErrorCodeValue } from './codes.js';
import { parseJsonArray } from './json.js';
import type { LineMap } from './linemap.js';
import type { Node } from './node.js';
import { isReWhitespace } from './splitcommand.js';

/** An error detected while parsing a line; the caller attaches the location. */
export class LineFailure extends Error {
  constructor(
    readonly code: ErrorCodeValue,
    message: string,
  ) {
    super(message);
  }
}

/** Mutable node used while building; exposed as the readonly {@link Node}. */
export interface MutableNode {
  value: string;
  keyword: string;
  next: MutableNode[];
  children: MutableNode[];
  heredocs: Node['heredocs'][number][];
  attributes: { json?: boolean };
  original: string;
  flags: string[];
  flagRanges: SourceRange[];
  startLine: number;
  endLine: number;
  range: SourceRange;
  prevComment: string[];
}

/** The attributes of a node without any (shared, frozen). */
export const NO_ATTRIBUTES: MutableNode['attributes'] = Object.freeze({});


/** The longest word {@link argNode} shares. */
const MAX_SHARED_WORD = 64;

/**
 * A node for an argument word spanning [start, end) of the argument text. Where words have no
 * ranges, one node per value is shared: such a node must not be changed ({@link freshArgNode}).
 */
export function argNode(value: string, map: LineMap, start: number, end: number): MutableNode {
  const words = map.words as Map<string, MutableNode> | undefined;
  // Long words (a RUN line is one) are seldom repeated, and hashing them costs their length.
  if (words === undefined || value.length > MAX_SHARED_WORD) return freshArgNode(value, map, start, end);
  let node = words.get(value);
  if (node === undefined) words.set(value, (node = freshArgNode(value, map, start, end)));
  return node;
}

/** A new node for an argument word, never shared (see {@link argNode}). */
function freshArgNode(value: string, map: LineMap, start: number, end: number): MutableNode {
  const range = map.range(start, end);
  return {
    value,
    keyword: '',
    next: none(),
    children: none(),
    heredocs: none(),
    attributes: NO_ATTRIBUTES,
    original: '',
    flags: none(),
    flagRanges: none(),
    startLine: range.start.line,
    endLine: range.end.line,
    range,
    prevComment: none(),
  };
}

/** What a line parser returns. */
export interface ParsedArgs {
  readonly next: MutableNode[];
  readonly json: boolean;
}

const NONE: ParsedArgs = { next: [], json: false };

/** Context shared by the line parsers of one file. */
export interface LineContext {
  readonly escapeToken: number;
  /** Parses a nested instruction line (ONBUILD triggers). */
  readonly subInstruction: (line: string, map: LineMap) => MutableNode;
}

export type LineParser = (rest: string, map: LineMap, ctx: LineContext) => ParsedArgs;

interface Word {
  readonly text: string;
  readonly start: number;
  readonly end: number;
}

/**
 * BuildKit's `parseWords`: whitespace-separated words, quotes and escapes kept verbatim. A
 * word's text is always the source slice, except that an escape token ending the line is
 * dropped, so words are sliced rather than built character by character.
 */
export function parseWords(rest: string, escapeToken: number): Word[] {
  const words: Word[] = [];
  const IN_SPACES = 0;
  const IN_WORD = 1;
  const IN_QUOTE = 2;
  let phase = IN_SPACES;
  let quote = 0;
  let blankOK = false;
  let start = 0;
  let droppedEnd = false;
  let ch = 0;
  let w = 0;
  const n = rest.length;
  const push = (end: number) => {
    const textEnd = droppedEnd ? end - 1 : end;
    if (blankOK || textEnd > start) words.push({ text: rest.slice(start, textEnd), start, end });
  };
  for (let pos = 0; pos <= n; pos += w) {
    if (pos !== n) {
      ch = rest.charCodeAt(pos);
      w = 1;
      if (ch >= 0xd800 && ch <= 0xdbff && pos + 1 < n) {
        const lo = rest.charCodeAt(pos + 1);
        if (lo >= 0xdc00 && lo <= 0xdfff) {
          ch = (ch - 0xd800) * 0x400 + (lo - 0xdc00) + 0x10000;
          w = 2;
        }
      }
    }
    if (phase === IN_SPACES) {
      if (pos === n) break;
      if (isGoSpace(ch)) continue;
      phase = IN_WORD;
      start = pos;
      droppedEnd = false;
    }
    if (pos === n) {
      push(pos);
      break;
    }
    if (phase === IN_WORD) {
      if (isGoSpace(ch)) {
        phase = IN_SPACES;
        push(pos);
        blankOK = false;
        continue;
      }
      if (ch === 0x27 || ch === 0x22) {
        quote = ch;
        blankOK = true;
        phase = IN_QUOTE;
      }
      if (ch === escapeToken) {
        if (pos + w === n) {
          droppedEnd = true; // an escape at the end of the line is dropped
          continue;
        }
        pos += w;
        w = rest.codePointAt(pos)! > 0xffff ? 2 : 1;
      }
      continue;
    }
    // IN_QUOTE
    if (ch === quote) phase = IN_WORD;
    if (ch === escapeToken && quote !== 0x27) {
      if (pos + w === n) {
        phase = IN_WORD;
        droppedEnd = true;
        continue;
      }
      pos += w;
      w = rest.codePointAt(pos)! > 0xffff ? 2 : 1;
    }
  }
  return words;
}

function keyValue(key: [string, number, number], value: [string, number, number], sep: [string, number, number], map: LineMap): MutableNode[] {
  return [argNode(key[0], map, key[1], key[2]), argNode(value[0], map, value[1], value[2]), argNode(sep[0], map, sep[1], sep[2])];
}

/** Index of the first `[\t\v\f\r ]` run: [start, end) or undefined. */
function firstWhitespaceRun(s: string): [number, number] | undefined {
  let i = 0;
  while (i < s.length && !isReWhitespace(s.charCodeAt(i))) i++;
  if (i >= s.length) return undefined;
  let j = i;
  while (j < s.length && isReWhitespace(s.charCodeAt(j))) j++;
  return [i, j];
}

function parseNameVal(rest: string, map: LineMap, ctx: LineContext, key: string): ParsedArgs {
  const words = parseWords(rest, ctx.escapeToken);
  if (words.length === 0) return NONE;
  if (!words[0].text.includes('=')) {
    // legacy form: KEY name value
    const run = firstWhitespaceRun(rest);
    if (!run) throw new LineFailure(ErrorCode.Syntax, `${key} must have two arguments`);
    const [a, b] = run;
    return { next: keyValue([rest.slice(0, a), 0, a], [rest.slice(b), b, rest.length], ['', a, a], map), json: false };
  }
  const next: MutableNode[] = [];
  for (const w of words) {
    const eq = w.text.indexOf('=');
    if (eq < 0) {
      throw new LineFailure(
        ErrorCode.Syntax,
        `Syntax error - can't find = in ${goQuote(w.text)}. Must be of the form: name=value`,
      );
    }
    const k = w.start + eq;
    next.push(...keyValue([w.text.slice(0, eq), w.start, k], [w.text.slice(eq + 1), k + 1, w.end], ['=', k, k + 1], map));
  }
  return { next: fit(next), json: false };
}

const parseEnv: LineParser = (rest, map, ctx) => parseNameVal(rest, map, ctx, 'ENV');
const parseLabel: LineParser = (rest, map, ctx) => parseNameVal(rest, map, ctx, 'LABEL');

const parseNameOrNameVal: LineParser = (rest, map, ctx) => ({
  next: parseWords(rest, ctx.escapeToken).map((w) => argNode(w.text, map, w.start, w.end)),
  json: false,
});

/** Splits on runs of `[\t\v\f\r ]`, like BuildKit's `reWhitespace.Split(rest, -1)`. */
const parseStringsWhitespaceDelimited: LineParser = (rest, map) => {
  if (rest === '') return NONE;
  const next: MutableNode[] = [];
  let start = 0;
  for (let i = 0; i <= rest.length; i++) {
    if (i === rest.length || isReWhitespace(rest.charCodeAt(i))) {
      next.push(argNode(rest.slice(start, i), map, start, i));
      while (i + 1 < rest.length && isReWhitespace(rest.charCodeAt(i + 1))) i++;
      start = i + 1;
    }
  }
  return { next: fit(next), json: false };
};

const parseString: LineParser = (rest, map) => (rest === '' ? NONE : { next: [argNode(rest, map, 0, rest.length)], json: false });

const NOT_STRINGS = 'when using JSON array syntax, arrays must be comprised of strings only';

/** `undefined` when `rest` is not an acceptable JSON array (fall back to shell form). */
function parseJSON(rest: string, map: LineMap): ParsedArgs | undefined {
  let i = 0;
  while (i < rest.length && isGoSpace(rest.charCodeAt(i))) i++;
  if (rest.charCodeAt(i) !== 0x5b) return undefined;
  const r = parseJsonArray(rest.slice(i));
  if (r.kind === 'notStrings') throw new LineFailure(ErrorCode.Syntax, NOT_STRINGS);
  if (r.kind === 'invalid') return undefined;
  return { next: r.items.map((it) => argNode(it.value, map, i + it.start, i + it.end)), json: true };
}

const parseMaybeJSON: LineParser = (rest, map) => {
  if (rest === '') return NONE;
  return parseJSON(rest, map) ?? { next: [argNode(rest, map, 0, rest.length)], json: false };
};

const parseMaybeJSONToList: LineParser = (rest, map, ctx) =>
  parseJSON(rest, map) ?? parseStringsWhitespaceDelimited(rest, map, ctx);

/** HEALTHCHECK: a type word, then the command like {@link parseMaybeJSON}. */
const parseHealthConfig: LineParser = (rest, map, ctx) => {
  // BuildKit scans bytes here; for the ASCII separators that matter the result is the same
  const sp = (c: number) => c <= 0xff && isGoSpace(c);
  let sep = 0;
  while (sep < rest.length && !sp(rest.charCodeAt(sep))) sep++;
  let next = sep;
  while (next < rest.length && sp(rest.charCodeAt(next))) next++;
  if (sep === 0) return NONE;
  const cmd = parseMaybeJSON(rest.slice(next), map.shifted(next), ctx);
  return { next: [argNode(rest.slice(0, sep), map, 0, sep), ...cmd.next], json: cmd.json };
};

const parseSubCommand: LineParser = (rest, map, ctx) => {
  if (rest === '') return NONE;
  const child = ctx.subInstruction(rest, map);
  const wrapper = freshArgNode('', map, 0, rest.length);
  wrapper.children = [child];
  return { next: [wrapper], json: false };
};

/** Unknown instructions keep a single empty argument node, as in BuildKit. */
export const parseIgnore: LineParser = (_rest, map) => ({ next: [argNode('', map, 0, 0)], json: false });

/** BuildKit's dispatch table: lower-cased keyword → line parser. */
export const LINE_PARSERS: ReadonlyMap<string, LineParser> = new Map<string, LineParser>([
  ['add', parseMaybeJSONToList],
  ['arg', parseNameOrNameVal],
  ['cmd', parseMaybeJSON],
  ['copy', parseMaybeJSONToList],
  ['entrypoint', parseMaybeJSON],
  ['env', parseEnv],
  ['expose', parseStringsWhitespaceDelimited],
  ['from', parseStringsWhitespaceDelimited],
  ['healthcheck', parseHealthConfig],
  ['label', parseLabel],
  ['maintainer', parseString],
  ['onbuild', parseSubCommand],
  ['run', parseMaybeJSON],
  ['shell', parseMaybeJSON],
  ['stopsignal', parseString],
  ['user', parseString],
  ['volume', parseMaybeJSONToList],
  ['workdir', parseString],
]);
