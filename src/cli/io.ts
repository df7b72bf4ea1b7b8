/**
 * File and stream helpers for the CLI (Node only).
 *
 * Output files are written atomically: the data goes to a temporary file in the same directory,
 * which is flushed and then renamed over the target. A full disk, a missing directory or a
 * killed process leaves the previous file as it was, never a truncated one (a Definition cut
 * between two ops still decodes, as a smaller and wrong build). Several files can be staged
 * first and committed together ({@link stageFile}, {@link commitFiles}), so that a command
 * writing more than one file writes all of them or none.
 */
import type * as Crypto from 'node:crypto';
import type * as Tty from 'node:tty';
import {
  closeSync,
  fchmodSync,
  fstatSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  realpathSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
  writeSync,
  type Stats,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { UsageError } from './args.js';
import { builtin } from '../node/builtin.js';

/** A file the user named cannot be read or written: exit code 1, a plain message. */
export class InputError extends Error {
  readonly code: string;
  constructor(message: string, code = 'E_INPUT', options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'InputError';
    this.code = code;
  }
}

/** An output file or stream cannot be written (full disk, missing directory, permissions): exit code 1. */
export class OutputError extends InputError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 'E_OUTPUT', options);
    this.name = 'OutputError';
  }
}

/** What an errno means to someone who named a file, or undefined for errors that are not about the file. */
function errnoText(code: string | undefined): string | undefined {
  switch (code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'ENOTDIR':
      return 'a component of the path is not a directory';
    case 'EISDIR':
      return 'is a directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EROFS':
      return 'read-only file system';
    case 'ENOSPC':
      return 'no space left on device';
    case 'EDQUOT':
      return 'disk quota exceeded';
    case 'EFBIG':
      return 'file too large';
    case 'EIO':
      return 'input/output error';
    case 'ENAMETOOLONG':
      return 'file name too long';
    case 'ELOOP':
      return 'too many levels of symbolic links';
    case 'EMFILE':
    case 'ENFILE':
      return 'too many open files';
    case 'ETXTBSY':
      return 'text file busy';
    case 'EBUSY':
      return 'device or resource busy';
    case 'EEXIST':
      return 'file exists';
    case 'EINVAL':
      return 'invalid argument';
    default:
      return undefined;
  }
}

/** Turns a file-system error about `shown` into an {@link OutputError}; other errors pass through. */
function outputFailure(e: unknown, shown: string): unknown {
  const err = e as NodeJS.ErrnoException;
  const text = errnoText(err?.code);
  if (text === undefined) return e;
  return new OutputError(`cannot write ${shown}: ${text}`, { cause: e });
}

/**
 * A Buffer's bytes as a plain Uint8Array (whose `slice` copies, as the core expects of a
 * Uint8Array), sharing its memory: `new Uint8Array(buffer)` would copy the file once more.
 */
function plainBytes(b: Buffer): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

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
    return plainBytes(Buffer.concat(chunks));
  }
  try {
    return plainBytes(readFileSync(path));
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT') throw new InputError(`${shown}: no such file or directory`);
    if (err.code === 'EISDIR') throw new InputError(`${shown}: is a directory`);
    const text = errnoText(err.code);
    throw new InputError(`${shown}: ${text ?? err.message}`);
  }
}

export interface Streams {
  readonly stdout: NodeJS.WriteStream | { write(chunk: string | Uint8Array): boolean; isTTY?: boolean };
  readonly stderr: { write(chunk: string): boolean };
  /** Directory that relative output paths are resolved against (default: the process's). */
  readonly cwd?: string;
}

/** A file written to a temporary name next to its target, not yet in place. */
export interface StagedFile {
  /** The target path (absolute). */
  readonly path: string;
  /** Renames the temporary file over the target. */
  commit(): void;
  /** Removes the temporary file; the target is left untouched. Safe to call more than once. */
  discard(): void;
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/** Writes all of `data` to `fd`, looping over short writes (a full disk shows up as ENOSPC here). */
function writeAll(fd: number, data: Uint8Array): void {
  let off = 0;
  while (off < data.length) off += writeSync(fd, data, off, data.length - off);
}

function toBytes(data: Uint8Array | string): Uint8Array {
  return typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
}

/**
 * Writes `data` to a temporary file beside `path` (`shown` names it in errors) and flushes it to
 * disk, without touching `path`. Commit or discard the result. A target that exists and is not a
 * regular file (`/dev/null`, a FIFO) is not replaced: committing writes to it in place.
 *
 * @throws OutputError when the file cannot be written (the temporary file is then removed).
 */
export function stageFile(path: string, data: Uint8Array | string, shown: string = path): StagedFile {
  const bytes = toBytes(data);
  let target = resolve(path);
  let existing: Stats | undefined;
  try {
    existing = statOrUndefined(target);
    if (existing?.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    // Replace the file a symbolic link points to, not the link.
    if (existing) target = realpathSync(target);
  } catch (e) {
    throw outputFailure(e, shown);
  }
  if (existing && !existing.isFile()) {
    let done = false;
    return {
      path: target,
      commit() {
        if (done) return;
        done = true;
        try {
          writeFileSync(target, bytes);
        } catch (e) {
          throw outputFailure(e, shown);
        }
      },
      discard() {
        done = true;
      },
    };
  }
  const random = builtin<typeof Crypto>('node:crypto').randomBytes(6).toString('hex');
  const temp = join(dirname(target), `.${basename(target)}.${random}.tmp`);
  let fd: number | undefined;
  let state: 'staged' | 'committed' | 'discarded' = 'staged';
  const remove = (): void => {
    try {
      unlinkSync(temp);
    } catch {
      // already gone
    }
  };
  try {
    fd = openSync(temp, 'wx', 0o666);
    // Keep the permissions of the file being replaced.
    if (existing) fchmodSync(fd, existing.mode & 0o7777);
    writeAll(fd, bytes);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
  } catch (e) {
    if (fd !== undefined) {
      try {
        closeSync(fd);
      } catch {
        // the write error is the one to report
      }
    }
    remove();
    throw outputFailure(e, shown);
  }
  return {
    path: target,
    commit() {
      if (state !== 'staged') return;
      try {
        renameSync(temp, target);
        state = 'committed';
      } catch (e) {
        remove();
        state = 'discarded';
        throw outputFailure(e, shown);
      }
    },
    discard() {
      if (state !== 'staged') return;
      state = 'discarded';
      remove();
    },
  };
}

/**
 * Puts staged files in place, in order. When one cannot be, the ones after it are discarded
 * (those before it are already in place).
 */
export function commitFiles(files: readonly StagedFile[]): void {
  for (let i = 0; i < files.length; i++) {
    try {
      files[i].commit();
    } catch (e) {
      for (const f of files.slice(i + 1)) f.discard();
      throw e;
    }
  }
}

/** Creates directory `path` and its parents as needed (`shown` names it in errors). */
export function makeDirectory(path: string, shown: string = path): void {
  try {
    mkdirSync(path, { recursive: true });
  } catch (e) {
    throw outputFailure(e, shown);
  }
}

/** Discards staged files (after a later step failed). */
export function discardFiles(files: readonly StagedFile[]): void {
  for (const f of files) f.discard();
}

/**
 * Writes `data` to `path` atomically: the previous file, if any, stays whole until the new one
 * is complete. `shown` names the file in errors.
 *
 * @throws OutputError on file-system errors (ENOSPC, ENOENT, EISDIR, EACCES, EROFS, …).
 */
export function writeFileAtomic(path: string, data: Uint8Array | string, shown: string = path): void {
  stageFile(path, data, shown).commit();
}

/** An output path resolved against the command's directory, or undefined for stdout. */
export function outputPath(streams: Streams, path: string | undefined): string | undefined {
  if (path === undefined || path === '' || path === '-') return undefined;
  return resolve(streams.cwd ?? process.cwd(), path);
}

/**
 * The process's standard output or error, written with write(2) on the descriptor: Node's
 * `process.stdout` would first build a stream (loading its stream and socket modules, a few
 * milliseconds of a small compile's start-up) to do the same, for files and pipes, synchronous
 * writes. Every byte is written or the write fails: a short write to a full disk is an
 * {@link OutputError}. A reader that has gone away calls `onBrokenPipe`. A descriptor another
 * process made non-blocking (EAGAIN) is handed to Node's stream for the rest, which waits for the
 * reader.
 */
export class FdWriter {
  #stream: NodeJS.WriteStream | undefined;
  #tty: boolean | undefined;

  constructor(
    readonly fd: 1 | 2,
    private readonly onBrokenPipe: () => void,
  ) {}

  /**
   * Whether the descriptor is a terminal. Files, pipes and /dev/null answer from fstat(2), without
   * loading node:tty (and with it Node's socket and stream modules).
   */
  get isTTY(): boolean {
    this.#tty ??= mayBeTerminal(this.fd) && builtin<typeof Tty>('node:tty').isatty(this.fd);
    return this.#tty;
  }

  write(chunk: string | Uint8Array): boolean {
    if (this.#stream) return this.#stream.write(chunk);
    const bytes = toBytes(chunk);
    let off = 0;
    try {
      while (off < bytes.length) off += writeSync(this.fd, bytes, off, bytes.length - off);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') {
        this.#stream = this.fd === 1 ? process.stdout : process.stderr;
        quietOnBrokenPipe(this.#stream, this.onBrokenPipe);
        return this.#stream.write(bytes.subarray(off));
      }
      if (code === 'EPIPE') {
        this.onBrokenPipe();
        return false;
      }
      throw outputFailure(e, this.fd === 1 ? 'standard output' : 'standard error');
    }
    return true;
  }
}

/** Whether `fd` may be a terminal: a character device other than /dev/null (or fstat failed). */
function mayBeTerminal(fd: number): boolean {
  try {
    const st = fstatSync(fd);
    if (!st.isCharacterDevice()) return false;
    const nul = statSync('/dev/null');
    return !(st.rdev === nul.rdev && nul.isCharacterDevice());
  } catch {
    return true;
  }
}

/** Calls `onBrokenPipe` when `stream`'s reader goes away; its other errors are thrown. */
function quietOnBrokenPipe(stream: NodeJS.WriteStream, onBrokenPipe: () => void): void {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    onBrokenPipe();
  });
}

/** Writes to standard output (an {@link FdWriter} for the process's own: every byte or an error). */
export function writeStdout(streams: Streams, data: Uint8Array | string): void {
  streams.stdout.write(data);
}

/**
 * Writes binary output to `path` (atomically), or to stdout when no path is given. Refuses to
 * write binary to a terminal.
 */
export function writeBinary(streams: Streams, data: Uint8Array, path: string | undefined, what: string): void {
  const file = outputPath(streams, path);
  if (file !== undefined) {
    writeFileAtomic(file, data, path);
    return;
  }
  refuseTerminal(streams, what);
  writeStdout(streams, data);
}

/** Throws a usage error when stdout is a terminal: binary output there is garbage. */
export function refuseTerminal(streams: Streams, what: string): void {
  if (streams.stdout.isTTY) {
    throw new UsageError(
      `refusing to write ${what} (binary) to a terminal; pipe it (e.g. \`| buildctl build …\`) or use -o FILE`,
    );
  }
}

/** Writes text output to `path` (atomically) or stdout. */
export function writeText(streams: Streams, text: string, path: string | undefined): void {
  const file = outputPath(streams, path);
  if (file !== undefined) writeFileAtomic(file, text, path);
  else writeStdout(streams, text);
}
