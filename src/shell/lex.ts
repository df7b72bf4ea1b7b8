/**
 * Word expansion and splitting with the exact behaviour of BuildKit's shell lexer
 * (`frontend/dockerfile/shell/lex.go`): quotes, the escape token, `$VAR`, `${VAR}` and the
 * `${VAR<op>word}` forms, plus word splitting for `processWords`.
 */
import { DockerfileError, LimitError } from '../errors.js';
import { goQuote } from '../util/goquote.js';
import { isGoDigit, isGoLetter, isGoSpace } from '../util/gounicode.js';
import type { EnvGetter } from './env.js';
import { compileGlob, replaceGlob, reversePattern, reverseString, trimPrefixGlob, type Glob } from './glob.js';
import { ExpansionBudget, limitError, type ExpansionLimits } from './limits.js';
import { EOF, RuneScanner, runeToString } from './scanner.js';

/** Error code of every error the lexer throws. */
export const SHELL_ERROR_CODE = 'E_SHELL_EXPANSION';

/** The result of expanding one word. */
export interface ProcessWordResult {
  /** The expanded word, with quotes removed and escapes processed. */
  readonly result: string;
  /** The expansion split into words, the way `processWords` splits it. */
  readonly words: string[];
  /** Names of the variables that were looked up and found. */
  readonly used: ReadonlySet<string>;
  /** Names of the variables that were looked up and not found. */
  readonly unmatched: ReadonlySet<string>;
}

/** The `used` and `unmatched` of every word without an expansion (most words): nothing. */
const NONE: ReadonlySet<string> = new Set();

/** Options of a {@link ShellLex}; the names are BuildKit's `Lex` fields. */
export interface ShellLexOptions {
  /** Keep quote characters in the output. */
  rawQuotes?: boolean;
  /** Keep escape tokens in the output. */
  rawEscapes?: boolean;
  /** Do not treat quotes as special. */
  skipProcessQuotes?: boolean;
  /** Leave references to unset variables as they are written (`$X`, `${X:-y}`). */
  skipUnsetEnv?: boolean;
  /**
   * The running totals to count this lexer's work against, shared by the lexers of one compile.
   * Default: a budget of its own, with `limits`.
   */
  budget?: ExpansionBudget;
  /** Bounds for a budget of this lexer's own (ignored when `budget` is given). */
  limits?: Partial<ExpansionLimits>;
}

class LexFailure extends Error {}

/** BuildKit's word buffer, shared by nested `${…}` processing exactly as in BuildKit. */
class SharedBuffer {
  s = '';
}

class Words {
  words: string[] = [];
  inWord = false;
  constructor(private readonly buf: SharedBuffer) {}

  addChar(ch: number): void {
    if (isGoSpace(ch)) {
      if (this.inWord && this.buf.s.length !== 0) {
        this.words.push(this.buf.s);
        this.buf.s = '';
        this.inWord = false;
      }
    } else {
      this.addRawChar(ch);
    }
  }

  addRawChar(ch: number): void {
    this.buf.s += runeToString(ch);
    this.inWord = true;
  }

  /** `addChar` for every code point of `str`, appending runs of non-space characters at once. */
  addString(str: string): void {
    let run = -1; // start of the current run of non-space characters
    for (let i = 0; i < str.length; ) {
      const ch = str.codePointAt(i)!;
      const next = i + (ch > 0xffff ? 2 : 1);
      if (isGoSpace(ch)) {
        if (run >= 0) this.addRawString(str.slice(run, i));
        run = -1;
        this.addChar(ch);
      } else if (run < 0) {
        run = i;
      }
      i = next;
    }
    if (run >= 0) this.addRawString(str.slice(run));
  }

  addRawString(str: string): void {
    this.buf.s += str;
    this.inWord = true;
  }

  getWords(): string[] {
    if (this.buf.s.length > 0) {
      this.words.push(this.buf.s);
      this.buf.s = '';
      this.inWord = false;
    }
    return this.words;
  }
}

function isSpecialParam(ch: number): boolean {
  switch (ch) {
    case 0x40: // @
    case 0x2a: // *
    case 0x23: // #
    case 0x3f: // ?
    case 0x2d: // -
    case 0x24: // $
    case 0x21: // !
    case 0x30: // 0
      return true;
  }
  return false;
}

function isHeredocSpace(ch: number): boolean {
  return ch === 0x09 || ch === 0x0d || ch === 0x20;
}

/** State of one expansion: BuildKit's `shellWord`. */
class ShellWord {
  private readonly sc: RuneScanner;
  private readonly buf = new SharedBuffer();
  private rawEscapes: boolean;
  /** How many `${…}` forms the scanner is inside. */
  private depth = 0;
  private readonly maxWordLength: number;
  readonly used = new Set<string>();
  readonly unmatched = new Set<string>();

  constructor(
    private readonly lex: ShellLex,
    word: string,
    private readonly env: EnvGetter,
  ) {
    this.sc = new RuneScanner(word);
    this.rawEscapes = lex.rawEscapes;
    this.maxWordLength = lex.budget.limits.maxWordLength;
  }

  /** Throws when a word being built has grown past the limit. */
  private checkLength(length: number): void {
    if (length > this.maxWordLength) {
      throw limitError('maxWordLength', this.maxWordLength, `the expansion would be longer than ${this.maxWordLength} characters`);
    }
  }

  processStopOn(stopChar: number, rawEscapes: boolean): { result: string; words: string[] } {
    let result = '';
    this.buf.s = '';
    const words = new Words(this.buf);
    const saved = this.rawEscapes;
    this.rawEscapes = rawEscapes;
    try {
      const sc = this.sc;
      const quotes = !this.lex.skipProcessQuotes;
      const esc = this.lex.escapeCodePoint;
      while (sc.peek() !== EOF) {
        this.checkLength(result.length);
        let ch = sc.peek();
        if (stopChar !== EOF && ch === stopChar) {
          sc.next();
          return { result, words: words.getWords() };
        }
        if (ch === 0x24 /* $ */) {
          const tmp = this.processDollar();
          result += tmp;
          words.addString(tmp);
        } else if (ch === 0x3c /* < */) {
          const tmp = this.processPossibleHeredoc();
          result += tmp;
          words.addRawString(tmp);
        } else if (quotes && ch === 0x27 /* ' */) {
          const tmp = this.processSingleQuote();
          result += tmp;
          words.addRawString(tmp);
        } else if (quotes && ch === 0x22 /* " */) {
          const tmp = this.processDoubleQuote();
          result += tmp;
          words.addRawString(tmp);
        } else {
          // A run of ordinary characters is appended at once, not one string per character.
          const run = sc.takePlain(esc, quotes, stopChar);
          if (run !== '') {
            result += run;
            words.addRawString(run);
            continue;
          }
          ch = sc.next();
          if (ch === esc) {
            if (this.rawEscapes) {
              words.addRawChar(ch);
              result += runeToString(ch);
            }
            ch = sc.next();
            if (ch === EOF) break;
            words.addRawChar(ch);
          } else {
            words.addChar(ch);
          }
          result += runeToString(ch);
        }
      }
      if (stopChar !== EOF) {
        throw new LexFailure(`unexpected end of statement while looking for matching ${runeToString(stopChar)}`);
      }
      this.checkLength(result.length);
      return { result, words: words.getWords() };
    } finally {
      this.rawEscapes = saved;
    }
  }

  /** `processStopOn` whose failure at the end of the input becomes `missing` (BuildKit's pattern). */
  private stopOrMissing(stopChar: number, rawEscapes: boolean, missing: string): string {
    const max = this.lex.budget.limits.maxNestingDepth;
    if (++this.depth > max) {
      throw limitError('maxNestingDepth', max, `\${…} expansions nested deeper than ${max} levels`);
    }
    try {
      return this.processStopOn(stopChar, rawEscapes).result;
    } catch (e) {
      if (e instanceof LexFailure && this.sc.peek() === EOF) throw new LexFailure(missing);
      throw e;
    } finally {
      this.depth--;
    }
  }

  private processSingleQuote(): string {
    const raw = this.lex.rawQuotes;
    let result = '';
    let ch = this.sc.next();
    if (raw) result += runeToString(ch);
    for (;;) {
      ch = this.sc.next();
      if (ch === EOF) throw new LexFailure('unexpected end of statement while looking for matching single-quote');
      if (ch === 0x27) {
        if (raw) result += "'";
        return result;
      }
      result += runeToString(ch);
    }
  }

  private processDoubleQuote(): string {
    const raw = this.lex.rawQuotes;
    const esc = this.lex.escapeCodePoint;
    let result = '';
    const first = this.sc.next();
    if (raw) result += runeToString(first);
    for (;;) {
      this.checkLength(result.length);
      const p = this.sc.peek();
      if (p === EOF) throw new LexFailure('unexpected end of statement while looking for matching double-quote');
      if (p === 0x22) {
        this.sc.next();
        if (raw) result += '"';
        return result;
      }
      if (p === 0x24) {
        result += this.processDollar();
        continue;
      }
      let ch = this.sc.next();
      if (ch === esc) {
        if (this.rawEscapes) result += runeToString(ch);
        const q = this.sc.peek();
        if (q === EOF) continue; // a trailing escape is dropped
        if (q === 0x22 || q === 0x24 || q === esc) ch = this.sc.next();
      }
      result += runeToString(ch);
    }
  }

  private processDollar(): string {
    const sc = this.sc;
    const skipUnset = this.lex.skipUnsetEnv;
    sc.next();
    if (sc.peek() !== 0x7b /* { */) {
      const name = this.processName();
      if (name === '') return '$';
      const value = this.getEnv(name);
      if (value === undefined) return skipUnset ? '$' + name : '';
      return value;
    }
    sc.next();
    const p = sc.peek();
    if (p === EOF) throw new LexFailure("syntax error: missing '}'");
    if (p === 0x7b || p === 0x7d || p === 0x3a) throw new LexFailure('syntax error: bad substitution');
    const name = this.processName();
    let ch = sc.next();
    let chs = runeToString(ch);
    let nullIsUnset = false;
    switch (ch) {
      case 0x7d: {
        // ${name}
        const value = this.getEnv(name);
        if (value === undefined) return skipUnset ? `\${${name}}` : '';
        return value;
      }
      case 0x3a: // ':' then one of the modifiers below (or an unsupported one)
      case 0x2b: // +
      case 0x2d: // -
      case 0x3f: // ?
      case 0x23: // #
      case 0x25: { // %
        if (ch === 0x3a) {
          nullIsUnset = true;
          ch = sc.next();
          chs += runeToString(ch);
        }
        const rawEscapes = ch === 0x23 || ch === 0x25;
        if (nullIsUnset && rawEscapes) throw new LexFailure(`unsupported modifier (${chs}) in substitution`);
        let word = this.stopOrMissing(0x7d, rawEscapes, "syntax error: missing '}'");
        const value = this.getEnv(name);
        if (skipUnset && value === undefined) return `\${${name}${chs}${word}}`;
        const unsetOrNull = value === undefined || (nullIsUnset && value === '');
        switch (ch) {
          case 0x2d:
            return unsetOrNull ? word : value;
          case 0x2b:
            return unsetOrNull ? '' : word;
          case 0x3f:
            if (value === undefined) throw new LexFailure(`${name}: ${word !== '' ? word : 'is not allowed to be unset'}`);
            if (nullIsUnset && value === '') {
              throw new LexFailure(`${name}: ${word !== '' ? word : 'is not allowed to be empty'}`);
            }
            return value;
          case 0x25:
          case 0x23: {
            let greedy = false;
            if (word.length > 0 && word.charCodeAt(0) === ch) {
              greedy = true;
              word = word.slice(1);
            }
            const budget = this.lex.budget;
            return ch === 0x25 ? trimSuffix(word, value ?? '', greedy, budget) : trimPrefix(word, value ?? '', greedy, budget);
          }
          default:
            throw new LexFailure(`unsupported modifier (${chs}) in substitution`);
        }
      }
      case 0x2f: { // '/'
        const all = sc.peek() === 0x2f;
        if (all) sc.next();
        const pattern = this.stopOrMissing(0x2f, true, "syntax error: missing '/' in ${}");
        const replacement = this.stopOrMissing(0x7d, true, "syntax error: missing '}'");
        const value = this.getEnv(name);
        if (skipUnset && value === undefined) return `\${${name}/${pattern}/${replacement}}`;
        const glob = compileGlob(pattern, true);
        if (typeof glob === 'string') throw new LexFailure(`invalid pattern (${pattern}) in substitution: ${glob}`);
        spendPatternWork(this.lex.budget, glob, value ?? '');
        const replaced = replaceGlob(glob, value ?? '', replacement, all, this.maxWordLength);
        if (replaced === undefined) {
          throw limitError('maxWordLength', this.maxWordLength, `the replacement would be longer than ${this.maxWordLength} characters`);
        }
        return replaced;
      }
      default:
        throw new LexFailure(`unsupported modifier (${chs}) in substitution`);
    }
  }

  private processName(): string {
    const sc = this.sc;
    let name = '';
    while (sc.peek() !== EOF) {
      const ch = sc.peek();
      if (name.length === 0 && isGoDigit(ch)) {
        while (sc.peek() !== EOF && isGoDigit(sc.peek())) name += runeToString(sc.next());
        return name;
      }
      if (name.length === 0 && isSpecialParam(ch)) {
        sc.next();
        return runeToString(ch);
      }
      if (!isGoLetter(ch) && !isGoDigit(ch) && ch !== 0x5f) break;
      name += runeToString(sc.next());
    }
    return name;
  }

  private processPossibleHeredoc(): string {
    const sc = this.sc;
    sc.next();
    if (sc.peek() !== 0x3c) return '<';
    sc.next();
    let space = '';
    while (isHeredocSpace(sc.peek())) space += runeToString(sc.next());
    return '<<' + space;
  }

  private getEnv(name: string): string | undefined {
    const v = this.env.get(name);
    if (v !== undefined) this.used.add(name);
    else this.unmatched.add(name);
    return v;
  }
}

/** Counts a match of `glob` against `value` against the budget (before doing it). */
function spendPatternWork(budget: ExpansionBudget, glob: Glob, value: string): void {
  budget.spendPatternWork(glob.tokens.length, value.length);
}

function trimPrefix(word: string, value: string, greedy: boolean, budget: ExpansionBudget): string {
  const glob = compileGlob(word, greedy);
  if (typeof glob === 'string') throw new LexFailure(`invalid pattern (${word}) in substitution: ${glob}`);
  spendPatternWork(budget, glob, value);
  return trimPrefixGlob(glob, value);
}

function trimSuffix(pattern: string, value: string, greedy: boolean, budget: ExpansionBudget): string {
  // shortest/longest rightmost match = leftmost match on the reversed pattern and value
  return reverseString(trimPrefix(reversePattern(pattern), reverseString(value), greedy, budget));
}

/** `word` quoted for an error message, cut short when long (it can be megabytes). */
function quoteForMessage(word: string): string {
  return word.length <= 80 ? goQuote(word) : `${goQuote(word.slice(0, 60))}…`;
}

/**
 * Whether character `c` of a word can change under expansion: `$`, `<` (a heredoc marker keeps
 * its spaces), the escape token, a quote when quotes are processed, a surrogate (a lone one
 * becomes U+FFFD) or a byte-order mark.
 */
function needsScanner(c: number, esc: number, quotes: boolean): boolean {
  return c === 0x24 || c === 0x3c || c === esc || (quotes && (c === 0x27 || c === 0x22)) || (c >= 0xd800 && c <= 0xdfff) || c === 0xfeff;
}

/**
 * BuildKit's shell lexer (`shell.Lex`). Not safe for concurrent use is not a concern in JS,
 * but options are plain mutable fields like BuildKit's, so set them before processing.
 */
export class ShellLex {
  /** The escape token, `\` or `` ` ``. */
  readonly escapeToken: string;
  /** @internal code point of {@link escapeToken} */
  readonly escapeCodePoint: number;
  rawQuotes: boolean;
  rawEscapes: boolean;
  skipProcessQuotes: boolean;
  skipUnsetEnv: boolean;
  /** The bounds and running totals this lexer counts its work against. */
  readonly budget: ExpansionBudget;

  constructor(escapeToken: string = '\\', options: ShellLexOptions = {}) {
    this.escapeToken = escapeToken;
    this.escapeCodePoint = escapeToken.codePointAt(0) ?? 0x5c;
    this.rawQuotes = options.rawQuotes ?? false;
    this.rawEscapes = options.rawEscapes ?? false;
    this.skipProcessQuotes = options.skipProcessQuotes ?? false;
    this.skipUnsetEnv = options.skipUnsetEnv ?? false;
    this.budget = options.budget ?? new ExpansionBudget(options.limits);
  }

  /**
   * Expands `word` against `env` (BuildKit's `ProcessWordWithMatches`). Throws a
   * {@link DockerfileError} (code {@link SHELL_ERROR_CODE}, no location) with BuildKit's
   * message, e.g. `failed to process "${:x}": syntax error: bad substitution`. Input beyond
   * the lexer's {@link ExpansionLimits} throws a {@link LimitError} (code `E_LIMIT`) instead.
   */
  processWord(word: string, env: EnvGetter): ProcessWordResult {
    const plain = this.plainWords(word);
    if (plain) {
      this.budget.spendLength(word.length);
      return { result: word, words: plain, used: NONE, unmatched: NONE };
    }
    const sw = new ShellWord(this, word, env);
    try {
      const { result, words } = sw.processStopOn(EOF, this.rawEscapes);
      this.budget.spendLength(result.length);
      return { result, words, used: sw.used, unmatched: sw.unmatched };
    } catch (e) {
      if (e instanceof LexFailure) {
        throw new DockerfileError(SHELL_ERROR_CODE, `failed to process ${goQuote(word)}: ${e.message}`);
      }
      if (e instanceof LimitError) {
        throw new LimitError(e.limit, e.max, `failed to process ${quoteForMessage(word)}: ${e.message}`, undefined, { cause: e });
      }
      if (e instanceof RangeError && /call stack/i.test(e.message)) {
        // A nesting depth limit above what this stack holds: still an input error, not a crash.
        const max = this.budget.limits.maxNestingDepth;
        const why = `\${…} expansions nested too deeply for the stack (limit maxNestingDepth=${max} is more than this stack holds)`;
        throw new LimitError('maxNestingDepth', max, `failed to process ${quoteForMessage(word)}: ${why}`, undefined, { cause: e });
      }
      throw e;
    }
  }

  /**
   * `word` itself when expanding it would give `word` (no `$`, `<`, escape token, quote when
   * quotes are processed, surrogate or byte-order mark), its length counted against the budget
   * as {@link processWord} counts it; undefined when the word needs the scanner. For callers
   * that want only the expanded string: it does not split the word into words.
   */
  expandPlain(word: string): string | undefined {
    if (word.length > this.budget.limits.maxWordLength) return undefined;
    const esc = this.escapeCodePoint;
    const quotes = !this.skipProcessQuotes;
    for (let i = 0; i < word.length; i++) {
      const c = word.charCodeAt(i);
      if (needsScanner(c, esc, quotes)) {
        return undefined;
      }
    }
    this.budget.spendLength(word.length);
    return word;
  }

  /**
   * The words of `word` when expanding it would give `word` itself: no `$`, no `<` (a heredoc
   * marker keeps its spaces), no escape token, no quote when quotes are processed, no surrogate
   * (a lone one becomes U+FFFD), no byte-order mark, and within the length limit. Most words of
   * a Dockerfile are like this; they skip the character-by-character scanner. Otherwise undefined.
   */
  private plainWords(word: string): string[] | undefined {
    if (word.length > this.budget.limits.maxWordLength) return undefined;
    const esc = this.escapeCodePoint;
    const quotes = !this.skipProcessQuotes;
    const words: string[] = [];
    let start = -1;
    for (let i = 0; i < word.length; i++) {
      const c = word.charCodeAt(i);
      if (needsScanner(c, esc, quotes)) {
        return undefined;
      }
      if (isGoSpace(c)) {
        if (start >= 0) words.push(word.slice(start, i));
        start = -1;
      } else if (start < 0) {
        start = i;
      }
    }
    if (start >= 0) words.push(word.slice(start));
    return words;
  }

  /** Same as {@link processWord}; BuildKit's name for the variant that reports matches. */
  processWordWithMatches(word: string, env: EnvGetter): ProcessWordResult {
    return this.processWord(word, env);
  }

  /**
   * Expands `word` and splits it into words on unquoted whitespace, after expansion
   * (BuildKit's `ProcessWords`).
   */
  processWords(word: string, env: EnvGetter): string[] {
    return this.processWord(word, env).words;
  }
}
