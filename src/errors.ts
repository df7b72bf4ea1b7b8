/**
 * Typed errors shared by every layer of dockerfile-llb.
 *
 * Every error the library throws on bad input is a {@link DockerfileLlbError}: it has a stable
 * machine-readable `code` and, where the input has positions, a `location`.
 */

/** A position in a text file. `line` and `column` are 1-based; `column` counts UTF-16 code units. */
export interface Position {
  readonly line: number;
  readonly column: number;
}

/** A range in a text file: `start` is inclusive, `end` is exclusive. */
export interface SourceRange {
  readonly start: Position;
  readonly end: Position;
}

/** Where in a Dockerfile an error was found. */
export interface SourceLocation extends SourceRange {
  readonly kind: 'source';
  /** The file name shown to users, for example `Dockerfile`. */
  readonly file: string;
}

/** Where in a binary input (a serialized Definition) an error was found. */
export interface ByteLocation {
  readonly kind: 'bytes';
  /** Offset of the offending byte from the start of the outermost buffer. */
  readonly offset: number;
  /** The message path being decoded, for example `Definition.def[3].Op.file.actions[0]`. */
  readonly path: string;
}

export type ErrorLocation = SourceLocation | ByteLocation;

/** Base class of every error dockerfile-llb throws on purpose. */
export class DockerfileLlbError extends Error {
  /** A stable identifier such as `E_UNKNOWN_INSTRUCTION`; tools match on this, not on the message. */
  readonly code: string;
  /** Where the error was found, when the input has positions. */
  readonly location: ErrorLocation | undefined;

  constructor(code: string, message: string, location?: ErrorLocation, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.location = location;
  }
}

/**
 * An error in a Dockerfile: syntax, instruction, flag, expansion or conversion.
 * The message is BuildKit's text (without its `dockerfile parse error on line N:` prefix).
 */
export class DockerfileError extends DockerfileLlbError {
  declare readonly location: SourceLocation | undefined;

  constructor(code: string, message: string, location?: SourceLocation, options?: { cause?: unknown }) {
    super(code, message, location, options);
  }

  /** 1-based line of the error, or 0 when it has no location. */
  get line(): number {
    return this.location?.start.line ?? 0;
  }
}

/** Bytes that are not a valid LLB Definition (truncated, malformed or hostile input). */
export class DefinitionDecodeError extends DockerfileLlbError {
  declare readonly location: ByteLocation;

  constructor(code: string, message: string, location: ByteLocation) {
    super(code, message, location);
  }
}

/** Resolving a base image failed: unknown image, registry error, bad manifest. */
export class ImageResolveError extends DockerfileLlbError {
  /** The image reference as written or normalized. Never contains credentials. */
  readonly ref: string;

  constructor(code: string, message: string, ref: string, options?: { cause?: unknown; location?: SourceLocation }) {
    super(code, message, options?.location, options);
    this.ref = ref;
  }
}

/**
 * A build request option the Dockerfile frontend refuses (`--shm-size 128m`, an unknown
 * `--network`, a bad `--platform` list): BuildKit's message, no location in the Dockerfile.
 */
export class BuildRequestError extends DockerfileLlbError {
  /** The frontend option at fault, for example `shm-size` or `platform`. */
  readonly option: string;

  constructor(message: string, option: string, options?: { cause?: unknown }) {
    super('E_BUILD_REQUEST', message, undefined, options);
    this.option = option;
  }
}
