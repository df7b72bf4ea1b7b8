/** Errors of the instruction layer. */
import { DockerfileError, type DockerfileErrorCode, type SourceLocation } from '../errors.js';

/**
 * An error BuildKit reports for one instruction while building the instruction list
 * (`instructions.Parse`). BuildKit prints it as
 * `dockerfile parse error on line N: <message>`; {@link buildkitMessage} gives that text.
 */
export class InstructionError extends DockerfileError {
  constructor(code: DockerfileErrorCode, message: string, location: SourceLocation, options?: { cause?: unknown }) {
    super(code, message, location, options);
  }

  /** The message with BuildKit's `dockerfile parse error on line N: ` prefix. */
  get buildkitMessage(): string {
    return `dockerfile parse error on line ${this.line}: ${this.message}`;
  }
}

/** A failure inside an instruction parser; the caller attaches the location. */
export class InstructionFailure extends Error {
  constructor(
    readonly code: DockerfileErrorCode,
    message: string,
  ) {
    super(message);
  }
}
