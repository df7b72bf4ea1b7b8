import type { SourceLocation } from '../../errors.js';
import type { Node } from '../../parser/node.js';

/** Fields every command has (BuildKit's `withNameAndCode`, plus the node and its location). */
export interface CommandBase {
  /** The keyword as written (`run`, `RUN`): BuildKit's `Name()`. */
  readonly name: string;
  /** The trimmed instruction text: BuildKit's `String()`, used in progress names. */
  readonly code: string;
  /** The instruction line as the parser keeps it (see {@link Node.original}). */
  readonly original: string;
  /** The parse-tree node the command was built from. */
  readonly node: Node;
  /** Where the instruction is, with exact columns. */
  readonly location: SourceLocation;
}

/** A named value (ENV, LABEL). */
export interface KeyValuePair {
  readonly key: string;
  readonly value: string;
  /** True for the legacy `ENV key value` form (no `=`). */
  readonly noDelim: boolean;
}

/** A name with an optional value (ARG). */
export interface KeyValuePairOptional {
  readonly key: string;
  /** Undefined for `ARG name` without a default. */
  readonly value?: string;
  /** The doc comment above the instruction that starts with the name (`# NAME …`). */
  readonly comment: string;
}
