/**
 * Draws a laid-out graph as SVG, with zoom and pan (d3-zoom), and reports clicks on nodes.
 */
import { select, type Selection } from 'd3-selection';
import { zoom, type ZoomBehavior, zoomIdentity, type ZoomTransform, zoomTransform } from 'd3-zoom';
import type { GraphLayout, PlacedEdge, PlacedNode, Point } from './layout';

/** How a node fared in a comparison (the changes and base-image views). */
export type NodeStatus = 'unchanged' | 'changed' | 'added';

export interface Decorations {
  /** Status of each op, by digest (absent: no comparison shown). */
  readonly status?: ReadonlyMap<string, NodeStatus>;
  /** A short reason per digest, shown in the node's tooltip. */
  readonly reason?: ReadonlyMap<string, string>;
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function shortDigest(digest: string): string {
  return digest.replace(/^sha256:/, '').slice(0, 12);
}

/** Below this, node titles are too small to read: fitting stops there. */
const MIN_FIT_SCALE = 0.55;

let measureCtx: CanvasRenderingContext2D | null | undefined;

/** Cuts `text` with `…` to fit `width` pixels in the node title font. */
function fit(text: string, width: number, font: string): string {
  if (measureCtx === undefined) measureCtx = document.createElement('canvas').getContext('2d');
  const ctx = measureCtx;
  const measure = (s: string) => (ctx ? ctx.measureText(s).width : s.length * 7);
  if (ctx) ctx.font = font;
  if (measure(text) <= width) return text;
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (measure(`${text.slice(0, mid)}…`) <= width) lo = mid;
    else hi = mid - 1;
  }
  return `${text.slice(0, lo)}…`;
}

const TITLE_FONT = '600 12px system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif';
const SUB_FONT = '11px system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif';
/** Room the 12 hex digits of the digest take at the bottom right of a node. */
const DIGEST_WIDTH = 86;

/** A smooth SVG path through dagre's edge points. */
function edgePath(points: readonly Point[]): string {
  if (points.length === 0) return '';
  if (points.length === 2) return `M${points[0].x},${points[0].y}L${points[1].x},${points[1].y}`;
  let d = `M${points[0].x},${points[0].y}`;
  for (let i = 1; i < points.length - 1; i++) {
    const p = points[i];
    const next = points[i + 1];
    const mid = i === points.length - 2 ? next : { x: (p.x + next.x) / 2, y: (p.y + next.y) / 2 };
    d += `Q${p.x},${p.y} ${mid.x},${mid.y}`;
  }
  return d;
}

const STATUS_TEXT: Record<NodeStatus, string> = { unchanged: 'same digest', changed: 'new digest', added: 'new op' };

function nodeSvg(n: PlacedNode, deco: Decorations): string {
  const status = n.digest ? deco.status?.get(n.digest) : undefined;
  const classes = ['node', `k-${n.kind}`];
  if (n.link) classes.push(`link-${n.link}`);
  if (status) classes.push(`s-${status}`);
  const tip = [n.title, n.subtitle, n.digest ?? 'not an op: the empty filesystem a COPY --link starts from'];
  if (status) tip.push(`${STATUS_TEXT[status]}${deco.reason?.get(n.digest!) ? `: ${deco.reason.get(n.digest!)}` : ''}`);
  const attrs = `class="${classes.join(' ')}" data-id="${esc(n.id)}"${n.digest ? ` data-digest="${n.digest}"` : ''} transform="translate(${n.x},${n.y})"`;
  if (n.kind === 'scratch') {
    return `<g ${attrs}><title>${esc(tip.join('\n'))}</title><rect class="box" width="${n.width}" height="${n.height}" rx="20"/><text class="title" x="${n.width / 2}" y="17" text-anchor="middle">scratch</text><text class="sub" x="${n.width / 2}" y="31" text-anchor="middle">${esc(n.subtitle)}</text></g>`;
  }
  const badge = status ? `<g class="badge" transform="translate(${n.width - 8},-9)"><rect x="${-(STATUS_TEXT[status].length * 6 + 12)}" width="${STATUS_TEXT[status].length * 6 + 12}" height="18" rx="9"/><text x="${-(STATUS_TEXT[status].length * 6 + 12) / 2}" y="12.5" text-anchor="middle">${STATUS_TEXT[status]}</text></g>` : '';
  return (
    `<g ${attrs}><title>${esc(tip.join('\n'))}</title>` +
    `<rect class="box" width="${n.width}" height="${n.height}" rx="7"/>` +
    `<rect class="stripe" width="6" height="${n.height}" rx="3"/>` +
    `<text class="title" x="14" y="20">${esc(fit(n.title, n.width - 22, TITLE_FONT))}</text>` +
    `<text class="sub" x="14" y="38">${esc(fit(n.subtitle, n.width - 22 - DIGEST_WIDTH, SUB_FONT))}</text>` +
    (n.digest ? ` <text class="digest" x="${n.width - 9}" y="38" text-anchor="end">${shortDigest(n.digest)}</text>` : '') +
    badge +
    `</g>`
  );
}

function edgeSvg(e: PlacedEdge, deco: Decorations, ids: ReadonlyMap<string, PlacedNode>): string {
  const to = ids.get(e.to);
  const status = to?.digest ? deco.status?.get(to.digest) : undefined;
  const from = ids.get(e.from);
  const classes = ['edge'];
  if (status && status !== 'unchanged') classes.push('e-changed');
  if (from?.kind === 'scratch') classes.push('e-scratch');
  let out = `<path class="${classes.join(' ')}" data-from="${esc(e.from)}" data-to="${esc(e.to)}" d="${edgePath(e.points)}" marker-end="url(#arrow)"/>`;
  if (e.label && e.labelAt) {
    const w = e.label.length * 6.2 + 8;
    out += `<g class="elabel" transform="translate(${e.labelAt.x},${e.labelAt.y})"><rect x="${-w / 2}" y="-8" width="${w}" height="16" rx="3"/><text y="4" text-anchor="middle">${esc(e.label)}</text></g>`;
  }
  return out;
}

export interface GraphViewCallbacks {
  /** A node was clicked (`undefined`: the background was). */
  onSelect(id: string | undefined): void;
}

export class GraphView {
  readonly svg: SVGSVGElement;
  readonly #viewport: SVGGElement;
  readonly #zoom: ZoomBehavior<SVGSVGElement, unknown>;
  readonly #selection: Selection<SVGSVGElement, unknown, null, undefined>;
  #layout: GraphLayout | undefined;
  #fitted = false;

  constructor(svg: SVGSVGElement, callbacks: GraphViewCallbacks) {
    this.svg = svg;
    svg.innerHTML =
      '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" class="arrowhead"/></marker></defs><g class="viewport"></g>';
    this.#viewport = svg.querySelector('g.viewport')!;
    this.#selection = select(svg);
    this.#zoom = zoom<SVGSVGElement, unknown>()
      .scaleExtent([0.1, 3])
      .on('zoom', (event: { transform: ZoomTransform }) => {
        this.#viewport.setAttribute('transform', event.transform.toString());
      });
    this.#selection.call(this.#zoom).on('dblclick.zoom', null);
    let down: { x: number; y: number } | undefined;
    svg.addEventListener('pointerdown', (e) => {
      down = { x: e.clientX, y: e.clientY };
    });
    svg.addEventListener('click', (e) => {
      // A drag (pan) is not a click.
      if (down && Math.hypot(e.clientX - down.x, e.clientY - down.y) > 4) return;
      const node = (e.target as Element).closest('g.node');
      callbacks.onSelect(node?.getAttribute('data-id') ?? undefined);
    });
  }

  /** Draws a layout; keeps the zoom unless `refit` (or nothing was drawn yet). */
  render(layout: GraphLayout, deco: Decorations, refit: boolean): void {
    this.#layout = layout;
    const ids = new Map(layout.nodes.map((n) => [n.id, n]));
    const parts: string[] = [];
    for (const c of layout.clusters) {
      parts.push(
        `<g class="cluster" data-stage="${esc(c.id)}"><rect x="${c.x}" y="${c.y}" width="${c.width}" height="${c.height}" rx="10"/><text x="${c.x + 12}" y="${c.y + 17}">${esc(c.label)}</text></g>`,
      );
    }
    for (const e of layout.edges) parts.push(edgeSvg(e, deco, ids));
    for (const n of layout.nodes) parts.push(nodeSvg(n, deco));
    this.#viewport.innerHTML = parts.join('');
    if (refit || !this.#fitted) this.fit();
  }

  /**
   * Zooms so the whole graph fits, between 100 % and the smallest scale whose text is still
   * readable; a graph too large for that shows its top, centred.
   */
  fit(): void {
    const layout = this.#layout;
    const box = this.svg.getBoundingClientRect();
    if (!layout || box.width === 0 || box.height === 0) return;
    const pad = 16;
    const whole = Math.min((box.width - pad * 2) / Math.max(layout.width, 1), (box.height - pad * 2) / Math.max(layout.height, 1));
    const scale = Math.max(MIN_FIT_SCALE, Math.min(1, whole));
    const x = (box.width - layout.width * scale) / 2;
    const y = layout.height * scale <= box.height - pad * 2 ? (box.height - layout.height * scale) / 2 : pad;
    this.#selection.call((sel, t) => this.#zoom.transform(sel, t), zoomIdentity.translate(Math.max(x, layout.width * scale > box.width ? box.width / 2 - (layout.width * scale) / 2 : pad), y).scale(scale));
    this.#fitted = true;
  }

  /** Zooms by `factor`, around the node `around` when it is given and drawn, else the middle. */
  zoomBy(factor: number, around?: string): void {
    const node = around === undefined ? undefined : this.#layout?.nodes.find((n) => n.id === around);
    if (!node) {
      this.#selection.call((sel) => this.#zoom.scaleBy(sel, factor));
      return;
    }
    const at = zoomTransform(this.svg).apply([node.x + node.width / 2, node.y + node.height / 2]);
    this.#selection.call((sel) => this.#zoom.scaleBy(sel, factor, at));
    this.reveal(around!);
  }

  /** Marks nodes: `selected` (the clicked one) and `lit` (the ones of the cursor's line). */
  mark(selected: string | undefined, lit: ReadonlySet<string>): void {
    for (const g of this.#viewport.querySelectorAll<SVGGElement>('g.node')) {
      const id = g.getAttribute('data-id')!;
      g.classList.toggle('selected', id === selected);
      g.classList.toggle('lit', lit.has(id));
    }
    for (const p of this.#viewport.querySelectorAll<SVGPathElement>('path.edge')) {
      const on = selected !== undefined && (p.getAttribute('data-from') === selected || p.getAttribute('data-to') === selected);
      p.classList.toggle('e-selected', on);
    }
  }

  /** Pans (without zooming) so that the node is in view. */
  reveal(id: string): void {
    const node = this.#layout?.nodes.find((n) => n.id === id);
    if (!node) return;
    const box = this.svg.getBoundingClientRect();
    const t = zoomTransform(this.svg);
    const [x0, y0] = t.apply([node.x, node.y]);
    const [x1, y1] = t.apply([node.x + node.width, node.y + node.height]);
    const margin = 12;
    if (x0 >= margin && y0 >= margin && x1 <= box.width - margin && y1 <= box.height - margin) return;
    this.#selection.call((sel) => this.#zoom.translateTo(sel, node.x + node.width / 2, node.y + node.height / 2));
  }
}
