/**
 * The order in which BuildKit visits a vertex's inputs when it serializes a graph.
 *
 * It decides the order of ops in a Definition. For most ops it is the order of the op's input
 * list. A file op is different: BuildKit walks its action chain from the last action back to the
 * first, visiting each action's base state and then its copy source, so the sources of a
 * multi-source COPY are visited last-first.
 */
import type { FileVertex, Output, SourceType, SourceVertex, Vertex } from './types.js';

/** The distinct inputs of `v` in the order BuildKit's marshaller visits them. */
export function traversalInputs(v: Vertex): readonly Output[] {
  if (v.walkInputs) return v.walkInputs;
  if (v.kind !== 'file' || v.inputs.length < 2) return v.inputs;
  return fileTraversal(v);
}

function fileTraversal(v: FileVertex): Output[] {
  // Plain loops over small arrays (a file op has a few inputs and actions), no Set or closure:
  // this runs for every file vertex a Definition has.
  const n = v.inputs.length;
  const { actions } = v;
  const taken: boolean[] = new Array<boolean>(n).fill(false);
  const visited: boolean[] = new Array<boolean>(actions.length).fill(false);
  const order: Output[] = [];
  // Start at the action that produces the op's output (the end of the chain).
  let last = actions.length - 1;
  for (let i = actions.length - 1; i >= 0; i--) {
    if (actions[i].output >= 0) {
      last = i;
      break;
    }
  }
  // Depth first over the `input` (previous action) chains: a copy whose source is another
  // action's result visits that chain first, then this chain goes on (the stack holds where).
  const resume: number[] = [];
  let a: number | undefined = last >= 0 ? last : undefined;
  for (;;) {
    if (a === undefined || visited[a]) {
      if (resume.length === 0) break;
      a = resume.pop();
      continue;
    }
    visited[a] = true;
    const action = actions[a];
    // The op input at the bottom of this action's `input` chain: the state it is bound to.
    let base = action.input;
    for (let guard = 0; base >= n && guard <= actions.length; guard++) base = actions[base - n].input;
    if (base >= 0 && base < n && !taken[base]) {
      taken[base] = true;
      order.push(v.inputs[base]);
    }
    const next = action.input >= n ? action.input - n : undefined;
    if (action.action.kind === 'copy') {
      const src = action.secondaryInput;
      if (src >= n) {
        if (next !== undefined) resume.push(next);
        a = src - n;
        continue;
      }
      if (src >= 0 && !taken[src]) {
        taken[src] = true;
        order.push(v.inputs[src]);
      }
    }
    a = next;
  }
  // Inputs no action reaches (unusual, but valid LLB) come last, in list order.
  for (let i = 0; i < n; i++) if (!taken[i]) order.push(v.inputs[i]);
  return order;
}

/** The family of a source vertex, from its identifier's scheme. */
export function sourceType(v: SourceVertex): SourceType {
  const id = v.identifier;
  if (id.startsWith('docker-image://')) return 'image';
  if (id.startsWith('local://')) return 'local';
  if (id.startsWith('git://')) return 'git';
  if (id.startsWith('https://') || id.startsWith('http://')) return 'http';
  if (id.startsWith('oci-layout://')) return 'oci-layout';
  return 'other';
}
