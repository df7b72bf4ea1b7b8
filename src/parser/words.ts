/**
 * Word splitting of heredoc markers, as BuildKit's parser does it: with its shell lexer
 * (`shell.NewLex('\\')`, `SkipUnsetEnv`) over an environment with no variables.
 *
 * The parser needs the delimiter of a heredoc before it can read the heredoc's body, so this runs
 * while parsing, below the `shell` layer (docs/architecture.md). With no variable defined and
 * unset references kept, expansion reduces to this: quotes and escapes are processed, every `$…`
 * form is kept as written (the words of a `${NAME<op>word}` form still have their own quotes
 * processed, and `${A//x/y}` comes out as `${A/x/y}`), and words split on unquoted whitespace.
 * BuildKit's quirks are kept: the escape is always `\` whatever the `escape` directive says, and
 * the word being built is lost when a `${NAME<op>…}` form starts (one buffer serves every level).
 * `test/parser/words.test.ts` compares this with the `shell` layer's lexer on random input.
 */
import { DockerfileError, LimitError } from '../errors.js';
import { goQuote } from '../util/goquote.js';
import { isGoDigit, isGoLetter, isGoSpace } from '../util/gounicode.js';
import { ErrorCode } from './codes.js';

/** The lexer settings the parser uses (BuildKit's `Lex.RawQuotes` and `Lex.RawEscapes`). */
export interface WordSplitOptions {
  /** Keep quote characters in the words. */
  readonly rawQuotes: boolean;
  /** Keep the escape character in the words. */
  readonly rawEscapes: boolean;
}

/**
 * Deepest nesting of `${…}` forms accepted, as the `shell` layer's default `maxNestingDepth`:
 * deeper input would exhaust the JavaScript stack (BuildKit's Go stack grows instead).
 */
export const MAX_WORD_NESTING = 128;

const EOF = -1;
const BACKSLASH = 0x5c;
const DOLLAR = 0x24;
const SINGLE_QUOTE = 0x27;
const DOUBLE_QUOTE = 0x22;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const COLON = 0x3a;
const SLASH = 0x2f;
const LESS = 0x3c;

/** Go's `string(rune)`: EOF and lone surrogates become U+FFFD. */
function rune(cp: number): string {
  return cp < 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) ? '\ufffd' : String.fromCodePoint(cp);
}

/** `$@ $* $# $? $- $$ $! $0`: one-character names. */
const SPECIAL_PARAMS = new Set([0x40, 0x2a, 0x23, 0x3f, 0x2d, 0x24, 0x21, 0x30]);
/** `${NAME<op>word}` operators: `:` (then any character), `+`, `-`, `?`, `#`, `%`. */
const BRACE_OPERATORS = new Set([COLON, 0x2b, 0x2d, 0x3f, 0x23, 0x25]);

/** A lexing failure; `splitWords` prefixes it with the word, as BuildKit does. */
class WordFailure extends Error {}

class WordSplitter {
  private pos: number;
  /** The word being built; one buffer for every nesting level, as in BuildKit. */
  private buf = '';
  private depth = 0;

  constructor(
    private readonly src: string,
    private readonly rawQuotes: boolean,
  ) {
    // Go's text/scanner skips a byte-order mark at the very start.
    this.pos = src.charCodeAt(0) === 0xfeff ? 1 : 0;
  }

  private peek(): number {
    return this.pos < this.src.length ? this.src.codePointAt(this.pos)! : EOF;
  }

  private next(): number {
    const cp = this.peek();
    if (cp !== EOF) this.pos += cp > 0xffff ? 2 : 1;
    return cp;
  }

  /** The top level: the text split into words. */
  words(rawEscapes: boolean): string[] {
    const words: string[] = [];
    this.scan(EOF, rawEscapes, words);
    return words;
  }

  /** Ends the current word (if any) into `words`. */
  private endWord(words: string[]): void {
    if (this.buf.length !== 0) {
      words.push(this.buf);
      this.buf = '';
    }
  }

  /** Adds a character that splits words when it is whitespace. */
  private addSplitting(ch: number, words: string[]): void {
    if (!isGoSpace(ch)) this.addRaw(rune(ch));
    else this.endWord(words);
  }

  private addRaw(s: string): void {
    this.buf += s;
  }

  /**
   * Processes the text up to `stop` (consumed) or the end; returns the processed text and adds the
   * words it forms to `words`. BuildKit's `processStopOn`. A nested scan (a `${…}` operand) ends
   * in the one buffer too: the word its caller was building is lost.
   */
  private scan(stop: number, rawEscapes: boolean, words: string[]): string {
    let result = '';
    for (let ch = this.peek(); ch !== EOF; ch = this.peek()) {
      if (ch === stop) {
        this.next();
        this.endWord(words);
        return result;
      }
      let piece: string;
      switch (ch) {
        case DOLLAR:
          piece = this.dollar();
          for (const c of piece) this.addSplitting(c.codePointAt(0)!, words);
          break;
        case LESS:
          piece = this.possibleHeredoc();
          this.addRaw(piece);
          break;
        case SINGLE_QUOTE:
          piece = this.singleQuoted();
          this.addRaw(piece);
          break;
        case DOUBLE_QUOTE:
          piece = this.doubleQuoted(rawEscapes);
          this.addRaw(piece);
          break;
        default:
          this.next();
          if (ch === BACKSLASH) {
            piece = rawEscapes ? '\\' : '';
            const escaped = this.next();
            if (escaped !== EOF) piece += rune(escaped);
            this.addRaw(piece);
          } else {
            piece = rune(ch);
            this.addSplitting(ch, words);
          }
      }
      result += piece;
    }
    if (stop !== EOF) throw new WordFailure(`unexpected end of statement while looking for matching ${rune(stop)}`);
    this.endWord(words);
    return result;
  }

  /** The text of a `${…}` operand up to `stop`; at the end of the input, fails with `missing`. */
  private operand(stop: number, rawEscapes: boolean, missing: string): string {
    if (++this.depth > MAX_WORD_NESTING) {
      throw new LimitError('maxNestingDepth', MAX_WORD_NESTING, `\${…} expansions nested deeper than ${MAX_WORD_NESTING} levels`);
    }
    try {
      return this.scan(stop, rawEscapes, []);
    } catch (e) {
      if (e instanceof WordFailure && this.peek() === EOF) throw new WordFailure(missing);
      throw e;
    } finally {
      this.depth--;
    }
  }

  private singleQuoted(): string {
    this.next();
    let result = '';
    for (let ch = this.next(); ch !== SINGLE_QUOTE; ch = this.next()) {
      if (ch === EOF) throw new WordFailure('unexpected end of statement while looking for matching single-quote');
      result += rune(ch);
    }
    return this.rawQuotes ? `'${result}'` : result;
  }

  private doubleQuoted(rawEscapes: boolean): string {
    this.next();
    let result = '';
    for (;;) {
      const p = this.peek();
      if (p === EOF) throw new WordFailure('unexpected end of statement while looking for matching double-quote');
      if (p === DOUBLE_QUOTE) {
        this.next();
        return this.rawQuotes ? `"${result}"` : result;
      }
      if (p === DOLLAR) {
        result += this.dollar();
        continue;
      }
      let ch = this.next();
      if (ch === BACKSLASH) {
        if (rawEscapes) result += '\\';
        const q = this.peek();
        if (q === EOF) continue; // then fails: no closing quote
        if (q === DOUBLE_QUOTE || q === DOLLAR || q === BACKSLASH) ch = this.next();
      }
      result += rune(ch);
    }
  }

  /** A `$…` form, kept as written (no variable is set); operands have their quotes processed. */
  private dollar(): string {
    this.next();
    if (this.peek() !== OPEN_BRACE) return '$' + this.name();
    this.next();
    const p = this.peek();
    if (p === EOF) throw new WordFailure("syntax error: missing '}'");
    if (p === OPEN_BRACE || p === CLOSE_BRACE || p === COLON) throw new WordFailure('syntax error: bad substitution');
    const name = this.name();
    let op = this.next();
    let ops = rune(op);
    if (op === CLOSE_BRACE) return `\${${name}}`;
    if (op === SLASH) {
      if (this.peek() === SLASH) this.next(); // `${A//x/y}`: BuildKit keeps one slash
      const pattern = this.operand(SLASH, true, "syntax error: missing '/' in ${}");
      const replacement = this.operand(CLOSE_BRACE, true, "syntax error: missing '}'");
      return `\${${name}/${pattern}/${replacement}}`;
    }
    if (!BRACE_OPERATORS.has(op)) throw new WordFailure(`unsupported modifier (${ops}) in substitution`);
    const colon = op === COLON;
    if (colon) {
      op = this.next();
      ops += rune(op);
    }
    const patternOp = op === 0x23 || op === 0x25;
    if (colon && patternOp) throw new WordFailure(`unsupported modifier (${ops}) in substitution`);
    const word = this.operand(CLOSE_BRACE, patternOp, "syntax error: missing '}'");
    return `\${${name}${ops}${word}}`;
  }

  /** A variable name: digits, one special parameter, or letters, digits and `_`. */
  private name(): string {
    const first = this.peek();
    if (isGoDigit(first)) {
      let digits = '';
      while (isGoDigit(this.peek())) digits += rune(this.next());
      return digits;
    }
    if (SPECIAL_PARAMS.has(first)) return rune(this.next());
    let name = '';
    for (let ch = this.peek(); ch !== EOF && (isGoLetter(ch) || isGoDigit(ch) || ch === 0x5f); ch = this.peek()) {
      name += rune(this.next());
    }
    return name;
  }

  /** `<`, or `<<` with the spaces, tabs and carriage returns after it, kept in one word. */
  private possibleHeredoc(): string {
    this.next();
    if (this.peek() !== LESS) return '<';
    this.next();
    let s = '<<';
    for (let ch = this.peek(); ch === 0x20 || ch === 0x09 || ch === 0x0d; ch = this.peek()) s += rune(this.next());
    return s;
  }
}

/**
 * Splits `text` into words as BuildKit's shell lexer does with no variables defined and unset
 * references kept (`ProcessWords` with `SkipUnsetEnv` and an empty environment). Throws a
 * {@link DockerfileError} (code `E_SHELL_EXPANSION`) with BuildKit's message when the text cannot
 * be lexed, e.g. `failed to process "'a": unexpected end of statement while looking for matching
 * single-quote`, and a {@link LimitError} past {@link MAX_WORD_NESTING}.
 */
export function splitWords(text: string, options: WordSplitOptions): string[] {
  try {
    return new WordSplitter(text, options.rawQuotes).words(options.rawEscapes);
  } catch (e) {
    if (e instanceof WordFailure) throw new DockerfileError(ErrorCode.Expansion, `failed to process ${goQuote(text)}: ${e.message}`);
    if (e instanceof LimitError) {
      const shown = text.length <= 80 ? goQuote(text) : `${goQuote(text.slice(0, 60))}…`;
      throw new LimitError(e.limit, e.max, `failed to process ${shown}: ${e.message}`);
    }
    throw e;
  }
}
