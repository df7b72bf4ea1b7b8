/**
 * The Dockerfile parser: BuildKit's `parser.Parse` as a linear, hand-written line scanner.
 */
import { fit, none } from '../util/arrays.js';
import { DockerfileError, type SourceLocation, type SourceRange } from '../errors.js';
import { goTrimLeftSpace, goTrimSpace, isGoSpace, utf8Length } from '../util/gounicode.js';
import { ErrorCode, type ErrorCodeValue } from './codes.js';
import { type Directive, DirectiveParser } from './directives.js';
import { type HeredocMarker, heredocsFromLine } from './heredoc.js';
import { type LineContext, LineFailure, LINE_PARSERS, type LineParser, type MutableNode, NO_ATTRIBUTES, parseIgnore } from './lineparsers.js';
import { LineMap, NO_RANGES, NOWHERE_RANGE } from './linemap.js';
import type { Heredoc, Node } from './node.js';
import { splitCommand } from './splitcommand.js';

/** A non-fatal finding of the parser (BuildKit's `parser.Warning`). */
export interface Warning {
  /** One-line description, e.g. `Empty continuation line found in: RUN a b`. */
  readonly short: string;
  readonly detail: readonly string[];
  readonly url: string;
  readonly location: SourceLocation;
}

/** The result of {@link parse}. */
export interface ParseResult {
  /** The root node; its `children` are the instructions. */
  readonly ast: Node;
  /** Raw values of the directives the parser recognised in the leading comment block. */
  readonly directives: { readonly syntax?: string; readonly escape?: string; readonly check?: string };
  /** The same directives in file order, with their line numbers. */
  readonly directiveList: readonly Directive[];
  /** The escape token in effect: `\` unless `# escape=`` ` ``. */
  readonly escapeToken: '\\' | '`';
  readonly warnings: readonly Warning[];
}

/** Options of {@link parse}. */
export interface ParseOptions {
  /** The file name used in error locations; default `Dockerfile`. */
  file?: string;
  /**
   * @internal `false`: argument nodes and builder flags get no source ranges of their own (one
   * shared range at line 0, and no `flagRanges`), for a caller that reads only the words, like
   * the converter. An instruction keeps its range. Saves three objects per word.
   */
  argumentRanges?: boolean;
}

/** BuildKit's scanner refuses lines longer than this many bytes. */
const MAX_LINE_BYTES = 64 * 1024 - 1;

/** Splits the text into lines the way BuildKit's scanner does (line endings kept). */
class LineReader {
  private pos = 0;
  /** Length of the last line returned, without its line ending. */
  lastContentLength = 0;
  tooLong = false;

  constructor(private readonly text: string) {}

  next(): string | undefined {
    const t = this.text;
    if (this.tooLong || this.pos >= t.length) return undefined;
    const nl = t.indexOf('\n', this.pos);
    const end = nl < 0 ? t.length : nl + 1;
    const raw = t.slice(this.pos, end);
    if (raw.length > MAX_LINE_BYTES / 3 && utf8Length(raw.endsWith('\n') ? raw.slice(0, -1) : raw) > MAX_LINE_BYTES) {
      this.tooLong = true;
      return undefined;
    }
    this.pos = end;
    this.lastContentLength = trimNewline(raw).length;
    return raw;
  }
}

/** Go's `bytes.TrimRight(s, "\r\n")`. */
function trimNewline(s: string): string {
  let end = s.length;
  while (end > 0) {
    const c = s.charCodeAt(end - 1);
    if (c !== 0x0a && c !== 0x0d) break;
    end--;
  }
  return end === s.length ? s : s.slice(0, end);
}

function isComment(line: string): boolean {
  let i = 0;
  while (i < line.length && isGoSpace(line.charCodeAt(i))) i++;
  return line.charCodeAt(i) === 0x23;
}

/**
 * Removes a trailing line-continuation escape (BuildKit's expression
 * `([^E])E[ \t]*$|^E[ \t]*$` replaced by `$1`). Returns [line, isEndOfLine].
 */
function trimContinuation(line: string, esc: number): [string, boolean] {
  let end = line.length;
  while (end > 0) {
    const c = line.charCodeAt(end - 1);
    if (c !== 0x20 && c !== 0x09) break;
    end--;
  }
  if (end === 0 || line.charCodeAt(end - 1) !== esc) return [line, true];
  if (end === 1) return ['', false];
  if (line.charCodeAt(end - 2) === esc) return [line, true];
  return [line.slice(0, end - 1), false];
}


/** Where a top-level instruction is, until its last line (heredocs included) has been read. */
const PENDING_RANGE: SourceRange = NOWHERE_RANGE;

interface Keyword {
  /** The keyword as first written this way: one string that every node spelling it so shares. */
  readonly written: string;
  /** The keyword lower-cased (BuildKit's node value). */
  readonly lower: string;
  readonly parser: LineParser;
}

/**
 * Keywords as written → their lower-cased form and line parser. A file spells its keywords a few
 * ways, so this stays small; it saves a lower-cased copy of every keyword. Bounded: short
 * keywords only, and a file of made-up keywords stops adding entries. Short means under 13
 * characters (HEALTHCHECK has 11): V8 copies a substring that short, where a longer one is a
 * view that would keep the whole Dockerfile alive in this module-level map.
 */
const KEYWORDS = new Map<string, Keyword>();
const MAX_KEYWORDS = 256;

function keyword(asWritten: string): Keyword {
  const hit = KEYWORDS.get(asWritten);
  if (hit) return hit;
  const lower = asWritten.toLowerCase();
  const kw: Keyword = { written: asWritten, lower, parser: LINE_PARSERS.get(lower) ?? parseIgnore };
  if (asWritten.length <= 12 && KEYWORDS.size < MAX_KEYWORDS) KEYWORDS.set(asWritten, kw);
  return kw;
}

function newNode(value: string, keyword: string, range: SourceRange): MutableNode {
  return {
    value,
    keyword,
    next: [],
    children: [],
    heredocs: [],
    attributes: {},
    original: '',
    flags: [],
    flagRanges: [],
    startLine: range.start.line,
    endLine: range.end.line,
    range,
    prevComment: [],
  };
}

function canContainHeredoc(node: MutableNode): boolean {
  let n = node;
  if (n.value === 'onbuild' && n.next.length > 0 && n.next[0].children.length > 0) n = n.next[0].children[0];
  return (n.value === 'add' || n.value === 'copy' || n.value === 'run') && !n.attributes.json;
}

/** The range of an instruction: from its first character to the end of its last line. */
function instructionRange(startLine: number, startCol: number, endLine: number, endColumn: number): SourceRange {
  return { start: { line: startLine, column: startCol }, end: { line: endLine, column: endColumn } };
}

/**
 * Parses Dockerfile text into BuildKit's parse tree. Handles a UTF-8 BOM, CRLF line endings,
 * continuation lines, comments, parser directives and heredocs exactly like BuildKit v0.32.
 *
 * Throws {@link DockerfileError} for what BuildKit's parser rejects: invalid or repeated
 * directives, JSON arrays with non-string elements, malformed ENV/LABEL, unterminated heredocs,
 * over-long lines, and a file without instructions (`file with no instructions`).
 * Unknown instructions and flags are accepted here; {@link parseInstructions} rejects them.
 */
export function parse(text: string, options?: ParseOptions): ParseResult {
  const file = options?.file ?? 'Dockerfile';
  const wordRanges = options?.argumentRanges !== false;
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const reader = new LineReader(src);
  const directiveParser = new DirectiveParser();
  const directiveList: Directive[] = [];
  let esc = 0x5c;
  const warnings: Warning[] = [];
  const children: MutableNode[] = [];
  let comments: string[] = [];
  let currentLine = 0;

  const loc = (range: SourceRange): SourceLocation => ({ kind: 'source', file, ...range });
  const lineRange = (from: number, to: number): SourceRange => ({
    start: { line: from, column: 1 },
    end: { line: to, column: 1 },
  });
  const fail = (code: ErrorCodeValue, message: string, range: SourceRange): never => {
    throw new DockerfileError(code, message, loc(range));
  };

  const ctx: LineContext = {
    get escapeToken() {
      return esc;
    },
    subInstruction: (line, map) => nodeFromLine(line, map, none()),
  };

  /**
   * The node of one instruction line. `range` is where the instruction is when the caller knows
   * better than the line (a top-level instruction ends after its heredocs: the caller sets it).
   */
  function nodeFromLine(line: string, map: LineMap, prevComment: string[], range?: SourceRange): MutableNode {
    const sc = splitCommand(line, esc);
    const kw = keyword(sc.cmd);
    const parsed = kw.parser(sc.args, wordRanges ? map.shifted(sc.argsStart) : NO_RANGES, ctx);
    const r = range ?? map.range(sc.cmdStart, line.length);
    // One literal with every field final (no empty lists made to be replaced): a parse keeps
    // every node, so what it allocates, the collector copies.
    return {
      value: kw.lower,
      keyword: kw.written,
      next: parsed.next,
      children: none(),
      heredocs: none(),
      attributes: parsed.json ? { json: true } : NO_ATTRIBUTES,
      original: line,
      flags: sc.flags,
      flagRanges: sc.flagSpans.length === 0 || !wordRanges ? none() : sc.flagSpans.map((sp) => map.range(sp.start, sp.end)),
      startLine: r.start.line,
      endLine: r.end.line,
      range: r,
      prevComment,
    };
  }

  for (let raw = reader.next(); raw !== undefined; raw = reader.next()) {
    const lineNo = currentLine + 1;
    if (isComment(raw)) {
      const c = goTrimSpace(raw.slice(1));
      if (c === '') comments = [];
      else comments.push(c);
    }
    // processLine(stripLeftWhitespace=true)
    const token = goTrimLeftSpace(trimNewline(raw));
    if (!directiveParser.isDone) {
      const d = directiveParser.parseLine(token, lineNo);
      if (d && 'error' in d) fail(ErrorCode.Directive, d.error, lineRange(lineNo, lineNo));
      else if (d) {
        if (d.name === 'escape') {
          if (d.value !== '`' && d.value !== '\\') {
            fail(ErrorCode.Directive, `invalid escape token '${d.value}' does not match \` or \\`, lineRange(lineNo, lineNo));
          }
          esc = d.value.charCodeAt(0);
        }
        directiveList.push(d);
        comments.pop();
      }
    }
    const processed = isComment(token) ? '' : token;
    currentLine++;
    const startLine = currentLine;
    const startCol = raw.length - goTrimLeftSpace(raw).length + 1;
    let [part, isEnd] = trimContinuation(processed, esc);
    if (isEnd && part === '') continue;

    let line = part;
    const map = new LineMap([0, part.length, startLine, startCol]);
    let hasEmptyContinuation = false;
    while (!isEnd) {
      const r = reader.next();
      if (r === undefined) break;
      currentLine++;
      if (isComment(r)) continue;
      const p = trimNewline(r);
      if (goTrimLeftSpace(p) === '') {
        hasEmptyContinuation = true;
        continue;
      }
      [part, isEnd] = trimContinuation(p, esc);
      map.add(line.length, part.length, currentLine, 1);
      line += part;
    }
    let endColumn = reader.lastContentLength + 1;

    if (hasEmptyContinuation) {
      warnings.push({
        short: 'Empty continuation line found in: ' + line,
        detail: ['Empty continuation lines will become errors in a future release'],
        url: 'https://docs.docker.com/go/dockerfile/rule/no-empty-continuation/',
        location: loc(lineRange(currentLine, currentLine)),
      });
    }

    let child: MutableNode;
    try {
      child = nodeFromLine(line, map, fit(comments), PENDING_RANGE);
    } catch (e) {
      if (e instanceof LineFailure) fail(e.code, e.message, instructionRange(startLine, startCol, currentLine, endColumn));
      throw e;
    }

    if (canContainHeredoc(child) && line.includes('<<')) {
      let markers: HeredocMarker[] = [];
      try {
        markers = heredocsFromLine(line);
      } catch (e) {
        fail(ErrorCode.Heredoc, e instanceof Error ? e.message : String(e), instructionRange(startLine, startCol, currentLine, endColumn));
      }
      const heredocs: Heredoc[] = [];
      for (const m of markers) {
        let content = '';
        let terminated = false;
        for (let r = reader.next(); r !== undefined; r = reader.next()) {
          currentLine++;
          let candidate = trimNewline(r);
          if (m.chomp) candidate = candidate.replace(/^\t+/, '');
          if (candidate === m.name) {
            terminated = true;
            break;
          }
          content += r;
        }
        endColumn = reader.lastContentLength + 1;
        if (!terminated) fail(ErrorCode.Heredoc, 'unterminated heredoc', instructionRange(startLine, startCol, currentLine, endColumn));
        heredocs.push({ name: m.name, content, expand: m.expand, chomp: m.chomp, fileDescriptor: m.fileDescriptor });
      }
      child.heredocs = heredocs;
    }

    child.startLine = startLine;
    child.endLine = currentLine;
    child.range = instructionRange(startLine, startCol, currentLine, endColumn);
    children.push(child);
    if (comments.length > 0) comments = [];
  }

  if (children.length === 0) {
    fail(ErrorCode.NoInstructions, 'file with no instructions', lineRange(Math.max(currentLine, 1), Math.max(currentLine, 1)));
  }
  if (reader.tooLong) {
    fail(
      ErrorCode.LineTooLong,
      `dockerfile line greater than max allowed size of ${MAX_LINE_BYTES}`,
      lineRange(currentLine + 1, currentLine + 1),
    );
  }

  const first = children[0];
  const last = children[children.length - 1];
  const root = newNode('', '', { start: first.range.start, end: last.range.end });
  root.startLine = first.startLine;
  root.endLine = last.endLine;
  root.children = children;

  const directives: { syntax?: string; escape?: string; check?: string } = {};
  for (const d of directiveList) directives[d.name] = d.value;
  return {
    ast: root,
    directives,
    directiveList,
    escapeToken: esc === 0x60 ? '`' : '\\',
    warnings,
  };
}

