/**
 * Typed Dockerfile instructions (BuildKit's `instructions` package).
 * @module
 */
export { parseInstruction, parseCommand, parseInstructions, INSTRUCTION_NAMES } from './parse.js';
export type { InstructionOptions, ParsedInstructions } from './parse.js';
export { expand, expandRaw, EXPANDABLE_KINDS } from './expand.js';
export type { SingleWordExpander } from './expand.js';
export { parseMount, parseDevice, ramInBytes } from './runmount.js';
export { InstructionError } from './errors.js';
export { BFlags, Flag } from './bflags.js';
export type * from './commands/index.js';
