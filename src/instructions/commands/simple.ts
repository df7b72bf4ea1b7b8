import type { CommandBase, KeyValuePair, KeyValuePairOptional } from './base.js';

/** `ENV`. */
export interface EnvCommand extends CommandBase {
  readonly kind: 'env';
  readonly env: readonly KeyValuePair[];
}

/** `LABEL`. */
export interface LabelCommand extends CommandBase {
  readonly kind: 'label';
  readonly labels: readonly KeyValuePair[];
}

/** `ARG` (one or more names with optional defaults). */
export interface ArgCommand extends CommandBase {
  readonly kind: 'arg';
  readonly args: readonly KeyValuePairOptional[];
}

/** `MAINTAINER` (deprecated). */
export interface MaintainerCommand extends CommandBase {
  readonly kind: 'maintainer';
  readonly maintainer: string;
}

/** `EXPOSE`: ports as written, sorted like BuildKit. */
export interface ExposeCommand extends CommandBase {
  readonly kind: 'expose';
  readonly ports: readonly string[];
}

/** `VOLUME`: trimmed paths. */
export interface VolumeCommand extends CommandBase {
  readonly kind: 'volume';
  readonly volumes: readonly string[];
}

/** `USER`. */
export interface UserCommand extends CommandBase {
  readonly kind: 'user';
  readonly user: string;
}

/** `WORKDIR`. */
export interface WorkdirCommand extends CommandBase {
  readonly kind: 'workdir';
  readonly path: string;
}

/** `ONBUILD`: the trigger text, to be parsed again when the image is used as a base. */
export interface OnbuildCommand extends CommandBase {
  readonly kind: 'onbuild';
  /** The instruction after `ONBUILD`, with heredoc bodies and terminators appended. */
  readonly expression: string;
}

/** `STOPSIGNAL`. */
export interface StopSignalCommand extends CommandBase {
  readonly kind: 'stopsignal';
  readonly signal: string;
}

/** `SHELL` (JSON form only). */
export interface ShellCommand extends CommandBase {
  readonly kind: 'shell';
  readonly shell: readonly string[];
}

/** The image health check (Docker's `HealthcheckConfig`); durations in nanoseconds, 0 = unset. */
export interface HealthConfig {
  /** `["NONE"]`, `["CMD", …]` (exec form) or `["CMD-SHELL", cmd]` (shell form). */
  readonly test: readonly string[];
  readonly interval: number;
  readonly timeout: number;
  readonly startPeriod: number;
  readonly startInterval: number;
  readonly retries: number;
}

/** `HEALTHCHECK`. */
export interface HealthCheckCommand extends CommandBase {
  readonly kind: 'healthcheck';
  readonly health: HealthConfig;
}
