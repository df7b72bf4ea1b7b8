/** Turns errors into what the CLI prints and its exit code. */
import { DockerfileError, DockerfileLlbError } from '../errors.js';
import { UsageError } from './args.js';
import { InputError } from './io.js';

export const EXIT_OK = 0;
export const EXIT_INPUT = 1;
export const EXIT_USAGE = 2;

/**
 * Formats a Dockerfile error the way BuildKit shows it: `Dockerfile:LINE:COL: message`, then the
 * offending line with a caret under the column.
 */
export function formatDockerfileError(err: DockerfileError, text?: string): string {
  const loc = err.location;
  if (!loc) return `${err.message}\n`;
  const head = `${loc.file}:${loc.start.line}:${loc.start.column}: ${err.message}\n`;
  if (text === undefined) return head;
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const line = lines[loc.start.line - 1];
  if (line === undefined) return head;
  const gutter = `${String(loc.start.line).padStart(4)} | `;
  const caretPad = ' '.repeat(gutter.length + Math.max(0, loc.start.column - 1));
  return `${head}${gutter}${line}\n${caretPad}^\n`;
}

/** The stderr text and exit code for an error thrown by a command. */
export function describeError(err: unknown, source?: { file: string; text: string }, debug = false): { text: string; code: number } {
  if (err instanceof UsageError) return { text: `dockerfile-llb: ${err.message}\nRun 'dockerfile-llb --help' for usage.\n`, code: EXIT_USAGE };
  if (err instanceof InputError) return { text: `dockerfile-llb: ${err.message}\n`, code: EXIT_INPUT };
  if (err instanceof DockerfileError) {
    return { text: formatDockerfileError(err, err.location && source && err.location.file === source.file ? source.text : undefined), code: EXIT_INPUT };
  }
  if (err instanceof DockerfileLlbError) return { text: `dockerfile-llb: ${err.message}\n`, code: EXIT_INPUT };
  const e = err as Error;
  const stack = debug && e?.stack ? `${e.stack}\n` : '';
  return { text: `dockerfile-llb: internal error: ${e?.message ?? String(err)}\n${stack}`, code: 70 };
}
