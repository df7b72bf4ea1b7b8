/**
 * Stable error codes of the errors thrown by the parser, the shell lexer and the
 * instruction layer. Tools match on these, never on messages.
 */
export const ErrorCode = {
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
  /** Variable expansion failed (see also the lexer's own code `E_SHELL_EXPANSION`). */
  Expansion: 'E_SHELL_EXPANSION',
  /** The `check` directive cannot be parsed. */
  CheckDirective: 'E_CHECK_DIRECTIVE',
} as const;

export type ErrorCodeValue = (typeof ErrorCode)[keyof typeof ErrorCode];
