/**
 * Parser directives (`# syntax=…`, `# escape=…`, `# check=…`) with BuildKit's rules: they are
 * recognised only in the leading comment block, keys are case-insensitive, a repeated
 * directive is an error, and the first line that is not a valid directive (an empty line, any
 * other comment, an instruction, an unknown key) ends the block.
 */
import { DockerfileError } from '../errors.js';
import { goParseBool } from '../util/gostrconv.js';
import { goQuote } from '../util/goquote.js';
import { goTrimSpace } from '../util/gounicode.js';
import { ErrorCode } from './codes.js';

/** A recognised parser directive. */
export interface Directive {
  /** Lower-cased name: `syntax`, `escape` or `check`. */
  readonly name: 'syntax' | 'escape' | 'check';
  /** The raw value, trimmed the way BuildKit's directive regexp trims it. */
  readonly value: string;
  /** 1-based line of the directive. */
  readonly line: number;
}

const VALID = new Set(['syntax', 'escape', 'check']);

function isReSpace(c: number): boolean {
  // Go regexp `\s`: [\t\n\f\r ]
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0c || c === 0x0d;
}

function isAsciiLetter(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

/**
 * Matches BuildKit's directive expression `^<prefix>\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$`
 * without regex backtracking. Returns [key, value] or undefined.
 */
export function matchDirective(line: string, prefix = '#'): [string, string] | undefined {
  if (!line.startsWith(prefix)) return undefined;
  let i = prefix.length;
  const n = line.length;
  while (i < n && isReSpace(line.charCodeAt(i))) i++;
  const keyStart = i;
  if (i >= n || !isAsciiLetter(line.charCodeAt(i))) return undefined;
  i++;
  while (i < n) {
    const c = line.charCodeAt(i);
    if (!isAsciiLetter(c) && !(c >= 0x30 && c <= 0x39)) break;
    i++;
  }
  const key = line.slice(keyStart, i);
  while (i < n && isReSpace(line.charCodeAt(i))) i++;
  if (line.charCodeAt(i) !== 0x3d) return undefined;
  i++;
  const wsStart = i;
  while (i < n && isReSpace(line.charCodeAt(i))) i++;
  let end = n;
  while (end > i && isReSpace(line.charCodeAt(end - 1))) end--;
  // `.` does not match a newline
  if (line.slice(wsStart, n).includes('\n')) return undefined;
  if (end > i) return [key, line.slice(i, end)];
  // only whitespace after `=`: the lazy group backtracks into it and takes one character
  if (n > wsStart) return [key, line.slice(n - 1, n)];
  return undefined;
}

/** BuildKit's `DirectiveParser`: feed lines until it reports that the block has ended. */
export class DirectiveParser {
  private done = false;
  private readonly seen = new Set<string>();

  constructor(private readonly prefix = '#') {}

  /** True once a line ended the directive block. */
  get isDone(): boolean {
    return this.done;
  }

  /**
   * Looks at one line (already without its line ending). Returns the directive it holds, or
   * undefined. Throws a plain message (string) for a repeated directive.
   */
  parseLine(line: string, lineNo: number): Directive | undefined | { error: string } {
    if (this.done) return undefined;
    const m = matchDirective(line, this.prefix);
    if (!m) {
      this.done = true;
      return undefined;
    }
    const k = m[0].toLowerCase();
    if (!VALID.has(k)) {
      this.done = true;
      return undefined;
    }
    if (this.seen.has(k)) return { error: `only one ${k} parser directive can be used` };
    this.seen.add(k);
    return { name: k as Directive['name'], value: m[1], line: lineNo };
  }
}

/** A directive found by {@link parseDirective} / {@link detectSyntax}. */
export interface DetectedDirective {
  /** The value up to the first space (BuildKit's first return value). */
  readonly value: string;
  /** The whole raw value. */
  readonly raw: string;
  /** 1-based line, or 0 for the JSON form. */
  readonly line: number;
}

function detectFrom(key: string, body: string, firstLine: number, prefix: string): DetectedDirective | undefined {
  const p = new DirectiveParser(prefix);
  // Lines as bufio.ScanLines gives them (split on \n, one trailing \r dropped, no empty final
  // token), read one at a time: the directives are a leading block, the rest is never split.
  for (let pos = 0, i = 0; pos < body.length && !p.isDone; i++) {
    const nl = body.indexOf('\n', pos);
    const end = nl < 0 ? body.length : nl;
    const line = body.charCodeAt(end - 1) === 0x0d && end > pos ? body.slice(pos, end - 1) : body.slice(pos, end);
    pos = end + 1;
    const d = p.parseLine(line, firstLine + i);
    if (d && 'error' in d) return undefined;
    if (d && d.name === key) {
      const sp = d.value.indexOf(' ');
      return { value: sp < 0 ? d.value : d.value.slice(0, sp), raw: d.value, line: d.line };
    }
  }
  return undefined;
}

function splitForDetection(text: string): { firstLine: number; body: string } {
  let dt = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let firstLine = 1;
  const nl = dt.indexOf('\n');
  const first = nl < 0 ? dt : dt.slice(0, nl);
  if (first.startsWith('#!')) {
    dt = nl < 0 ? '' : dt.slice(nl + 1);
    firstLine = 2;
  }
  return { firstLine, body: dt };
}

/**
 * BuildKit's `parser.ParseDirective(key, dt)`: finds `# key=value` in the leading block of
 * the file, after skipping a byte-order mark and a `#!` shebang line. Unlike the parser
 * itself, lines are not left-trimmed. Used by BuildKit for the `check` directive.
 */
export function parseDirective(key: string, text: string): DetectedDirective | undefined {
  const { body, firstLine } = splitForDetection(text);
  return detectFrom(key, body, firstLine, '#');
}

/**
 * BuildKit's `parser.DetectSyntax(dt)`: like {@link parseDirective} for `syntax`, falling back
 * to `// syntax=…` comments and to a JSON document `{"syntax": "…"}`.
 */
export function detectSyntax(text: string): DetectedDirective | undefined {
  const { firstLine, body } = splitForDetection(text);
  const hash = detectFrom('syntax', body, firstLine, '#');
  if (hash) return hash;
  const slash = detectFrom('syntax', body, firstLine, '//');
  if (slash) return slash;
  try {
    const v: unknown = JSON.parse(body);
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const s = (v as Record<string, unknown>).syntax;
      if (typeof s === 'string') return { value: s, raw: s, line: firstLine - 1 };
    }
  } catch {
    // not JSON
  }
  return undefined;
}

/** The lint configuration of a `# check=…` directive (BuildKit's `linter.Config`). */
export interface CheckConfig {
  readonly skipRules: string[];
  readonly skipAll: boolean;
  readonly experimentalRules: string[];
  readonly experimentalAll: boolean;
  /** `error=true`: lint warnings fail the build. */
  readonly returnAsError: boolean;
}

/**
 * Parses the value of the `check` directive (or the `BUILDKIT_DOCKERFILE_CHECK` build arg) as
 * BuildKit's `linter.ParseLintOptions` does: the configuration, or BuildKit's error message.
 */
export function parseCheckOptions(value: string): CheckConfig | { readonly error: string } {
  const s = goTrimSpace(value);
  const cfg = { skipRules: [] as string[], skipAll: false, experimentalRules: [] as string[], experimentalAll: false, returnAsError: false };
  if (s === '') return cfg;
  // strings.SplitN(s, ";", 3)
  const parts: string[] = [];
  let rest = s;
  while (parts.length < 2) {
    const i = rest.indexOf(';');
    if (i < 0) break;
    parts.push(rest.slice(0, i));
    rest = rest.slice(i + 1);
  }
  parts.push(rest);
  for (const p of parts) {
    const eq = p.indexOf('=');
    if (eq < 0) return { error: `invalid check option ${goQuote(p)}` };
    const k = goTrimSpace(p.slice(0, eq));
    let v = p.slice(eq + 1);
    switch (k) {
      case 'skip':
      case 'experimental': {
        v = goTrimSpace(v);
        const all = v === 'all';
        const list = all ? [] : v.split(',').map(goTrimSpace);
        if (k === 'skip') {
          if (all) cfg.skipAll = true;
          else cfg.skipRules = list;
        } else if (all) cfg.experimentalAll = true;
        else cfg.experimentalRules = list;
        break;
      }
      case 'error': {
        const b = goParseBool(goTrimSpace(v));
        if (!b.ok) return { error: `failed to parse check option ${goQuote(p)}: ${b.error}` };
        cfg.returnAsError = b.value;
        break;
      }
      default:
        return { error: `invalid check option ${goQuote(k)}` };
    }
  }
  return cfg;
}

/**
 * {@link parseCheckOptions} for the `check` directive: throws a {@link DockerfileError} with
 * BuildKit's message, prefixed `failed to parse check options: ` like the frontend reports it.
 */
export function parseCheckDirective(value: string, location?: DockerfileError['location']): CheckConfig {
  const cfg = parseCheckOptions(value);
  if ('error' in cfg) throw new DockerfileError(ErrorCode.CheckDirective, `failed to parse check options: ${cfg.error}`, location);
  return cfg;
}
