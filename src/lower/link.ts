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
import { Caps, workerConstraints } from '../graph/constraints.js';
import { isSameOutputObject } from '../graph/identity.js';
import { traversalInputs } from '../graph/traverse.js';
import { fit, mapSame } from '../util/arrays.js';
import type { FileAction, FileVertex, LinkedFileVertex, MergeVertex, Output, ProgressGroup, Vertex, VertexMetadata } from '../graph/types.js';
import type { Building } from '../util/building.js';

/** True when `v` still needs lowering. */
export function isLinkedCopy(v: Vertex): v is LinkedFileVertex {
  return v.kind === 'file' && v.link !== undefined;
}

/** Rewrites the copy of a linked vertex onto scratch: drops the base input and renumbers. */
function copyOnScratch(v: LinkedFileVertex): FileVertex {
  const { base } = v.link;
  const inputs: Output[] = [];
  for (let i = 0; i < v.inputs.length; i++) if (i !== base) inputs.push(v.inputs[i]);
  const oldCount = v.inputs.length;
  const newCount = inputs.length;
  const actions: FileAction[] = [];
  for (const a of v.actions) {
    actions.push({
      input: remapInput(a.input, base, oldCount, newCount),
      secondaryInput: remapInput(a.secondaryInput, base, oldCount, newCount),
      output: a.output,
      action: a.action,
    });
  }
  // On scratch, BuildKit walks only the sources: the base leaves the walk unless a source is it.
  const baseOut = base >= 0 ? v.inputs[base] : undefined;
  let walk: Output[] | undefined;
  if (v.walkInputs) {
    walk = [];
    for (const o of v.walkInputs) if (!isSameOutputObject(o, baseOut) || inputs.some((x) => isSameOutputObject(x, o))) walk.push(o);
  }
  const metadata = withProgressGroup(v.metadata, { id: v.link.progressGroupId, name: v.link.stepName, weak: true });
  // The vertex's fields, less the annotation and the old walk, written out rather than spread
  // (this runs for every COPY --link).
  const out: Building<FileVertex> = { kind: 'file', inputs: fit(inputs) };
  if (v.platform !== undefined) out.platform = v.platform;
  out.constraints = v.constraints;
  out.metadata = metadata;
  out.locations = v.locations;
  if (v.outputPlatform !== undefined) out.outputPlatform = v.outputPlatform;
  out.actions = fit(actions);
  if (walk && walk.length > inputs.length) out.walkInputs = walk;
  return out as FileVertex;
}

/**
 * `md` with its progress group set: the fields copied in VertexMetadata's order rather than
 * spread (a spread of a metadata object is the slowest line of a linked copy).
 */
function withProgressGroup(md: VertexMetadata | undefined, progressGroup: ProgressGroup): VertexMetadata {
  const out: Building<VertexMetadata> = {};
  if (md) {
    if (md.ignoreCache !== undefined) out.ignoreCache = md.ignoreCache;
    if (md.description !== undefined) out.description = md.description;
    if (md.exportCache !== undefined) out.exportCache = md.exportCache;
    if (md.caps !== undefined) out.caps = md.caps;
  }
  out.progressGroup = progressGroup;
  return out;
}

/** An action's input index once the base input `base` of `oldCount` inputs is dropped. */
function remapInput(i: number, base: number, oldCount: number, newCount: number): number {
  if (i < 0) return i;
  if (i >= oldCount) return i - oldCount + newCount; // the result of an earlier action
  if (i === base) return -1;
  return base >= 0 && i > base ? i - 1 : i;
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
    constraints: workerConstraints({}),
    // The merge's caps, then the step's description (mergeMetadata has no caps of its own).
    metadata: {
      caps: { [Caps.mergeOp]: true },
      ...v.link.mergeMetadata,
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
