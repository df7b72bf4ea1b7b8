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
  const n = v.inputs.length;
  const { actions } = v;
  const seen = new Set<number>();
  const order: Output[] = [];
  const add = (i: number) => {
    if (i >= 0 && i < n && !seen.has(i)) {
      seen.add(i);
      order.push(v.inputs[i]);
    }
  };
  // The op input at the bottom of an action's `input` chain: the state the chain is bound to.
  const chainBase = (a: number): number => {
    let i = actions[a].input;
    for (let guard = 0; i >= n && guard <= actions.length; guard++) i = actions[i - n].input;
    return i;
  };
  const visitedActions = new Set<number>();
  const visit = (start: number) => {
    // Iterative over the `input` (previous action) chain; copy sources recurse.
    for (let a: number | undefined = start; a !== undefined && !visitedActions.has(a); ) {
      visitedActions.add(a);
      const action: FileVertex['actions'][number] = actions[a];
      add(chainBase(a));
      if (action.action.kind === 'copy') {
        const src = action.secondaryInput;
        if (src >= n) visit(src - n);
        else add(src);
      }
      a = action.input >= n ? action.input - n : undefined;
    }
  };
  // Start at the action that produces the op's output (the end of the chain).
  let last = actions.length - 1;
  for (let i = actions.length - 1; i >= 0; i--) {
    if (actions[i].output >= 0) {
      last = i;
      break;
    }
  }
  if (last >= 0) visit(last);
  // Inputs no action reaches (unusual, but valid LLB) come last, in list order.
  for (let i = 0; i < n; i++) add(i);
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
