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
import { type Definition, type DefinitionSource, definitionToPb, digestOf, type SortedMap, writeDefinitionMaps } from './definition.js';
import { opToVertex, vertexToOp } from './op.js';
import { decodeMessage, encodeMessage, type PbMessage } from './pb/codec.js';
import { encodeOp } from './pb/encoders.generated.js';
import { encodeMessageFast, FastWriter, fastStats, writeToArena } from './pb/fast.js';
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
  const walked = walkGraph(graph, options, undefined);
  return { definition: definitionOf(graph, walked), digests: walked.digests };
}

/** The size of the last Definition {@link encodeGraphToBytes} wrote: the next one's first guess. */
let lastSize = 0;

/**
 * Below this size (of the last Definition), {@link encodeGraphToBytes} writes into one reused
 * buffer and copies the bytes out (one allocation of their size); above it, into a buffer of its
 * own, sized from the last one and kept (no copy, no growing in a loop of similar compiles).
 */
const SMALL_DEFINITION = 1 << 16;
const smallWriter = new FastWriter(SMALL_DEFINITION);

/**
 * {@link encodeGraph} and {@link writeDefinition} of its Definition in one (what `compile`
 * does): the walk writes each op straight into the Definition's bytes (its `def` entries are views
 * of them), then the metadata and locations maps from the walk's lists, sorted by digest once.
 */
export function encodeGraphToBytes(graph: Graph, options: EncodeOptions = {}): EncodedGraph & { readonly bytes: Uint8Array } {
  const reuse = lastSize < SMALL_DEFINITION;
  const w = reuse ? smallWriter : new FastWriter(lastSize + (lastSize >>> 3));
  w.pos = 0;
  const walked = walkGraph(graph, options, w);
  const order = digestOrder(walked.opDigests, walked.opPrefixes);
  const metadata: SortedMap = { keys: walked.opDigests, values: walked.opMetadata, order };
  const locations: SortedMap = { keys: walked.opDigests, values: walked.opLocations, order };
  let wrote = true;
  try {
    writeDefinitionMaps(w, metadata, { locations: {}, infos: graph.sources }, locations);
  } catch {
    wrote = false;
  }
  // The reused buffer, or one much larger than its bytes, is copied to their size; the ops are
  // views of the final buffer.
  let buf = w.buf;
  if (reuse || (wrote && w.pos < buf.length - (buf.length >>> 2))) buf = buf.slice(0, w.pos);
  if (reuse && w.buf.length > SMALL_DEFINITION * 4) w.buf = new Uint8Array(SMALL_DEFINITION);
  if (buf !== walked.viewsOf) opViews(walked.def, buf, walked.opEnds);
  const definition = definitionOf(graph, walked);
  if (!wrote) {
    // The reflective codec writes what the fast path gave up on, or throws its located error.
    fastStats.fallbacks++;
    return { definition, digests: walked.digests, bytes: encodeMessage('Definition', definitionToPb(definition)) };
  }
  lastSize = w.pos;
  return { definition, digests: walked.digests, bytes: buf.length === w.pos ? buf : buf.subarray(0, w.pos) };
}

/** Points the ops `def` at their bytes in `buf`: `opEnds` holds where each `def` field starts and ends. */
function opViews(def: Uint8Array[], buf: Uint8Array, opEnds: readonly number[]): void {
  for (let i = 0; i < def.length; i++) def[i] = fieldValue(buf, opEnds[2 * i], opEnds[2 * i + 1]);
}

/** The value of the length-delimited field (one-byte key) at `start`, which ends at `end`. */
function fieldValue(buf: Uint8Array, start: number, end: number): Uint8Array {
  let at = start + 1;
  while (buf[at] & 0x80) at++;
  return buf.subarray(at + 1, end);
}

/** 2^21: entries are numbered below it in {@link digestOrder}'s keys. */
const INDEX_SPAN = 0x200000;

/** `ops` in Go's map order of their digests (bytewise); see {@link digestOrder}. */
export function sortByDigest<E extends { readonly digest: string }>(ops: E[]): E[] {
  const digests = ops.map((e) => e.digest);
  const order = digestOrder(digests, digests.map(hexPrefix));
  const out: E[] = new Array<E>(ops.length);
  for (let i = 0; i < ops.length; i++) out[i] = ops[order[i]];
  return out;
}

/**
 * The indices of `digests` in Go's map order (bytewise), given each one's {@link hexPrefix}. For
 * `sha256:` and lower-case hex that is the order of the hash's first 32 bits: those, times 2^21
 * plus the index, are sorted as numbers (natively, with no comparator calls; at 5,000 ops a
 * quarter of comparing strings), then an insertion pass over whole digests orders runs of equal
 * prefixes (rare: it is one string comparison per op otherwise). Another digest form, or 2^21 ops
 * and more, is sorted by comparing digests.
 */
function digestOrder(digests: readonly string[], prefixes: readonly number[]): ArrayLike<number> {
  const n = digests.length;
  const byString = (): number[] => Array.from({ length: n }, (_, i) => i).sort((a, b) => (digests[a] < digests[b] ? -1 : digests[a] > digests[b] ? 1 : 0));
  if (n >= INDEX_SPAN) return byString();
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const prefix = prefixes[i];
    if (prefix < 0) return byString();
    keys[i] = prefix * INDEX_SPAN + i;
  }
  keys.sort();
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = keys[i] % INDEX_SPAN;
  // Equal prefixes: an insertion sort by the whole digest (the run is almost always one entry).
  for (let i = 1; i < n; i++) {
    const e = out[i];
    const d = digests[e];
    let j = i - 1;
    for (; j >= 0 && digests[out[j]] > d; j--) out[j + 1] = out[j];
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

/**
 * What {@link walkGraph} gathers. Each distinct op (by digest; the terminal op included, with its
 * caps) has an index, in the order of `def`; the `op…` lists are by that index.
 */
interface Walked {
  /** The ops: views of their own, or (with a writer) of the writer's buffer `viewsOf`. */
  readonly def: Uint8Array[];
  readonly viewsOf: Uint8Array | undefined;
  /** With a writer: where each op's def field starts, and where it ends (two numbers per op). */
  readonly opEnds: number[];
  readonly digests: Map<Vertex, string>;
  readonly opDigests: string[];
  /** {@link hexPrefix} of each digest. */
  readonly opPrefixes: number[];
  /** Merged metadata and joined locations, `undefined` where an op has none. */
  readonly opMetadata: (VertexMetadata | undefined)[];
  readonly opLocations: (readonly VertexLocation[] | undefined)[];
  /** The ops with metadata, and with locations, in the order each first had them. */
  readonly withMetadata: number[];
  readonly withLocations: number[];
}

/**
 * The Definition's records from the walk, in the order the records always had: first metadata,
 * first location. Built eagerly: records made lazily through own getters cost more than they
 * saved on small files (Object.defineProperty per compile; measured on 085-copy-basic).
 */
function definitionOf(graph: Graph, walked: Walked): Definition {
  const metadata: Record<string, VertexMetadata> = {};
  const locations: Record<string, readonly VertexLocation[]> = {};
  const { opDigests, opMetadata, opLocations, withMetadata, withLocations } = walked;
  for (let i = 0; i < withMetadata.length; i++) {
    const op = withMetadata[i];
    metadata[opDigests[op]] = opMetadata[op]!;
  }
  for (let i = 0; i < withLocations.length; i++) {
    const op = withLocations[i];
    locations[opDigests[op]] = opLocations[op]!;
  }
  const source: DefinitionSource = { locations, infos: graph.sources };
  return { def: walked.def, metadata, source };
}

/**
 * Distinct ops by digest: an open-addressing table of op indices keyed by each digest's
 * {@link hexPrefix} (a number: no string is hashed), whole digests compared on a match.
 */
class DigestIndex {
  private slots = new Int32Array(1 << 8);
  private count = 0;

  constructor(
    private readonly digests: readonly string[],
    private readonly prefixes: readonly number[],
  ) {}

  /** The op index of `digest` (whose prefix is `prefix`), or -1. */
  get(digest: string, prefix: number): number {
    const slots = this.slots;
    const mask = slots.length - 1;
    for (let i = prefix & mask; ; i = (i + 1) & mask) {
      const op = slots[i] - 1;
      if (op < 0) return -1;
      if (this.prefixes[op] === prefix && this.digests[op] === digest) return op;
    }
  }

  /** Adds op `op`, whose digest and prefix are in the lists and not in the table yet. */
  add(op: number): void {
    if (++this.count * 2 > this.slots.length) {
      const old = this.slots;
      this.slots = new Int32Array(old.length * 2);
      for (let i = 0; i < old.length; i++) if (old[i] !== 0) this.place(old[i] - 1);
    }
    this.place(op);
  }

  private place(op: number): void {
    const slots = this.slots;
    const mask = slots.length - 1;
    let i = this.prefixes[op] & mask;
    while (slots[i] !== 0) i = (i + 1) & mask;
    slots[i] = op + 1;
  }
}

/**
 * The walk of {@link encodeGraph}: every vertex reachable from the root encoded once, inputs
 * first; ops with equal bytes written once, their metadata merged and their locations joined.
 * With `out`, each op is written there as a Definition.def field (`opEnds` says where, `def` holds
 * views of them); without, each op is a view of its own.
 */
function walkGraph(graph: Graph, options: EncodeOptions, out: FastWriter | undefined): Walked {
  const encoder = options.encoder;
  const def: Uint8Array[] = [];
  const opEnds: number[] = [];
  const digests = new Map<Vertex, string>();
  const opDigests: string[] = [];
  const opPrefixes: number[] = [];
  const opMetadata: (VertexMetadata | undefined)[] = [];
  const opLocations: (readonly VertexLocation[] | undefined)[] = [];
  // The locations lists the walk made (joined from several vertices), by op.
  let joined: Map<number, VertexLocation[]> | undefined;
  const withMetadata: number[] = [];
  const withLocations: number[] = [];
  const index = new DigestIndex(opDigests, opPrefixes);
  const maxBytes = options.maxBytes ?? Number.POSITIVE_INFINITY;
  let totalBytes = 0;
  // An input the walk has not reached (a vertex's walkInputs may leave one out) is encoded apart.
  let apart: VertexEncoder | undefined;
  const digestOfInput = (x: Vertex): string => digests.get(x) ?? (apart ??= new VertexEncoder()).digest(x);

  /** A new distinct op. */
  const addOp = (digest: string, prefix: number): number => {
    const op = opDigests.length;
    opDigests.push(digest);
    opPrefixes.push(prefix);
    opMetadata.push(undefined);
    opLocations.push(undefined);
    index.add(op);
    return op;
  };
  // The buffer of the views in `def`: when `out` grows, they are made again.
  let viewsOf = out?.buf;
  /** The op of the def field written into `out` from `start`, as a view. */
  const written = (start: number): Uint8Array => {
    if (out!.buf !== viewsOf) {
      viewsOf = out!.buf;
      opViews(def, viewsOf, opEnds);
    }
    return fieldValue(viewsOf, start, out!.pos);
  };
  /** Appends an op's bytes to the ops: as a field of `out`, or as they are. */
  const keepOp = (bytes: Uint8Array): void => {
    if (out === undefined) def.push(bytes);
    else {
      const start = out.pos;
      out.byte(0x0a);
      out.bytes(bytes);
      opEnds.push(start, out.pos);
      def.push(written(start));
    }
  };

  if (graph.root) {
    // Depth-first, inputs in order, each vertex once (by identity); the stack as three lists.
    // `digests` doubles as the set of visited vertices.
    const stackVertex: Vertex[] = [graph.root.vertex];
    const stackInputs: (readonly Output[])[] = [traversalInputs(graph.root.vertex)];
    const stackNext: number[] = [0];
    let top = 0;
    while (top >= 0) {
      const inputs = stackInputs[top];
      const next = stackNext[top];
      if (next < inputs.length) {
        stackNext[top] = next + 1;
        const inp = inputs[next].vertex;
        if (!digests.has(inp)) {
          top++;
          stackVertex[top] = inp;
          stackInputs[top] = traversalInputs(inp);
          stackNext[top] = 0;
        }
        continue;
      }
      // Not visited yet: it was not when pushed, and only its inputs were visited since.
      const v = stackVertex[top--];
      // The op's bytes: a view of its own, or (start >= 0) a field written into `out`.
      let bytes: Uint8Array | undefined;
      let start = -1;
      if (encoder !== undefined) bytes = encoder.encodeAfterInputs(v).bytes;
      else if (out !== undefined) {
        // Common ops are written straight from the vertex.
        start = out.pos;
        try {
          out.byte(0x0a);
          const at = out.fork();
          writeVertexOp(out, v, digestOfInput);
          out.join(at);
        } catch {
          out.pos = start;
          start = -1;
        }
      } else bytes = writeToArena(writeVertexOp, v, digestOfInput);
      if (bytes === undefined && start < 0) {
        // Anything else (or anything wrong) goes through the op message, built for the encoder
        // only, which writes the same bytes or throws.
        fastStats.directFallbacks++;
        bytes = encodeMessageFast('Op', encodeOp, vertexToOp(v, digestOfInput));
      }
      const opView = bytes ?? written(start);
      const digest = digestOf(opView);
      digests.set(v, digest);
      const prefix = hexPrefix(digest);
      let op = index.get(digest, prefix);
      if (op < 0) {
        op = addOp(digest, prefix);
        if (bytes !== undefined) keepOp(bytes);
        else {
          opEnds.push(start, out!.pos);
          def.push(opView);
        }
        totalBytes += opView.length;
        if (totalBytes > maxBytes) {
          throw new LimitError(
            'maxDefinitionBytes',
            maxBytes,
            `the LLB Definition would be larger than ${maxBytes} bytes, more than BuildKit accepts in one request (limit maxDefinitionBytes=${maxBytes}; raise it with \`--limit definition-bytes=N\` or the compile option limits.maxDefinitionBytes)`,
            vertexSourceLocation(v, graph),
          );
        }
      } else if (start >= 0) out!.pos = start; // the same bytes are there already
      const metadata = v.metadata;
      if (metadata) {
        const had = opMetadata[op];
        if (had === undefined) withMetadata.push(op);
        opMetadata[op] = mergeMetadata(had, metadata);
      }
      const locations = v.locations;
      if (locations) {
        const had = opLocations[op];
        if (had === undefined) {
          withLocations.push(op);
          // The vertex's own list (read-only here; most ops have one vertex), copied to join another.
          opLocations[op] = Array.isArray(locations) ? locations : [...locations];
        } else {
          const own = joined?.get(op);
          if (own) for (const l of locations) own.push(l);
          else {
            const list = [...had, ...locations];
            (joined ??= new Map()).set(op, list);
            opLocations[op] = list;
          }
        }
      }
    }
    // The terminal op: no body, one input pointing at the requested output.
    const rootInput: pb.Input = { digest: digests.get(graph.root.vertex)! };
    if (graph.root.index !== 0) rootInput.index = graph.root.index;
    const last = encodeMessageFast('Op', encodeOp, { inputs: [rootInput] });
    const lastDigest = digestOf(last);
    keepOp(last);
    const caps: Record<string, boolean> = { constraints: true, platform: true };
    for (let i = 0; i < withMetadata.length; i++) {
      const m = opMetadata[withMetadata[i]]!;
      if (m.ignoreCache) caps['meta.ignorecache'] = true;
      if (m.description) caps['meta.description'] = true;
      if (m.exportCache) caps['meta.exportcache'] = true;
    }
    // Its metadata: the caps, over any metadata of an op with the same bytes.
    const lastPrefix = hexPrefix(lastDigest);
    let terminal = index.get(lastDigest, lastPrefix);
    if (terminal < 0) terminal = addOp(lastDigest, lastPrefix);
    if (opMetadata[terminal] === undefined) withMetadata.push(terminal);
    opMetadata[terminal] = { ...opMetadata[terminal], caps };
  }
  return { def, viewsOf, opEnds, digests, opDigests, opPrefixes, opMetadata, opLocations, withMetadata, withLocations };
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
