/**
 * Lays out a {@link GraphModel} with dagre: ranks top to bottom (inputs above the ops that read
 * them), stages as compound clusters.
 */
import { type EdgeLabel, Graph, type GraphLabel, layout, type NodeLabel } from '@dagrejs/dagre';
import type { GraphEdge, GraphModel, GraphNode } from './graph';

export const NODE_WIDTH = 204;
export const NODE_HEIGHT = 50;
export const SCRATCH_WIDTH = 112;
export const SCRATCH_HEIGHT = 38;
/** Room above a cluster's first row for its label. */
const CLUSTER_LABEL = 22;

export interface Point {
  readonly x: number;
  readonly y: number;
}

export interface PlacedNode extends GraphNode {
  /** Top-left corner. */
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface PlacedEdge extends GraphEdge {
  readonly points: readonly Point[];
  /** Where to put the label, when there is one. */
  readonly labelAt?: Point;
}

export interface PlacedCluster {
  readonly id: string;
  readonly label: string;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface GraphLayout {
  readonly nodes: readonly PlacedNode[];
  readonly edges: readonly PlacedEdge[];
  readonly clusters: readonly PlacedCluster[];
  readonly width: number;
  readonly height: number;
}

const CLUSTER_PREFIX = 'stage\u0000';

/** Positions for every node, edge and stage of the model. */
export function layoutGraph(model: GraphModel): GraphLayout {
  const g = new Graph<GraphLabel, NodeLabel, EdgeLabel>({ compound: true, multigraph: true });
  g.setGraph({ rankdir: 'TB', nodesep: 16, ranksep: 36, edgesep: 10, marginx: 16, marginy: 16 });
  g.setDefaultEdgeLabel((): EdgeLabel => ({}));
  for (const c of model.clusters) g.setNode(CLUSTER_PREFIX + c.id, { width: 0, height: 0, paddingTop: CLUSTER_LABEL });
  for (const n of model.nodes) {
    const scratch = n.kind === 'scratch';
    g.setNode(n.id, { width: scratch ? SCRATCH_WIDTH : NODE_WIDTH, height: scratch ? SCRATCH_HEIGHT : NODE_HEIGHT });
    if (n.stage !== undefined) g.setParent(n.id, CLUSTER_PREFIX + n.stage);
  }
  model.edges.forEach((e, i) => {
    if (!g.hasNode(e.from) || !g.hasNode(e.to)) return;
    g.setEdge(e.from, e.to, e.label ? { width: e.label.length * 6.4 + 8, height: 14, labelpos: 'c' } : {}, String(i));
  });
  layout(g);

  const nodes: PlacedNode[] = model.nodes.map((n) => {
    const p = g.node(n.id);
    return { ...n, x: p.x! - p.width / 2, y: p.y! - p.height / 2, width: p.width, height: p.height };
  });
  const edges: PlacedEdge[] = [];
  model.edges.forEach((e, i) => {
    const p = g.edge(e.from, e.to, String(i));
    if (!p) return;
    const placed: { -readonly [K in keyof PlacedEdge]: PlacedEdge[K] } = { ...e, points: p.points ?? [] };
    if (e.label && p.x !== undefined && p.y !== undefined) placed.labelAt = { x: p.x, y: p.y };
    edges.push(placed);
  });
  const clusters: PlacedCluster[] = model.clusters.map((c) => {
    const p = g.node(CLUSTER_PREFIX + c.id);
    return { id: c.id, label: c.label, x: p.x! - p.width / 2, y: p.y! - p.height / 2 - CLUSTER_LABEL, width: p.width, height: p.height + CLUSTER_LABEL };
  });
  const label = g.graph();
  return { nodes, edges, clusters, width: label.width ?? 0, height: label.height ?? 0 };
}
