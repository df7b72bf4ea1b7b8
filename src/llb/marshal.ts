/**
 * Graph ⇄ Definition.
 *
 * {@link encodeGraph} walks the graph the way BuildKit's `llb.State.Marshal` does: depth first,
 * inputs before the vertex, each vertex once; ops with equal bytes (equal digests) are written
 * once and their metadata merged; then a final op whose only input is the requested output.
 * {@link decodeGraph} is its inverse.
 */
import { DefinitionDecodeError, LimitError, type SourceLocation } from '../errors.js';
import { traversalInputs } from '../graph/traverse.js';
import type { Graph, Output, SourceInfo, Vertex, VertexLocation, VertexMetadata } from '../graph/types.js';
import { type Definition, type DefinitionSource, digestOf, type SortedMap, writeDefinitionSorted } from './definition.js';
import { opToVertex, vertexToOp } from './op.js';
import { decodeMessage, type PbMessage } from './pb/codec.js';
import { encodeOp } from './pb/encoders.generated.js';
import { encodeMessageFast, fastStats, writeToArena } from './pb/fast.js';
import type * as pb from './pb/messages.generated.js';
import { writeVertexOp } from './write-op.js';

/** A vertex after serialization. */
export interface EncodedVertex {
  readonly digest: string;
  readonly bytes: Uint8Array;
  /** The op as a decoded message (decoded from `bytes` when first read). */
  readonly op: pb.Op;
}

class Encoded implements EncodedVertex {
  #op: pb.Op | undefined;

  constructor(
    readonly digest: string,
    readonly bytes: Uint8Array,
  ) {}

  get op(): pb.Op {
    return (this.#op ??= decodeMessage('Op', this.bytes));
  }
}

/**
 * Serializes single vertices, memoized by identity so that shared sub-graphs are encoded once.
 * Encoding is iterative, so graphs of any depth work.
 */
export class VertexEncoder {
  private readonly cache = new Map<Vertex, EncodedVertex>();
  private readonly digestOfInput = (x: Vertex): string => this.cache.get(x)!.digest;

  /** The serialized op of `v` (and, on the way, of everything it depends on). */
  encode(v: Vertex): EncodedVertex {
    const cache = this.cache;
    const hit = cache.get(v);
    if (hit) return hit;
    // Post-order without recursion: a vertex is encoded once all its inputs are.
    const stack: Vertex[] = [v];
    while (stack.length) {
      const top = stack[stack.length - 1];
      if (cache.has(top)) {
        stack.pop();
        continue;
      }
      let pending = false;
      for (const inp of top.inputs) {
        if (!cache.has(inp.vertex)) {
          stack.push(inp.vertex);
          pending = true;
        }
      }
      if (pending) continue;
      stack.pop();
      this.encodeReady(top);
    }
    return cache.get(v)!;
  }

  digest(v: Vertex): string {
    return this.encode(v).digest;
  }

  /**
   * {@link encode} for a walk that visits inputs first (encodeGraph's): the inputs of `v` are
   * normally encoded already, and `v` is encoded without a walk of its own.
   */
  encodeAfterInputs(v: Vertex): EncodedVertex {
    const cache = this.cache;
    const hit = cache.get(v);
    if (hit) return hit;
    for (const inp of v.inputs) if (!cache.has(inp.vertex)) return this.encode(v);
    return this.encodeReady(v);
  }

  /** Encodes and caches `v`, whose inputs are all encoded already. */
  private encodeReady(v: Vertex): EncodedVertex {
    // Common ops are written straight from the vertex; anything else (or anything wrong) goes
    // through the op message, built for the encoder only, which writes the same bytes or throws.
    let bytes = writeToArena(writeVertexOp, v, this.digestOfInput);
    if (bytes === undefined) {
      fastStats.directFallbacks++;
      bytes = encodeMessageFast('Op', encodeOp, vertexToOp(v, this.digestOfInput));
    }
    const encoded = new Encoded(digestOf(bytes), bytes);
    this.cache.set(v, encoded);
    return encoded;
  }
}

/** The result of {@link encodeGraph}. */
export interface EncodedGraph {
  readonly definition: Definition;
  /** Digest of every vertex reachable from the root. */
  readonly digests: ReadonlyMap<Vertex, string>;
}

/** Options for {@link encodeGraph}. */
export interface EncodeOptions {
  /** Reuse an encoder (and its cache) across calls. */
  readonly encoder?: VertexEncoder;
  /**
   * Stop with a {@link LimitError} (`maxDefinitionBytes`) once the ops add up to more than this
   * many bytes, located at the instruction of the op that crossed it. Default: no bound.
   */
  readonly maxBytes?: number;
}

/** Where the instruction behind `v` is, for errors: its first source-map range, column 1. */
function vertexSourceLocation(v: Vertex, graph: Graph): SourceLocation | undefined {
  const loc = v.locations?.[0];
  const range = loc?.ranges[0];
  const file = loc ? graph.sources[loc.sourceIndex]?.filename : undefined;
  if (!range || file === undefined) return undefined;
  return { kind: 'source', file, start: { line: range.start.line, column: 1 }, end: { line: range.end.line, column: 1 } };
}

/**
 * Serializes the graph reachable from `graph.root` into a Definition, in BuildKit's order and
 * with BuildKit's metadata merging and source-map collection.
 */
export function encodeGraph(graph: Graph, options: EncodeOptions = {}): EncodedGraph {
  const walked = walkGraph(graph, options);
  return { definition: definitionOf(graph, walked), digests: walked.digests };
}

/**
 * {@link encodeGraph} and {@link writeDefinition} of its Definition in one (what `compile`
 * does): the metadata and locations maps are written from the walk's list of ops, sorted by
 * digest once, instead of read back from the Definition's records.
 */
export function encodeGraphToBytes(graph: Graph, options: EncodeOptions = {}): EncodedGraph & { readonly bytes: Uint8Array } {
  const walked = walkGraph(graph, options);
  const definition = definitionOf(graph, walked);
  const sorted = sortByDigest(walked.ops);
  const metadata: SortedMap = { keys: [], values: [] };
  const locations: SortedMap = { keys: [], values: [] };
  for (let i = 0; i < sorted.length; i++) {
    const e = sorted[i];
    if (e.metadata !== undefined) {
      metadata.keys.push(e.digest);
      metadata.values.push(e.metadata);
    }
    if (e.locations !== undefined) {
      locations.keys.push(e.digest);
      locations.values.push(e.locations);
    }
  }
  return { definition, digests: walked.digests, bytes: writeDefinitionSorted(definition, metadata, locations) };
}

function byDigest(a: { readonly digest: string }, b: { readonly digest: string }): number {
  return a.digest < b.digest ? -1 : a.digest > b.digest ? 1 : 0;
}

/** 2^21: entries are numbered below it in {@link sortByDigest}'s keys. */
const INDEX_SPAN = 0x200000;

/**
 * `ops` in Go's map order of their digests (bytewise). For `sha256:` and lower-case hex that is
 * the order of the hash's first 32 bits: those, times 2^21 plus the entry's index, are sorted as
 * numbers (natively, with no comparator calls; at 5,000 ops a quarter of comparing strings), then
 * an insertion pass over whole digests orders runs of equal prefixes (rare: it is one string
 * comparison per op otherwise). Another digest form, or 2^21 ops and more, is sorted by comparing
 * digests.
 */
export function sortByDigest<E extends { readonly digest: string }>(ops: E[]): E[] {
  const n = ops.length;
  if (n >= INDEX_SPAN) return ops.sort(byDigest);
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const prefix = hexPrefix(ops[i].digest);
    if (prefix < 0) return ops.sort(byDigest);
    keys[i] = prefix * INDEX_SPAN + i;
  }
  keys.sort();
  const out: E[] = new Array<E>(n);
  for (let i = 0; i < n; i++) out[i] = ops[keys[i] % INDEX_SPAN];
  // Equal prefixes: an insertion sort by the whole digest (the run is almost always one entry).
  for (let i = 1; i < n; i++) {
    const e = out[i];
    let j = i - 1;
    for (; j >= 0 && out[j].digest > e.digest; j--) out[j + 1] = out[j];
    out[j + 1] = e;
  }
  return out;
}

/** The value of the 8 hex digits after `sha256:` (lower case), or -1 for another form. */
function hexPrefix(digest: string): number {
  if (digest.length !== 71 || !digest.startsWith('sha256:')) return -1;
  let v = 0;
  for (let i = 7; i < 15; i++) {
    const c = digest.charCodeAt(i);
    const d = c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x61 && c <= 0x66 ? c - 0x57 : -1;
    if (d < 0) return -1;
    v = v * 16 + d;
  }
  return v;
}

/** What {@link walkGraph} gathers. */
interface Walked {
  readonly def: Uint8Array[];
  readonly digests: Map<Vertex, string>;
  /** Every distinct op, the terminal one included (with its caps), in the order of `def`. */
  readonly ops: OpEntry[];
  /** The ops with metadata, and with locations, in the order each first had them. */
  readonly withMetadata: readonly OpEntry[];
  readonly withLocations: readonly OpEntry[];
}

/**
 * The Definition's records from the walk, in the order the records always had: first metadata,
 * first location. Built eagerly: records made lazily through own getters cost more than they
 * saved on small files (Object.defineProperty per compile; measured on 085-copy-basic).
 */
function definitionOf(graph: Graph, walked: Walked): Definition {
  const metadata: Record<string, VertexMetadata> = {};
  const locations: Record<string, VertexLocation[]> = {};
  for (const e of walked.withMetadata) metadata[e.digest] = e.metadata!;
  for (const e of walked.withLocations) locations[e.digest] = e.locations!;
  const source: DefinitionSource = { locations, infos: graph.sources };
  return { def: walked.def, metadata, source };
}

/**
 * The walk of {@link encodeGraph}: every vertex reachable from the root encoded once, inputs
 * first; ops with equal bytes written once, their metadata merged and their locations joined.
 */
function walkGraph(graph: Graph, options: EncodeOptions): Walked {
  const encoder = options.encoder ?? new VertexEncoder();
  const def: Uint8Array[] = [];
  const digests = new Map<Vertex, string>();
  // Per distinct op (by digest): its merged metadata and locations.
  const entries = new Map<string, OpEntry>();
  const ops: OpEntry[] = [];
  const withMetadata: OpEntry[] = [];
  const withLocations: OpEntry[] = [];
  const maxBytes = options.maxBytes ?? Number.POSITIVE_INFINITY;
  let totalBytes = 0;

  if (graph.root) {
    // Depth-first, inputs in order, each vertex once (by identity).
    // `digests` doubles as the set of visited vertices.
    const stack: Frame[] = [{ v: graph.root.vertex, inputs: traversalInputs(graph.root.vertex), next: 0 }];
    while (stack.length) {
      const frame = stack[stack.length - 1];
      if (frame.next < frame.inputs.length) {
        const inp = frame.inputs[frame.next++].vertex;
        if (!digests.has(inp)) stack.push({ v: inp, inputs: traversalInputs(inp), next: 0 });
        continue;
      }
      stack.pop();
      const v = frame.v;
      if (digests.has(v)) continue;
      const { digest, bytes } = encoder.encodeAfterInputs(v);
      digests.set(v, digest);
      let entry = entries.get(digest);
      if (entry === undefined) {
        entry = { digest, metadata: undefined, locations: undefined };
        entries.set(digest, entry);
        ops.push(entry);
        def.push(bytes);
        totalBytes += bytes.length;
        if (totalBytes > maxBytes) {
          throw new LimitError(
            'maxDefinitionBytes',
            maxBytes,
            `the LLB Definition would be larger than ${maxBytes} bytes, more than BuildKit accepts in one request (limit maxDefinitionBytes=${maxBytes}; raise it with \`--limit definition-bytes=N\` or the compile option limits.maxDefinitionBytes)`,
            vertexSourceLocation(v, graph),
          );
        }
      }
      if (v.metadata) {
        if (entry.metadata === undefined) withMetadata.push(entry);
        entry.metadata = mergeMetadata(entry.metadata, v.metadata);
      }
      if (v.locations) {
        if (entry.locations === undefined) {
          withLocations.push(entry);
          // A copy of its own size (most ops have one vertex, with one location).
          entry.locations = Array.isArray(v.locations) ? v.locations.slice() : [...v.locations];
        } else for (const l of v.locations) entry.locations.push(l);
      }
    }
    // The terminal op: no body, one input pointing at the requested output.
    const rootInput: pb.Input = { digest: digests.get(graph.root.vertex)! };
    if (graph.root.index !== 0) rootInput.index = graph.root.index;
    const last = encodeMessageFast('Op', encodeOp, { inputs: [rootInput] });
    const lastDigest = digestOf(last);
    def.push(last);
    const caps: Record<string, boolean> = { constraints: true, platform: true };
    for (const { metadata: m } of withMetadata) {
      if (m!.ignoreCache) caps['meta.ignorecache'] = true;
      if (m!.description) caps['meta.description'] = true;
      if (m!.exportCache) caps['meta.exportcache'] = true;
    }
    // Its metadata: the caps, over any metadata of an op with the same bytes.
    let terminal = entries.get(lastDigest);
    if (terminal === undefined) {
      terminal = { digest: lastDigest, metadata: undefined, locations: undefined };
      ops.push(terminal);
    }
    if (terminal.metadata === undefined) withMetadata.push(terminal);
    terminal.metadata = { ...terminal.metadata, caps };
  }
  return { def, digests, ops, withMetadata, withLocations };
}

/** A step of {@link encodeGraph}'s walk: a vertex and the next of its inputs to visit. */
interface Frame {
  readonly v: Vertex;
  readonly inputs: readonly Output[];
  next: number;
}

/** What {@link encodeGraph} gathers for one distinct op. */
interface OpEntry {
  readonly digest: string;
  metadata: VertexMetadata | undefined;
  locations: VertexLocation[] | undefined;
}

/** Merges the metadata of two vertices with the same digest, later values winning. */
export function mergeMetadata(a: VertexMetadata | undefined, b: VertexMetadata): VertexMetadata {
  if (!a) return b;
  const out: { -readonly [K in keyof VertexMetadata]: VertexMetadata[K] } = { ...a };
  if (b.ignoreCache) out.ignoreCache = true;
  if (b.description && Object.keys(b.description).length) out.description = { ...a.description, ...b.description };
  if (b.exportCache) out.exportCache = b.exportCache;
  if (b.caps && Object.keys(b.caps).length) {
    const caps: Record<string, boolean> = { ...a.caps };
    for (const k of Object.keys(b.caps)) caps[k] = true;
    out.caps = caps;
  }
  if (b.progressGroup) out.progressGroup = b.progressGroup;
  return out;
}

/** The result of {@link decodeGraph}. */
export interface DecodedGraph extends Graph {
  /** Vertex of every op reachable from the root, by digest. */
  readonly vertices: ReadonlyMap<string, Vertex>;
  /** The digest of each decoded vertex (the digest of its original bytes). */
  readonly digests: ReadonlyMap<Vertex, string>;
}

/**
 * Turns a Definition into a typed graph. The last op must be the terminal op (its first input is
 * the root). Ops may come in any order; cycles, dangling inputs and invalid indices are rejected
 * with a {@link DefinitionDecodeError}.
 */
export function decodeGraph(def: Definition): DecodedGraph {
  const sources: SourceInfo[] = (def.source?.infos ?? []).map((i) => {
    const info: { filename: string; data: Uint8Array; language?: string } = { filename: i.filename, data: i.data };
    if (i.language) info.language = i.language;
    return info;
  });
  const vertices = new Map<string, Vertex>();
  const digests = new Map<Vertex, string>();
  if (def.def.length === 0) return { root: undefined, sources, vertices, digests };

  // Parse every op once; remember where it is for error locations.
  const ops = new Map<string, { op: PbMessage; index: number }>();
  const digestList = def.def.map(digestOf);
  def.def.forEach((bytes, i) => {
    const op = decodeMessage('Op', bytes, { path: `Definition.def[${i}]` });
    ops.set(digestList[i], { op, index: i });
  });
  const lastIndex = def.def.length - 1;
  const terminal = ops.get(digestList[lastIndex])!.op;
  const rootInput = (terminal.inputs as PbMessage[] | undefined)?.[0];
  if (!rootInput) return { root: undefined, sources, vertices, digests };

  const fail = (index: number, message: string): never => {
    throw new DefinitionDecodeError('E_LLB_INVALID', message, { kind: 'bytes', offset: index, path: `Definition.def[${index}]` });
  };
  const inputRef = (m: PbMessage) => ({ digest: (m.digest as string | undefined) ?? '', index: (m.index as bigint | undefined) ?? 0n });

  // Build vertices in post-order with an explicit stack (graphs can be very deep).
  const rootDigest = inputRef(rootInput).digest;
  if (!ops.has(rootDigest)) fail(lastIndex, `the terminal op points at ${rootDigest}, which is not in the Definition`);
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [rootDigest];
  while (stack.length) {
    const dgst = stack[stack.length - 1];
    if (state.get(dgst) === 'done') {
      stack.pop();
      continue;
    }
    const entry = ops.get(dgst)!;
    const inputs = ((entry.op.inputs as PbMessage[] | undefined) ?? []).map(inputRef);
    if (state.get(dgst) !== 'open') {
      state.set(dgst, 'open');
      for (const inp of inputs) {
        if (!ops.has(inp.digest)) fail(entry.index, `op ${dgst} has input ${inp.digest}, which is not in the Definition`);
        const s = state.get(inp.digest);
        if (s === 'open') fail(entry.index, `op ${dgst} is part of a cycle`);
        if (s !== 'done') stack.push(inp.digest);
      }
      continue;
    }
    stack.pop();
    const outputs: Output[] = inputs.map((inp) => {
      if (inp.index < 0n || inp.index > 0xffffn) fail(entry.index, `op ${dgst} has input index ${inp.index}`);
      return { vertex: vertices.get(inp.digest)!, index: Number(inp.index) };
    });
    const path = `Definition.def[${entry.index}]`;
    let v = opToVertex(entry.op, { inputs: outputs, offset: entry.index, path });
    const md = def.metadata[dgst];
    const locs = def.source?.locations[dgst];
    if (md || locs) v = { ...v, ...(md ? { metadata: md } : {}), ...(locs ? { locations: locs } : {}) };
    vertices.set(dgst, v);
    digests.set(v, dgst);
    state.set(dgst, 'done');
  }
  const ri = inputRef(rootInput).index;
  return { root: { vertex: vertices.get(rootDigest)!, index: Number(ri) }, sources, vertices, digests };
}
