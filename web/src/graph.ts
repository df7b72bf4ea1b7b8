/**
 * The graph the page draws, derived from the library's analysis of a build: one node per op of
 * the Definition, one edge per input, stages as groups. A linked copy (`COPY --link`) also gets a
 * drawn `scratch` node, the empty filesystem the copy starts from; it is not an op and has no
 * digest.
 */
import type { Analysis, JsonObject, Step } from 'dockerfile-llb';

/** What a node stands for, as the page colours it. */
export type NodeKind = 'image' | 'context' | 'git' | 'http' | 'oci' | 'exec' | 'file' | 'merge' | 'diff' | 'build' | 'result' | 'scratch';

export interface GraphNode {
  /** The op's digest, or `scratch:<digest of the copy>` for a drawn scratch. */
  readonly id: string;
  /** The op's digest; absent for scratch. */
  readonly digest?: string;
  readonly kind: NodeKind;
  /** The step name (`[2/5] RUN make`), or what an unnamed op is. */
  readonly title: string;
  /** One word or two under the title: `RUN`, `image`, `COPY --link`… */
  readonly subtitle: string;
  readonly stage?: string;
  readonly link?: 'copy' | 'merge';
}

export interface GraphEdge {
  readonly from: string;
  readonly to: string;
  /** The mount point, output number or merge role, when it says something. */
  readonly label?: string;
}

export interface GraphCluster {
  /** The stage name (`build`, `stage-1`). */
  readonly id: string;
  /** `stage build`, or `stage 1` for an unnamed one. */
  readonly label: string;
  readonly nodes: readonly string[];
}

export interface GraphModel {
  readonly nodes: readonly GraphNode[];
  readonly edges: readonly GraphEdge[];
  readonly clusters: readonly GraphCluster[];
}

const PINNED = /@sha256:[0-9a-f]{64}/;

/** A string field of a protojson object, or `''`. */
function stringField(o: unknown, key: string): string {
  const v = o !== null && typeof o === 'object' ? (o as JsonObject)[key] : undefined;
  return typeof v === 'string' ? v : '';
}

function sourceKind(identifier: string): NodeKind {
  if (identifier.startsWith('docker-image://')) return 'image';
  if (identifier.startsWith('local://')) return 'context';
  if (identifier.startsWith('git://')) return 'git';
  if (identifier.startsWith('oci-layout://')) return 'oci';
  return 'http';
}

function nodeKind(step: Step): NodeKind {
  switch (step.kind) {
    case 'source':
      return sourceKind(stringField(step.op.source, 'identifier'));
    case 'exec':
    case 'file':
    case 'merge':
    case 'diff':
    case 'build':
    case 'result':
      return step.kind;
  }
}

const SUBTITLES: Record<NodeKind, string> = {
  image: 'image',
  context: 'context',
  git: 'git source',
  http: 'http source',
  oci: 'OCI layout',
  exec: 'exec',
  file: 'file',
  merge: 'merge',
  diff: 'diff',
  build: 'build',
  result: 'result',
  scratch: 'empty filesystem',
};

function subtitle(step: Step, kind: NodeKind): string {
  const at = step.position ? `${step.position.n}/${step.position.total} · ` : '';
  // A linked copy and its merge share their position: the kind says more.
  if (step.link === 'copy') return 'copy onto scratch';
  if (step.link === 'merge') return 'merge (--link)';
  return `${at}${SUBTITLES[kind]}`;
}

/** `RUN --mount=… go build` → `RUN go build`: flags are in the details; `--from` stays. */
function withoutFlags(command: string): string {
  const words = command.split(/\s+/);
  const out = [words[0]];
  let flags = true;
  for (const w of words.slice(1)) {
    if (flags && w.startsWith('--') && !w.startsWith('--from=')) continue;
    if (!w.startsWith('--')) flags = false;
    out.push(w);
  }
  return out.join(' ');
}

/** `docker.io/library/node:20-alpine@sha256:…` → `node:20-alpine`. */
export function shortImage(ref: string): string {
  return ref.replace(PINNED, '').replace(/^docker\.io\/library\//, '').replace(/^docker\.io\//, '');
}

/** A short title: the instruction without its `[stage n/m]` prefix, flags and image digests. */
export function stepTitle(step: Step): string {
  if (step.kind === 'result') return 'result';
  const command = step.command ?? (step.name || step.label);
  if (!step.instruction) return command.replace(PINNED, '');
  if (step.instruction === 'FROM' && step.kind === 'source') return `FROM ${shortImage(command.slice(command.indexOf(' ') + 1))}`;
  return command.startsWith('LINK ') ? `merge: ${withoutFlags(command.slice(5))}` : withoutFlags(command);
}

/** Edge labels for an op's inputs: mount points of an exec, `base`/`layer` of a link merge. */
function inputLabels(step: Step): (string | undefined)[] {
  const labels: (string | undefined)[] = step.inputs.map((i) => (i.output !== 0 ? `output ${i.output}` : undefined));
  if (step.kind === 'exec') {
    const mounts = ((step.op.exec as JsonObject | undefined)?.mounts as JsonObject[] | undefined) ?? [];
    for (const m of mounts) {
      const input = Number(m.input ?? -1);
      const dest = stringField(m, 'dest');
      if (input >= 0 && input < labels.length && dest !== '/') labels[input] = dest;
    }
  }
  if (step.link === 'merge') {
    step.inputs.forEach((i, n) => {
      labels[n] = i.digest === step.linkPeer ? 'layer' : 'base';
    });
  }
  return labels;
}

/** The graph of an analysed build. */
export function graphOf(analysis: Analysis): GraphModel {
  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  const clusters = new Map<string, string[]>();
  const add = (node: GraphNode) => {
    nodes.push(node);
    if (node.stage !== undefined) {
      const list = clusters.get(node.stage);
      if (list) list.push(node.id);
      else clusters.set(node.stage, [node.id]);
    }
  };
  for (const step of analysis.steps) {
    const kind = nodeKind(step);
    const stage = step.kind === 'result' || kind === 'context' ? undefined : step.stage;
    const node: { -readonly [K in keyof GraphNode]: GraphNode[K] } = { id: step.digest, digest: step.digest, kind, title: stepTitle(step), subtitle: subtitle(step, kind) };
    if (stage !== undefined) node.stage = stage;
    if (step.link) node.link = step.link;
    if (step.link === 'copy') {
      const scratch: { -readonly [K in keyof GraphNode]: GraphNode[K] } = { id: `scratch:${step.digest}`, kind: 'scratch', title: 'scratch', subtitle: SUBTITLES.scratch };
      if (stage !== undefined) scratch.stage = stage;
      add(scratch);
      edges.push({ from: scratch.id, to: step.digest });
    }
    add(node);
    const labels = inputLabels(step);
    const seen = new Set<string>();
    step.inputs.forEach((input, i) => {
      const key = `${input.digest}|${labels[i] ?? ''}`;
      if (seen.has(key)) return;
      seen.add(key);
      const edge: { -readonly [K in keyof GraphEdge]: GraphEdge[K] } = { from: input.digest, to: step.digest };
      if (labels[i] !== undefined) edge.label = labels[i];
      edges.push(edge);
    });
  }
  // Stages in Dockerfile order.
  const info = new Map(analysis.stages.map((s) => [s.name, s]));
  const byOrder = [...clusters].sort(([a], [b]) => (info.get(a)?.index ?? Infinity) - (info.get(b)?.index ?? Infinity));
  return {
    nodes,
    edges,
    clusters: byOrder.map(([id, list]) => {
      const stage = info.get(id);
      return { id, label: stage && !stage.named ? `stage ${stage.index}` : `stage ${id}`, nodes: list };
    }),
  };
}
