/** Where a vertex comes from in the Dockerfile, as BuildKit records it in the source map. */
import type { VertexLocation } from '../graph/types.js';
import type { Node } from '../parser/node.js';
import { fit } from '../util/arrays.js';

/** The source-map location of an instruction: one range per line it spans, as BuildKit records it. */
export function nodeLocation(node: Node): VertexLocation {
  // A whole line starts and ends at the same position: one object for both (the graph is read-only).
  const first = { line: node.startLine, character: 0 };
  if (node.endLine <= node.startLine) return { sourceIndex: 0, ranges: [{ start: first, end: first }] };
  const ranges = [{ start: first, end: first }];
  for (let line = node.startLine + 1; line <= node.endLine; line++) {
    const at = { line, character: 0 };
    ranges.push({ start: at, end: at });
  }
  return { sourceIndex: 0, ranges: fit(ranges) };
}
