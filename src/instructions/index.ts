/**
 * Typed Dockerfile instructions (BuildKit's `instructions` package).
 * @module
 */
export { parseInstruction, parseCommand, parseInstructions, INSTRUCTION_NAMES } from './parse.js';
export type { InstructionOptions, ParsedInstructions } from './parse.js';
export { expand, expandRaw, EXPANDABLE_KINDS } from './expand.js';
export type { SingleWordExpander } from './expand.js';
export { ramInBytes } from './runmount.js';
export { InstructionError } from './errors.js';

import { DockerfileError, type SourceLocation } from '../errors.js';
import type { Device, Mount } from './commands/run.js';
import { InstructionFailure } from './errors.js';
import { parseDevice as parseDeviceInternal, parseMount as parseMountInternal, type SingleWordExpander } from './runmount.js';

function rethrow<T>(fn: () => T, location?: SourceLocation): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof InstructionFailure) throw new DockerfileError(e.code, e.message, location);
    throw e;
  }
}

/**
 * Parses one `RUN --mount` value like BuildKit's `parseMount`: without `expander` values are
 * left uninterpreted (only `from` is checked for variables); with it every value is expanded,
 * then validated. Throws {@link DockerfileError} with BuildKit's message.
 */
export function parseMount(value: string, expander?: SingleWordExpander, location?: SourceLocation): Mount {
  return rethrow(() => parseMountInternal(value, expander), location);
}

/** Parses one `RUN --device` value like BuildKit's `ParseDevice`. Throws {@link DockerfileError}. */
export function parseDevice(value: string, location?: SourceLocation): Device {
  return rethrow(() => parseDeviceInternal(value), location);
}
export type * from './commands/index.js';
