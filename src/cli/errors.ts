/** Turns errors into what the CLI prints and its exit code. */
import { DockerfileLlbError } from '../errors.js';
import { UsageError } from './args.js';
import { InputError } from './io.js';

export const EXIT_OK = 0;
export const EXIT_INPUT = 1;
export const EXIT_USAGE = 2;

/**
 * The Dockerfile a command read, for error messages: `file` is the name errors are located in
 * (the compile `filename`, `Dockerfile`), `shown` the name the user knows it by (`-f`'s value).
 */
export interface ErrorSource {
  readonly file: string;
  readonly text: string;
  readonly shown?: string;
}

/** At most this many characters of a quoted line; a longer one is cut around the column. */
export const EXCERPT_WIDTH = 120;
/** At most this many characters of a message (a message can quote a whole instruction). */
export const MESSAGE_WIDTH = 1000;

/**
 * Formats an error located in a Dockerfile the way BuildKit shows it: `FILE:LINE:COL: message`,
 * then the offending line with a caret under the column. FILE is `shown` when given (the `-f`
 * path), else the location's file. Without a location, the message alone, after
 * `dockerfile-llb: `. What goes to the terminal is bounded and inert: a long line is cut around
 * the column, a long message is cut, and control characters (escape sequences, bells, NULs,
 * bidirectional overrides) are written as escapes.
 */
export function formatDockerfileError(err: DockerfileLlbError, text?: string, shown?: string): string {
  const loc = err.location;
  const message = shorten(printable(err.message), MESSAGE_WIDTH);
  if (!loc || loc.kind !== 'source') return `dockerfile-llb: ${message}\n`;
  const head = `${printable(shown ?? loc.file)}:${loc.start.line}:${loc.start.column}: ${message}\n`;
  if (text === undefined) return head;
  const line = lineAt(text.replace(/^\uFEFF/, ''), loc.start.line);
  if (line === undefined) return head;
  const { quoted, caret } = excerpt(line, loc.start.column - 1);
  const gutter = `${String(loc.start.line).padStart(4)} | `;
  return `${head}${gutter}${quoted}\n${' '.repeat(gutter.length)}${caret}^\n`;
}

// C0 and C1 controls, DEL, and the Unicode bidirectional controls (which reorder what a terminal
// shows: "Trojan Source"). Tab and newline stay (a quoted line has no newline).
// eslint-disable-next-line no-control-regex
const UNPRINTABLE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

function escapeChar(c: string): string {
  const n = c.charCodeAt(0);
  if (c === '\r') return '\\r';
  return n < 0x100 ? `\\x${n.toString(16).padStart(2, '0')}` : `\\u${n.toString(16).padStart(4, '0')}`;
}

/** `s` with every control character written as an escape (`\x1b`, `\u202e`). */
export function printable(s: string): string {
  return s.replace(UNPRINTABLE, escapeChar);
}

/**
 * `s` cut to about `max` characters, saying how much was left out. The middle goes: a message
 * that quotes a huge word still ends with what was wrong with it.
 */
function shorten(s: string, max: number): string {
  if (s.length <= max) return s;
  const head = safeCut(s, Math.floor((max * 2) / 3));
  const tail = safeCut(s, s.length - Math.floor(max / 3));
  return `${s.slice(0, head)}… (${tail - head} characters left out) …${s.slice(tail)}`;
}

/** `i`, moved back one when it would split a surrogate pair. */
function safeCut(s: string, i: number): number {
  const c = s.charCodeAt(i - 1);
  return c >= 0xd800 && c <= 0xdbff ? i - 1 : i;
}

/**
 * The part of `line` to quote, at most {@link EXCERPT_WIDTH} characters around `col` (0-based,
 * UTF-16 units), with `…` where it was cut and control characters escaped; and the text that puts
 * a caret under `col` (tabs kept as tabs, so it lines up).
 */
function excerpt(line: string, col: number): { quoted: string; caret: string } {
  col = Math.min(Math.max(col, 0), line.length);
  let start = 0;
  let end = line.length;
  if (end > EXCERPT_WIDTH) {
    start = safeCut(line, Math.max(0, Math.min(col - Math.floor(EXCERPT_WIDTH / 3), line.length - EXCERPT_WIDTH)));
    end = safeCut(line, Math.min(line.length, start + EXCERPT_WIDTH));
  }
  const before = printable(line.slice(start, col));
  const quoted = `${start > 0 ? '…' : ''}${printable(line.slice(start, end))}${end < line.length ? '…' : ''}`;
  const caret = `${start > 0 ? ' ' : ''}${before.replace(/[^\t]/g, ' ')}`;
  return { quoted, caret };
}

/** Line `n` (1-based) of `text`, found without splitting the whole text (it can be megabytes). */
function lineAt(text: string, n: number): string | undefined {
  let start = 0;
  for (let i = 1; i < n; i++) {
    const nl = text.indexOf('\n', start);
    if (nl < 0) return undefined;
    start = nl + 1;
  }
  let end = text.indexOf('\n', start);
  if (end < 0) end = text.length;
  if (start > text.length) return undefined;
  return text.slice(start, end).replace(/\r$/, '');
}

/** The stderr text and exit code for an error thrown by a command. */
export function describeError(err: unknown, source?: ErrorSource, debug = false): { text: string; code: number } {
  const stack = (e: unknown) => (debug && e instanceof Error && e.stack ? `${e.stack}\n` : '');
  if (err instanceof UsageError) return { text: `dockerfile-llb: ${plain(err.message)}\nRun 'dockerfile-llb --help' for usage.\n`, code: EXIT_USAGE };
  if (err instanceof InputError) return { text: `dockerfile-llb: ${plain(err.message)}\n${stack(err)}`, code: EXIT_INPUT };
  if (err instanceof DockerfileLlbError) {
    // Dockerfile errors, and image resolution errors located at their FROM.
    const loc = err.location;
    const ours = loc?.kind === 'source' && source !== undefined && loc.file === source.file;
    return { text: formatDockerfileError(err, ours ? source.text : undefined, ours ? source.shown : undefined) + stack(err), code: EXIT_INPUT };
  }
  const e = err as Error;
  return { text: `dockerfile-llb: internal error: ${plain(e?.message ?? String(err))}\n${stack(err)}`, code: 70 };
}

/** A message of ours, which may quote the user's input: bounded and without control characters. */
function plain(message: string): string {
  return shorten(printable(message), MESSAGE_WIDTH);
}
