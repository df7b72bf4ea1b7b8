/**
 * When two outputs are the same input of an op. BuildKit's client library deduplicates the inputs
 * of an exec or file op by their wire form (the input op's digest and the output index), not by
 * which object built them: `FROM alpine` and a later `COPY --from=alpine` make two image sources
 * with the same bytes, so the copy reads input 0, not a second input. Vertices compare by their op
 * fields (metadata and source locations are not part of the op bytes) and, recursively, their
 * inputs.
 */
import type { Output, Vertex } from './types.js';

const fieldsOf = new WeakMap<Vertex, string>();

/** The op fields of a vertex, as a string (memoized; vertices are immutable). */
function opFields(v: Vertex): string {
  let s = fieldsOf.get(v);
  if (s === undefined) {
    const { inputs: _inputs, metadata: _metadata, locations: _locations, ...fields } = v;
    s = JSON.stringify(fields, (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x instanceof Uint8Array ? Array.from(x) : x));
    fieldsOf.set(v, s);
  }
  return s;
}

/** Whether two vertices encode to the same op bytes (and so the same digest). */
export function sameVertex(a: Vertex, b: Vertex): boolean {
  if (a === b) return true;
  if (a.kind !== b.kind || a.inputs.length !== b.inputs.length) return false;
  // Two sources of different identifiers (an image and the build context, most often) differ
  // without serializing either.
  if (a.kind === 'source' && b.kind === 'source' && a.identifier !== b.identifier) return false;
  if (opFields(a) !== opFields(b)) return false;
  return a.inputs.every((x, i) => sameOutput(x, b.inputs[i]));
}

/** Whether `a` and `b` are the same output of the same vertex object (not only equal bytes). */
export function isSameOutputObject(a: Output, b: Output | undefined): boolean {
  return b !== undefined && a.vertex === b.vertex && a.index === b.index;
}

/**
 * Adds `o` to a marshal walk list (see `walkInputs`) unless that output object is on it already:
 * the walk keeps outputs whose bytes are equal but that are different objects.
 */
export function addWalked(walk: Output[], o: Output | undefined): void {
  if (!o) return;
  for (const w of walk) if (isSameOutputObject(w, o)) return;
  walk.push(o);
}

/** Whether two outputs are the same LLB input: the same output of ops with the same digest. */
export function sameOutput(a: Output, b: Output): boolean {
  return a.index === b.index && sameVertex(a.vertex, b.vertex);
}
