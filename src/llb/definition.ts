/**
 * The LLB `Definition` envelope: serialized ops, per-digest metadata and the source map.
 * {@link readDefinition} and {@link writeDefinition} convert between bytes and a typed object.
 */
import { isBytes } from '../util/bytes.js';
import { DefinitionDecodeError } from '../errors.js';
import type { SourceInfo, VertexLocation, VertexMetadata } from '../graph/types.js';
import { sha256Digest } from '../util/sha256.js';
import { decodeMessage, type PbMessage } from './pb/codec.js';
import type * as pb from './pb/messages.generated.js';
import { encodeLocations, encodeOpMetadata, encodeSourceInfo } from './pb/encoders.generated.js';
import { encodeFast, type FastWriter, list, message, sortedKeys } from './pb/fast.js';

/** The source map of a Definition. */
export interface DefinitionSource {
  /** Op digest → locations. An entry may be present with no locations. */
  readonly locations: Readonly<Record<string, readonly VertexLocation[]>>;
  readonly infos: readonly DefinitionSourceInfo[];
}

/** A source file of the source map; it may carry its own Definition (BuildKit allows it). */
export interface DefinitionSourceInfo extends SourceInfo {
  readonly definition?: Definition;
}

/** A decoded LLB Definition. */
export interface Definition {
  /**
   * Serialized `pb.Op` messages, inputs before the ops that use them; the last one is the root.
   * Each is a view that may share its `ArrayBuffer` with other ops (they are written into shared
   * chunks): read it through the view, or `slice()` it before using `.buffer`.
   */
  readonly def: readonly Uint8Array[];
  /** Metadata by op digest. */
  readonly metadata: Readonly<Record<string, VertexMetadata>>;
  readonly source?: DefinitionSource;
}

/** The `sha256:…` digest of serialized op bytes: the op's identity and cache key seed. */
export function digestOf(opBytes: Uint8Array): string {
  return sha256Digest(opBytes);
}

// ----- metadata ------------------------------------------------------------------------------------

export function metadataToPb(m: VertexMetadata): PbMessage {
  const out: PbMessage = {};
  if (m.ignoreCache) out.ignore_cache = true;
  if (m.description && Object.keys(m.description).length) out.description = { ...m.description };
  if (m.exportCache) out.export_cache = { Value: m.exportCache.value };
  if (m.caps && Object.keys(m.caps).length) out.caps = { ...m.caps };
  if (m.progressGroup) {
    out.progress_group = { id: m.progressGroup.id, name: m.progressGroup.name, weak: m.progressGroup.weak };
  }
  return out;
}

export function metadataFromPb(m: PbMessage): VertexMetadata {
  const out: { -readonly [K in keyof VertexMetadata]: VertexMetadata[K] } = {};
  if (m.ignore_cache) out.ignoreCache = true;
  if (m.description) out.description = { ...(m.description as Record<string, string>) };
  if (m.export_cache) out.exportCache = { value: (m.export_cache as PbMessage).Value === true };
  if (m.caps) out.caps = { ...(m.caps as Record<string, boolean>) };
  const pg = m.progress_group as PbMessage | undefined;
  if (pg) out.progressGroup = { id: (pg.id as string) ?? '', name: (pg.name as string) ?? '', weak: pg.weak === true };
  return out;
}

// ----- source map ----------------------------------------------------------------------------------

export function locationsToPb(locs: readonly VertexLocation[]): PbMessage {
  if (locs.length === 0) return {};
  return {
    locations: locs.map((l) => {
      const out: PbMessage = {};
      if (l.sourceIndex !== 0) out.sourceIndex = l.sourceIndex;
      out.ranges = l.ranges.map((r) => ({ start: positionToPb(r.start), end: positionToPb(r.end) }));
      return out;
    }),
  };
}

function positionToPb(p: { line: number; character: number }): PbMessage {
  const out: PbMessage = {};
  if (p.line) out.line = p.line;
  if (p.character) out.character = p.character;
  return out;
}

function locationsFromPb(m: PbMessage): VertexLocation[] {
  return ((m.locations as PbMessage[] | undefined) ?? []).map((l) => ({
    sourceIndex: (l.sourceIndex as number | undefined) ?? 0,
    ranges: ((l.ranges as PbMessage[] | undefined) ?? []).map((r) => ({
      start: positionFromPb(r.start as PbMessage | undefined),
      end: positionFromPb(r.end as PbMessage | undefined),
    })),
  }));
}

function positionFromPb(p: PbMessage | undefined): { line: number; character: number } {
  return { line: (p?.line as number | undefined) ?? 0, character: (p?.character as number | undefined) ?? 0 };
}

function sourceToPb(s: DefinitionSource): PbMessage {
  const locations: Record<string, PbMessage> = {};
  for (const [dgst, locs] of Object.entries(s.locations)) locations[dgst] = locationsToPb(locs);
  const out: PbMessage = {};
  if (Object.keys(locations).length) out.locations = locations;
  if (s.infos.length) {
    out.infos = s.infos.map(sourceInfoToPb);
  }
  return out;
}

function sourceInfoToPb(i: DefinitionSourceInfo): PbMessage {
  const info: PbMessage = { filename: i.filename, data: i.data };
  if (i.definition) info.definition = definitionToPb(i.definition);
  if (i.language) info.language = i.language;
  return info;
}

function sourceFromPb(s: PbMessage): DefinitionSource {
  const locations: Record<string, VertexLocation[]> = {};
  for (const [dgst, locs] of Object.entries((s.locations as Record<string, PbMessage> | undefined) ?? {})) {
    locations[dgst] = locationsFromPb(locs);
  }
  const infos = ((s.infos as PbMessage[] | undefined) ?? []).map((i): DefinitionSourceInfo => {
    const info: { -readonly [K in keyof DefinitionSourceInfo]: DefinitionSourceInfo[K] } = {
      filename: (i.filename as string | undefined) ?? '',
      data: (i.data as Uint8Array | undefined) ?? new Uint8Array(0),
    };
    if (i.language) info.language = i.language as string;
    if (i.definition) info.definition = definitionFromPb(i.definition as PbMessage);
    return info;
  });
  return { locations, infos };
}

// ----- definition ----------------------------------------------------------------------------------

function definitionToPb(d: Definition): PbMessage {
  const out: PbMessage = {};
  if (d.def.length) out.def = [...d.def];
  const metadata: Record<string, PbMessage> = {};
  for (const [dgst, m] of Object.entries(d.metadata)) metadata[dgst] = metadataToPb(m);
  if (Object.keys(metadata).length) out.metadata = metadata;
  if (d.source) out.Source = sourceToPb(d.source);
  return out;
}

function definitionFromPb(m: PbMessage): Definition {
  const metadata: Record<string, VertexMetadata> = {};
  for (const [dgst, md] of Object.entries((m.metadata as Record<string, PbMessage> | undefined) ?? {})) {
    metadata[dgst] = metadataFromPb(md);
  }
  const def: { -readonly [K in keyof Definition]: Definition[K] } = {
    def: (m.def as Uint8Array[] | undefined) ?? [],
    metadata,
  };
  if (m.Source) def.source = sourceFromPb(m.Source as PbMessage);
  return def;
}

/**
 * Parses serialized `pb.Definition` bytes (what `buildctl build` reads on stdin).
 * Throws {@link DefinitionDecodeError} (with `code` and a byte `location`) on any malformed input.
 * The ops themselves stay serialized; see `decodeGraph` to turn them into a typed graph.
 */
export function readDefinition(bytes: Uint8Array): Definition {
  if (!isBytes(bytes)) {
    throw new DefinitionDecodeError('E_PB_INVALID', 'readDefinition expects a Uint8Array', {
      kind: 'bytes',
      offset: 0,
      path: 'Definition',
    });
  }
  return definitionFromPb(decodeMessage('Definition', bytes));
}

/**
 * Serializes a Definition. Maps are written sorted by key, so the bytes are deterministic
 * (BuildKit itself writes the metadata map in random order; its content is what matters).
 */
export function writeDefinition(def: Definition): Uint8Array {
  return encodeFast('Definition', writeDefinitionTo, def, definitionToPb);
}

/**
 * The fast path of {@link writeDefinition}: `pb.Definition` and `pb.Source` written straight from
 * the typed Definition (the ops' bytes copied as they are, the maps' keys sorted once), their
 * values through the generated encoders. It gives up (and the reflective codec writes
 * `definitionToPb(def)`, or throws its located error) on anything unusual.
 */
function writeDefinitionTo(w: FastWriter, def: Definition): void {
  // Definition.def = 1 (repeated bytes)
  const ops = list(message(def).def);
  for (let i = 0; i < ops.length; i++) {
    w.byte(0x0a);
    w.bytes(ops[i]);
  }
  // Definition.metadata = 2 (map<string, OpMetadata>)
  writeMessageMap(w, 0x12, message(def.metadata) as Record<string, VertexMetadata>, (m) => encodeOpMetadata(w, metadataForWire(m)));
  // Definition.Source = 3
  if (def.source === undefined) return;
  w.byte(0x1a);
  const source = w.fork();
  writeSourceTo(w, message(def.source) as unknown as DefinitionSource);
  w.join(source);
}

/**
 * A map<string, message> field (its one-byte key is `tag`): an entry per key in Go's order, the
 * key (field 1) then the value (field 2) written by `writeValue`.
 */
function writeMessageMap<V>(w: FastWriter, tag: number, map: Record<string, V>, writeValue: (value: V) => void): void {
  const keys = sortedKeys(map);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    w.byte(tag);
    const entry = w.fork();
    w.byte(0x0a);
    w.string(k);
    w.byte(0x12);
    const value = w.fork();
    writeValue(map[k]);
    w.join(value);
    w.join(entry);
  }
}

/**
 * {@link metadataToPb} without its copies, for the fast path: the maps and the progress group are
 * passed as they are (an unusual value makes the encoder give up, and the reflective codec then
 * writes metadataToPb's message).
 */
function metadataForWire(m: VertexMetadata): pb.OpMetadata {
  const out: pb.OpMetadata = {};
  if (m.ignoreCache) out.ignore_cache = true;
  if (m.description) out.description = m.description;
  if (m.exportCache) out.export_cache = { Value: m.exportCache.value };
  if (m.caps) out.caps = m.caps;
  if (m.progressGroup) out.progress_group = m.progressGroup;
  return out;
}

function writeSourceTo(w: FastWriter, s: DefinitionSource): void {
  // Source.locations = 1 (map<string, Locations>). A VertexLocation has pb.Location's fields
  // (sourceIndex, ranges of start/end line and character): each list is written as it is; any
  // other key on it makes the encoder give up.
  const locations = message(s.locations) as Record<string, readonly VertexLocation[]>;
  writeMessageMap(w, 0x0a, locations, (locs) => encodeLocations(w, { locations: locs }));
  // Source.infos = 2 (repeated SourceInfo)
  const infos = list(s.infos) as readonly DefinitionSourceInfo[];
  for (let i = 0; i < infos.length; i++) {
    w.byte(0x12);
    const info = w.fork();
    encodeSourceInfo(w, sourceInfoToPb(infos[i]));
    w.join(info);
  }
}

/** Digests of the ops of a Definition, in order. */
export function definitionDigests(def: Definition): string[] {
  return def.def.map(digestOf);
}
