/** The shape of a CLI subcommand. */
import type { FlagSpec, ParsedArgs } from './args.js';
import type { ErrorSource } from './errors.js';
import type { Streams } from './io.js';

export interface CommandContext extends Streams {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** Set by commands that read a Dockerfile, so errors can show the offending line. */
  source?: ErrorSource;
  /** Aborted when the command ends, success or failure: registry requests still in flight stop. */
  readonly signal?: AbortSignal;
  /**
   * Told the size of the Dockerfile a command has read, before it compiles it: the process may
   * tune its heap for a large one (only when main runs as the process, see MainOptions.process).
   */
  readonly sizeHint?: (bytes: number) => void;
}

export interface Command {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  readonly flags: readonly FlagSpec[];
  /** Extra help text after the flags. */
  readonly details?: string;
  run(ctx: CommandContext, args: ParsedArgs): Promise<number>;
}
