/** File and stream helpers for the CLI (Node only). */
import { readFileSync, writeFileSync } from 'node:fs';
import { UsageError } from './args.js';

/**
 * Reads a file, or standard input for `-`. `shown` names the file in errors (default `path`).
 * Standard input is read as a stream: `readFileSync(0)` fails with EAGAIN on a pipe whose writer
 * made it non-blocking (another Node process, for one).
 */
export async function readInput(path: string, shown = path): Promise<Uint8Array> {
  if (path === '-') {
    if (process.stdin.isTTY) {
      throw new UsageError('standard input is a terminal: pipe the input in (… | dockerfile-llb …) or name a file');
    }
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return new Uint8Array(Buffer.concat(chunks));
  }
  try {
    return new Uint8Array(readFileSync(path));
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT') throw new InputError(`${shown}: no such file or directory`);
    if (err.code === 'EISDIR') throw new InputError(`${shown}: is a directory`);
    throw new InputError(`${shown}: ${err.message}`);
  }
}

/** A file the user named cannot be read: exit code 1. */
export class InputError extends Error {
  readonly code = 'E_INPUT';
}

export interface Streams {
  readonly stdout: NodeJS.WriteStream | { write(chunk: string | Uint8Array): boolean; isTTY?: boolean };
  readonly stderr: { write(chunk: string): boolean };
}

/**
 * Writes binary output to `path`, or to stdout when no path is given. Refuses to write binary
 * to a terminal.
 */
export function writeBinary(streams: Streams, data: Uint8Array, path: string | undefined, what: string): void {
  if (path && path !== '-') {
    writeFileSync(path, data);
    return;
  }
  if (streams.stdout.isTTY) {
    throw new UsageError(
      `refusing to write ${what} (binary) to a terminal; pipe it (e.g. \`| buildctl build …\`) or use -o FILE`,
    );
  }
  streams.stdout.write(data);
}

/** Writes text output to `path` or stdout. */
export function writeText(streams: Streams, text: string, path: string | undefined): void {
  if (path && path !== '-') writeFileSync(path, text);
  else streams.stdout.write(text);
}
