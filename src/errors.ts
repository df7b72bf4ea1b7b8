/**
 * Typed errors shared by every layer of dockerfile-llb.
 *
 * Every error the library throws on bad input is a {@link DockerfileLlbError}: it has a stable
 * machine-readable `code` and, where the input has positions, a `location`.
 */

// ----- error codes ------------------------------------------------------------------------------
// Every `code` the library puts on an error, grouped by the class that carries it. Tools match on
// these constants (or the string unions below), never on messages.

/** Codes of {@link DockerfileError}: the Dockerfile is wrong (syntax, instruction, conversion). */
export const DockerfileErrorCode = {
  /** A parser directive is invalid (bad escape token, repeated directive). */
  Directive: 'E_DIRECTIVE',
  /** The file has no instruction. */
  NoInstructions: 'E_NO_INSTRUCTIONS',
  /** A line is longer than BuildKit's scanner accepts. */
  LineTooLong: 'E_LINE_TOO_LONG',
  /** Malformed arguments detected while parsing a line (JSON array of non-strings, ENV/LABEL syntax). */
  Syntax: 'E_SYNTAX',
  /** A heredoc is not terminated or cannot be lexed. */
  Heredoc: 'E_HEREDOC',
  /** An unknown instruction keyword. */
  UnknownInstruction: 'E_UNKNOWN_INSTRUCTION',
  /** An unknown flag for the instruction. */
  UnknownFlag: 'E_UNKNOWN_FLAG',
  /** A flag is repeated, lacks a value or has a bad value. */
  Flag: 'E_FLAG',
  /** An instruction has wrong arguments (count, form, value). */
  Instruction: 'E_INSTRUCTION',
  /** An instruction other than ARG before the first FROM. */
  NoStage: 'E_NO_STAGE',
  /** A `RUN --mount` value is invalid. */
  Mount: 'E_MOUNT',
  /** Variable expansion failed (bad `${...}` syntax, `${VAR:?message}` on an unset variable). */
  Expansion: 'E_SHELL_EXPANSION',
  /** The `check` directive cannot be parsed. */
  CheckDirective: 'E_CHECK_DIRECTIVE',
  /** `BUILDKIT_DOCKERFILE_CHECK` cannot be parsed (a bad build request option). */
  CheckBuildArg: 'E_CHECK_BUILD_ARG',
  /** `# check=error=true` and a build check fired ({@link LintViolationError}). */
  LintViolation: 'E_LINT_VIOLATION',
  /** The instructions cannot be turned into LLB (a stage, mount or value the frontend refuses). */
  Convert: 'E_CONVERT',
  /** `--target` names no stage. */
  TargetNotFound: 'E_TARGET_NOT_FOUND',
  /** Stages refer to each other in a circle. */
  CircularDependency: 'E_CIRCULAR_DEPENDENCY',
  /** A feature of the Dockerfile labs channel only. */
  LabsFeature: 'E_LABS_FEATURE',
  /** A bad `COPY`/`ADD` (source, `--chmod`, `--parents`, ...). */
  Copy: 'E_COPY',
  /** A bad `EXPOSE` port specification. */
  Expose: 'E_EXPOSE',
  /** A `STOPSIGNAL` that is not a signal. */
  StopSignal: 'E_STOPSIGNAL',
  /** A Windows path that is not on the system drive. */
  PathDrive: 'E_PATH_DRIVE',
  /** A git URL or ref that BuildKit does not accept. */
  GitRef: 'E_GIT_REF',
  /** A named build context (`--build-context`) BuildKit cannot load: bad name, value or reference. */
  NamedContext: 'E_NAMED_CONTEXT',
  /** The input needs more than a bound of `CompileLimits` ({@link LimitError}; docs/security.md). */
  Limit: 'E_LIMIT',
} as const;
/** One of {@link DockerfileErrorCode}'s values. */
export type DockerfileErrorCode = (typeof DockerfileErrorCode)[keyof typeof DockerfileErrorCode];

/** Codes of {@link DefinitionDecodeError}: bytes that are not a valid LLB Definition. */
export const DecodeErrorCode = {
  /** A field or message runs past the end of its buffer. */
  Truncated: 'E_PB_TRUNCATED',
  /** A field has the wrong wire type, or a wire type protobuf does not have. */
  WireType: 'E_PB_WIRETYPE',
  /** A varint is longer than 10 bytes. */
  Varint: 'E_PB_VARINT',
  /** A length prefix is negative or too large. */
  Length: 'E_PB_LENGTH',
  /** Field number 0 or past the protobuf maximum. */
  Field: 'E_PB_FIELD',
  /** Messages nested deeper than the decoder accepts. */
  Depth: 'E_PB_DEPTH',
  /** A string field that is not UTF-8. */
  Utf8: 'E_PB_UTF8',
  /** Not decodable for another reason (not bytes at all, an engine limit). */
  Invalid: 'E_PB_INVALID',
  /** Valid protobuf, invalid LLB: an op without a body, an input index out of range. */
  LlbInvalid: 'E_LLB_INVALID',
} as const;
/** One of {@link DecodeErrorCode}'s values. */
export type DecodeErrorCode = (typeof DecodeErrorCode)[keyof typeof DecodeErrorCode];

/**
 * Codes of {@link LlbEncodeError}: a graph or message that cannot be written as LLB (a value of the
 * wrong type or out of its field's range, a field the message does not have).
 */
export const EncodeErrorCode = {
  /** A value of the wrong type, or out of its field's range (uint32, int32, int64, ...). */
  Value: 'E_LLB_VALUE',
  /** A field the message or vertex does not have (a misspelling, or a field of another type). */
  UnknownField: 'E_LLB_UNKNOWN_FIELD',
  /** Two members of one oneof set at once. */
  Oneof: 'E_LLB_ONEOF',
  /** A `COPY --link` file vertex encoded before the lowering pass rewrote it. */
  Unlowered: 'E_LLB_UNLOWERED',
} as const;
/** One of {@link EncodeErrorCode}'s values. */
export type EncodeErrorCode = (typeof EncodeErrorCode)[keyof typeof EncodeErrorCode];

/** Codes of image reference parsing and resolution ({@link ImageResolveError} and others). */
export const ImageErrorCode = {
  /** A string is not a valid image reference (distribution/reference grammar). */
  InvalidReference: 'E_INVALID_REFERENCE',
  /** A string is not a valid digest (`algorithm:hex`). */
  InvalidDigest: 'E_INVALID_DIGEST',
  /** A string is not a valid platform specifier (containerd/platforms grammar). */
  InvalidPlatform: 'E_INVALID_PLATFORM',
  /** The image is unknown: absent from the metadata file, or the registry answered 404. */
  ImageNotFound: 'E_IMAGE_NOT_FOUND',
  /** The registry or its token server refused our (possibly anonymous) credentials. */
  Unauthorized: 'E_UNAUTHORIZED',
  /** A manifest or config uses a media type we do not handle (schema 1, artifacts…). */
  UnsupportedMediaType: 'E_UNSUPPORTED_MEDIA_TYPE',
  /** Downloaded bytes do not hash to the digest they were fetched by or announced with. */
  DigestMismatch: 'E_DIGEST_MISMATCH',
  /** An index has no manifest for the requested platform. */
  NoMatchingPlatform: 'E_NO_MATCHING_PLATFORM',
  /** A manifest, index or config is not valid JSON of the expected shape. */
  InvalidManifest: 'E_INVALID_MANIFEST',
  /** Connection failure, reset or timeout, after the configured retries. */
  Network: 'E_NETWORK',
  /** The registry answered with an unexpected HTTP status (after retries for 5xx). */
  Registry: 'E_REGISTRY',
  /** Docker's `config.json` is unreadable, or a credential helper failed or answered garbage. */
  Credentials: 'E_CREDENTIALS',
  /** The offline metadata file (`images.json`) is malformed. */
  InvalidMetadata: 'E_INVALID_METADATA',
} as const;
/** One of {@link ImageErrorCode}'s values. */
export type ImageErrorCode = (typeof ImageErrorCode)[keyof typeof ImageErrorCode];

/** Codes of the API itself: how it was called. */
export const UsageErrorCode = {
  /** `compile` or `outline` was given neither `resolver` nor `images`. */
  NoResolver: 'E_NO_RESOLVER',
  /** A build request option the frontend refuses ({@link BuildRequestError}). */
  BuildRequest: 'E_BUILD_REQUEST',
  /** An `oci-layout://` named context, and no `ociLayouts` resolver to read its store. */
  NoOciLayoutResolver: 'E_NO_OCI_LAYOUT',
} as const;
/** One of {@link UsageErrorCode}'s values. */
export type UsageErrorCode = (typeof UsageErrorCode)[keyof typeof UsageErrorCode];

/** Every code a {@link DockerfileLlbError} can carry. */
export type ErrorCode = DockerfileErrorCode | DecodeErrorCode | EncodeErrorCode | ImageErrorCode | UsageErrorCode;

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
  readonly code: ErrorCode;
  /** Where the error was found, when the input has positions. */
  readonly location: ErrorLocation | undefined;

  constructor(code: ErrorCode, message: string, location?: ErrorLocation, options?: { cause?: unknown }) {
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
  /**
   * What is wrong; an {@link ImageErrorCode} when an image reference, digest or platform written in
   * the Dockerfile is invalid.
   */
  declare readonly code: DockerfileErrorCode | ImageErrorCode;
  declare readonly location: SourceLocation | undefined;

  constructor(code: DockerfileErrorCode | ImageErrorCode, message: string, location?: SourceLocation, options?: { cause?: unknown }) {
    super(code, message, location, options);
  }

  /** 1-based line of the error, or 0 when it has no location. */
  get line(): number {
    return this.location?.start.line ?? 0;
  }

  /** The same error (same class, code, message and fields) located at `location`. */
  at(location: SourceLocation): DockerfileError {
    return new DockerfileError(this.code, this.message, location, { cause: this });
  }
}

/** Bytes that are not a valid LLB Definition (truncated, malformed or hostile input). */
export class DefinitionDecodeError extends DockerfileLlbError {
  declare readonly code: DecodeErrorCode;
  declare readonly location: ByteLocation;

  constructor(code: DecodeErrorCode, message: string, location: ByteLocation) {
    super(code, message, location);
  }
}

/** Resolving a base image failed: unknown image, registry error, bad manifest. */
export class ImageResolveError extends DockerfileLlbError {
  declare readonly code: ImageErrorCode;
  /** The image reference as written or normalized. Never contains credentials. */
  readonly ref: string;

  constructor(code: ImageErrorCode, message: string, ref: string, options?: { cause?: unknown; location?: SourceLocation }) {
    super(code, message, options?.location, options);
    this.ref = ref;
  }
}

/**
 * A build request option the Dockerfile frontend refuses (`--shm-size 128m`, an unknown
 * `--network`, a bad `--platform` list): BuildKit's message, no location in the Dockerfile.
 */
export class BuildRequestError extends DockerfileLlbError {
  declare readonly code: 'E_BUILD_REQUEST';
  /** The frontend option at fault, for example `shm-size` or `platform`. */
  readonly option: string;

  constructor(message: string, option: string, options?: { cause?: unknown }) {
    super('E_BUILD_REQUEST', message, undefined, options);
    this.option = option;
  }
}

/**
 * A graph (or protobuf message) that cannot be written as LLB: a value of the wrong type or out of
 * its field's range, an unknown field, two members of a oneof. Thrown by `encodeGraph` and the
 * codec instead of writing wrong bytes.
 */
export class LlbEncodeError extends DockerfileLlbError {
  declare readonly code: EncodeErrorCode;
  /** Where the bad value is, for example `Op.exec.mounts[1].secretOpt.uid` or `vertex.meta.args`. */
  readonly path: string;

  constructor(code: EncodeErrorCode, message: string, path: string) {
    super(code, path ? `${path}: ${message}` : message);
    this.path = path;
    this.#message = message;
  }

  readonly #message: string;

  /** The same error one level further out: `segment` is prepended to the path. */
  within(segment: string): LlbEncodeError {
    const path = this.path ? (this.path.startsWith('[') ? `${segment}${this.path}` : `${segment}.${this.path}`) : segment;
    return new LlbEncodeError(this.code, this.#message, path);
  }
}

/** The bounds of {@link LimitError}: see `docs/security.md` for their defaults and why. */
export type LimitName = 'maxWordLength' | 'maxNestingDepth' | 'maxTotalLength' | 'maxPatternWork' | 'maxDefinitionBytes';

/**
 * An input that would need more than a configured bound (an expansion that doubles 24 times, a
 * `${…}` nested a thousand deep, a Definition larger than BuildKit accepts). Raised long before
 * memory, stack or time run out; located at the instruction that crossed the bound.
 */
export class LimitError extends DockerfileError {
  /** Which bound was crossed. */
  readonly limit: LimitName;
  /** Its value. */
  readonly max: number;

  constructor(limit: LimitName, max: number, message: string, location?: SourceLocation, options?: { cause?: unknown }) {
    super(DockerfileErrorCode.Limit, message, location, options);
    this.limit = limit;
    this.max = max;
  }

  override at(location: SourceLocation): LimitError {
    return new LimitError(this.limit, this.max, this.message, location, { cause: this });
  }
}
