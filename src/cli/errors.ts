/** Turns errors into what the CLI prints and its exit code. */
import { DockerfileLlbError } from '../errors.js';
import { UsageError } from './args.js';
import { InputError } from './io.js';

export const EXIT_OK = 0;
export const EXIT_INPUT = 1;
export const EXIT_USAGE = 2;

/**
 * Formats an error located in a Dockerfile the way BuildKit shows it: `Dockerfile:LINE:COL:
 * message`, then the offending line with a caret under the column. Without a location, the
 * message alone, after `dockerfile-llb: `.
 */
export function formatDockerfileError(err: DockerfileLlbError, text?: string): string {
  const loc = err.location;
  if (!loc || loc.kind !== 'source') return `dockerfile-llb: ${err.message}\n`;
  const head = `${loc.file}:${loc.start.line}:${loc.start.column}: ${err.message}\n`;
  if (text === undefined) return head;
  const line = lineAt(text.replace(/^\uFEFF/, ''), loc.start.line);
  if (line === undefined) return head;
  const gutter = `${String(loc.start.line).padStart(4)} | `;
  const caretPad = ' '.repeat(gutter.length + Math.max(0, loc.start.column - 1));
  return `${head}${gutter}${line}\n${caretPad}^\n`;
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
export function describeError(err: unknown, source?: { file: string; text: string }, debug = false): { text: string; code: number } {
  const stack = (e: unknown) => (debug && e instanceof Error && e.stack ? `${e.stack}\n` : '');
  if (err instanceof UsageError) return { text: `dockerfile-llb: ${err.message}\nRun 'dockerfile-llb --help' for usage.\n`, code: EXIT_USAGE };
  if (err instanceof InputError) return { text: `dockerfile-llb: ${err.message}\n${stack(err)}`, code: EXIT_INPUT };
  if (err instanceof DockerfileLlbError) {
    // Dockerfile errors, and image resolution errors located at their FROM.
    const loc = err.location;
    const text = loc?.kind === 'source' && source && loc.file === source.file ? source.text : undefined;
    return { text: formatDockerfileError(err, text) + stack(err), code: EXIT_INPUT };
  }
  const e = err as Error;
  return { text: `dockerfile-llb: internal error: ${e?.message ?? String(err)}\n${stack(err)}`, code: 70 };
}
