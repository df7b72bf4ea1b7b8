/** Typed instructions, one union member per Dockerfile instruction. */
import type { AddCommand, CopyCommand } from './copy.js';
import type { CmdCommand, EntrypointCommand, RunCommand } from './run.js';
import type {
  ArgCommand,
  EnvCommand,
  ExposeCommand,
  HealthCheckCommand,
  LabelCommand,
  MaintainerCommand,
  OnbuildCommand,
  ShellCommand,
  StopSignalCommand,
  UserCommand,
  VolumeCommand,
  WorkdirCommand,
} from './simple.js';
import type { Stage } from './stage.js';

export type * from './base.js';
export type * from './copy.js';
export type * from './run.js';
export type * from './simple.js';
export type * from './stage.js';

/** Every command that can appear inside a stage. Discriminated by `kind`. */
export type Command =
  | RunCommand
  | CmdCommand
  | EntrypointCommand
  | CopyCommand
  | AddCommand
  | EnvCommand
  | ArgCommand
  | LabelCommand
  | MaintainerCommand
  | ExposeCommand
  | VolumeCommand
  | UserCommand
  | WorkdirCommand
  | OnbuildCommand
  | StopSignalCommand
  | HealthCheckCommand
  | ShellCommand;

/** What one instruction parses to: a command, or a stage for FROM. */
export type Instruction = Command | Stage;

/** The `kind` of every command. */
export type CommandKind = Command['kind'];
