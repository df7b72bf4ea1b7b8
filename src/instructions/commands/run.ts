import type { CommandBase } from './base.js';

/** A heredoc attached to a RUN (or CMD/ENTRYPOINT) command line (BuildKit's `ShellInlineFile`). */
export interface ShellInlineFile {
  readonly name: string;
  /** Body as written; not chomped (see {@link chomp}). */
  readonly data: string;
  /** `<<-`: strip leading tabs before use. */
  readonly chomp: boolean;
}

/** A command line that may be run through the shell (BuildKit's `ShellDependantCmdLine`). */
export interface ShellDependantCmdLine {
  /** Exec form: the JSON array. Shell form: one element, the arguments joined by a space. */
  readonly cmdLine: readonly string[];
  readonly files: readonly ShellInlineFile[];
  /** True for shell form: the stage's SHELL is prepended. */
  readonly prependShell: boolean;
}

export type MountType = 'bind' | 'cache' | 'tmpfs' | 'secret' | 'ssh';
export type ShareMode = 'shared' | 'private' | 'locked';

/** A `RUN --mount` (BuildKit's `instructions.Mount`). Empty strings mean "not set", as in Go. */
export interface Mount {
  readonly type: MountType;
  readonly from: string;
  readonly source: string;
  readonly target: string;
  readonly readOnly: boolean;
  /** tmpfs `size` in bytes; 0 when not set. */
  readonly sizeLimit: number;
  /** `id`: cache id, secret id or ssh id. */
  readonly cacheId: string;
  readonly cacheSharing: ShareMode | '';
  readonly required: boolean;
  /** Secret as environment variable: the variable name (`''` = default); undefined when not set. */
  readonly env?: string;
  readonly mode?: number;
  readonly uid?: number;
  readonly gid?: number;
}

export type NetworkMode = 'default' | 'none' | 'host';
export type SecurityMode = 'insecure' | 'sandbox';

/** A `RUN --device` request (labs-only in BuildKit; the converter rejects it on stable syntax). */
export interface Device {
  readonly name: string;
  readonly required: boolean;
}

/** `RUN`. */
export interface RunCommand extends CommandBase, ShellDependantCmdLine {
  readonly kind: 'run';
  /** Names of the flags that were given (BuildKit's `FlagsUsed`), in order. */
  readonly flagsUsed: readonly string[];
  /** Raw `--mount` values; {@link mounts} is derived from them. */
  readonly mountSpecs: readonly string[];
  /**
   * Parsed mounts. Right after parsing, values are not interpreted yet (BuildKit defers them
   * until variables are known): call `expand(cmd, expander)` to get the real mounts.
   */
  readonly mounts: readonly Mount[];
  readonly network: NetworkMode;
  readonly security: SecurityMode;
  readonly devices: readonly Device[];
}

/** `CMD`. */
export interface CmdCommand extends CommandBase, ShellDependantCmdLine {
  readonly kind: 'cmd';
}

/** `ENTRYPOINT`. `cmdLine` is `null` for an empty exec form (`ENTRYPOINT []`), as BuildKit's nil. */
export interface EntrypointCommand extends CommandBase, Omit<ShellDependantCmdLine, 'cmdLine'> {
  readonly kind: 'entrypoint';
  readonly cmdLine: readonly string[] | null;
}
