/** Where a vertex comes from in the Dockerfile, as BuildKit records it in the source map. */
import type { VertexLocation } from '../graph/types.js';
import type { Node } from '../parser/node.js';

/** The source-map location of an instruction: one range per line it spans, as BuildKit records it. */
export function nodeLocation(node: Node): VertexLocation {
  const end = Math.max(node.endLine, node.startLine);
  const ranges = [];
  for (let line = node.startLine; line <= end; line++) {
    // A whole line starts and ends at the same position: one object for both (the graph is read-only).
    const at = { line, character: 0 };
    ranges.push({ start: at, end: at });
  }
  return { sourceIndex: 0, ranges };
}
