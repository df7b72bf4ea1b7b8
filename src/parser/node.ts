/** The parse tree: BuildKit's `parser.Node`, with exact source ranges. */
import type { SourceRange } from '../errors.js';
import { goQuote, goQuoteSlice } from '../util/goquote.js';
import { goTrimSpace } from '../util/gounicode.js';

/** A here-document attached to a RUN, COPY or ADD instruction (BuildKit's `parser.Heredoc`). */
export interface Heredoc {
  /** The delimiter word with quotes removed (`EOF` for `<<"EOF"`). */
  readonly name: string;
  /** The body, exactly as in the file: every line with its line ending, without the terminator line. */
  readonly content: string;
  /** False when any part of the delimiter was quoted: the body must not be expanded. */
  readonly expand: boolean;
  /** True for `<<-`: leading tabs are stripped from the body (by the consumer) and the terminator. */
  readonly chomp: boolean;
  /** The file descriptor written before `<<` (`3<<EOF`), 0 when absent. */
  readonly fileDescriptor: number;
}

/**
 * A node of the parse tree, shaped like BuildKit's `parser.Node`.
 *
 * - The root node has `value` `''` and the instructions in `children`.
 * - An instruction node has the lower-cased keyword in `value` (`keyword` keeps it as
 *   written), its raw `--flags`, and its arguments in `next`.
 * - `next` is BuildKit's `Next` linked list flattened into an array: the argument nodes in
 *   order. Argument nodes have no `next` of their own.
 * - For ONBUILD, `next` holds a single node with `value` `''` whose `children[0]` is the
 *   trigger instruction node, exactly like BuildKit (`(onbuild (run "x"))`).
 */
export interface Node {
  /** Lower-cased keyword (instruction nodes), the word (argument nodes), or `''` (root, ONBUILD wrapper). */
  readonly value: string;
  /** The instruction keyword as written (instruction nodes only; `''` otherwise). */
  readonly keyword: string;
  /** Argument nodes, in order. */
  readonly next: readonly Node[];
  /** Instruction nodes (root), or the trigger instruction (ONBUILD wrapper node). */
  readonly children: readonly Node[];
  /** Here-documents read after the instruction line. */
  readonly heredocs: readonly Heredoc[];
  /** `json: true` when the arguments were given in exec (JSON array) form. */
  readonly attributes: { readonly json?: boolean };
  /**
   * The instruction line as BuildKit keeps it: continuation lines joined, escape characters
   * at line ends and comment lines removed, not trimmed. Empty for argument nodes.
   */
  readonly original: string;
  /** Raw builder flags (`--from=build`) in order; only instruction nodes have them. */
  readonly flags: readonly string[];
  /** Where each of {@link flags} is written (end exclusive), for tools that rewrite flags. */
  readonly flagRanges: readonly SourceRange[];
  /** First line (1-based). For instructions, as BuildKit; argument nodes get their own line. */
  readonly startLine: number;
  /** Last line (1-based), including heredoc bodies and terminators for instructions. */
  readonly endLine: number;
  /** Exact source range (end exclusive). For arguments, the span of the word in the file. */
  readonly range: SourceRange;
  /** Comment lines directly before the instruction (BuildKit's `PrevComment`), `#` removed. */
  readonly prevComment: readonly string[];
}

/** Dumps a node as BuildKit's `Node.Dump()`: the S-expression format of the parser test suite. */
export function dumpNode(node: Node): string {
  let str = node.value.toLowerCase();
  if (node.flags.length > 0) str += ' ' + goQuoteSlice(node.flags);
  for (const c of node.children) str += '(' + dumpNode(c) + ')\n';
  for (const n of node.next) {
    str += ' ' + (n.children.length > 0 ? dumpNode(n) : goQuote(n.value));
  }
  return goTrimSpace(str);
}
