/**
 * The `--link` lowering pass.
 *
 * The frontend records `COPY --link` / `ADD --link` as an ordinary copy onto the stage's state,
 * annotated with {@link LinkAnnotation}. This pass rewrites each annotated vertex the way
 * BuildKit builds it:
 *
 *   1. the same copy actions, but onto scratch (the base input is dropped), in a file vertex
 *      carrying the step's progress group (weak);
 *   2. a merge vertex layering that result on top of the base state, named `… LINK …` and in the
 *      same progress group.
 *
 * The copy no longer depends on the base, so its digest survives a change of the base image;
 * the merge does not. When the base is scratch, the merge collapses to the copy itself.
 */
import { buildMetadata, Caps } from '../graph/constraints.js';
import { traversalInputs } from '../graph/traverse.js';
import { mapSame } from '../util/arrays.js';
import type { FileAction, FileVertex, LinkedFileVertex, MergeVertex, Output, Vertex } from '../graph/types.js';

/** True when `v` still needs lowering. */
export function isLinkedCopy(v: Vertex): v is LinkedFileVertex {
  return v.kind === 'file' && v.link !== undefined;
}

/** Rewrites the copy of a linked vertex onto scratch: drops the base input and renumbers. */
function copyOnScratch(v: LinkedFileVertex): FileVertex {
  const { base } = v.link;
  const inputs = v.inputs.filter((_, i) => i !== base);
  const oldCount = v.inputs.length;
  const newCount = inputs.length;
  const remap = (i: number): number => {
    if (i < 0) return i;
    if (i >= oldCount) return i - oldCount + newCount; // the result of an earlier action
    if (i === base) return -1;
    return base >= 0 && i > base ? i - 1 : i;
  };
  const actions: FileAction[] = v.actions.map((a) => ({ ...a, input: remap(a.input), secondaryInput: remap(a.secondaryInput) }));
  const { link, walkInputs, ...rest } = v;
  // On scratch, BuildKit walks only the sources: the base leaves the walk unless a source is it.
  const baseOut = base >= 0 ? v.inputs[base] : undefined;
  const same = (a: Output, b: Output | undefined) => b !== undefined && a.vertex === b.vertex && a.index === b.index;
  const walk = walkInputs?.filter((o) => !same(o, baseOut) || inputs.some((x) => same(x, o)));
  return {
    ...rest,
    ...(walk && walk.length > inputs.length ? { walkInputs: walk } : {}),
    inputs,
    actions,
    metadata: { ...v.metadata, progressGroup: { id: link.progressGroupId, name: link.stepName, weak: true } },
  };
}

/**
 * One linked copy lowered: a copy on scratch, merged onto the base when there is one. Its inputs
 * must already be lowered (the frontend calls this as it dispatches each COPY --link, through
 * ConvertOptions.lowerLinkedCopy; {@link lowerLinks} does it for a graph built otherwise).
 */
export function lowerLinkedCopy(v: LinkedFileVertex): Output {
  const copyVertex = copyOnScratch(v);
  const copyOut: Output = { vertex: copyVertex, index: 0 };
  if (v.link.base < 0) return copyOut;
  const merge: MergeVertex = {
    kind: 'merge',
    inputs: [v.inputs[v.link.base], copyOut],
    merge: [0, 1],
    constraints: { filter: [] },
    metadata: {
      ...buildMetadata({}, [Caps.mergeOp]),
      ...v.link.mergeMetadata,
      caps: { [Caps.mergeOp]: true },
      progressGroup: { id: v.link.progressGroupId, name: v.link.stepName, weak: false },
    },
    locations: v.link.mergeLocations ?? [],
  };
  return { vertex: merge, index: 0 };
}

/**
 * Lowers every linked copy reachable from `root`, rebuilding the vertices that depend on them.
 * Vertices whose inputs are unchanged are kept as they are (same objects).
 */
export function lowerLinks(root: Output | undefined): Output | undefined {
  if (!root) return root;
  const replaced = new Map<Vertex, Output>();
  const outputOf = (o: Output): Output => {
    const r = replaced.get(o.vertex)!;
    // A lowered linked copy has one output; other vertices keep their output indices.
    return r.vertex === o.vertex ? o : { vertex: r.vertex, index: isLoweredLink(o.vertex) ? r.index : o.index };
  };
  const isLoweredLink = (v: Vertex) => isLinkedCopy(v);
  // Post-order, iteratively: a vertex is rebuilt after all its inputs.
  const stack: Vertex[] = [root.vertex];
  while (stack.length) {
    const v = stack[stack.length - 1];
    if (replaced.has(v)) {
      stack.pop();
      continue;
    }
    let pending = false;
    for (const o of traversalInputs(v)) {
      if (!replaced.has(o.vertex)) {
        stack.push(o.vertex);
        pending = true;
      }
    }
    if (pending) continue;
    stack.pop();
    const inputs = mapSame(v.inputs, outputOf);
    const walkInputs = v.walkInputs && mapSame(v.walkInputs, outputOf);
    const changed = inputs !== v.inputs || walkInputs !== v.walkInputs;
    const rebuilt = changed ? ({ ...v, inputs, ...(walkInputs ? { walkInputs } : {}) } as Vertex) : v;
    replaced.set(v, isLinkedCopy(rebuilt) ? lowerLinkedCopy(rebuilt) : { vertex: rebuilt, index: 0 });
  }
  return outputOf(root);
}
