/**
 * The LLB `Definition` envelope: serialized ops, per-digest metadata and the source map.
 * {@link readDefinition} and {@link writeDefinition} convert between bytes and a typed object.
 */
import { isBytes } from '../util/bytes.js';
import { DefinitionDecodeError } from '../errors.js';
import type { SourceInfo, SourceRangeLLB, VertexLocation, VertexMetadata } from '../graph/types.js';
import { sha256Digest } from '../util/sha256.js';
import { decodeMessage, type PbMessage } from './pb/codec.js';
import { encodeProgressGroup, encodeSourceInfo } from './pb/encoders.generated.js';
import { bail, encodeFast, type FastWriter, list, message, sortedKeys, SURROGATE } from './pb/fast.js';

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

/** The Definition as the reflective codec's message: the reference of {@link writeDefinition}. */
export function definitionToPb(d: Definition): PbMessage {
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
 * Entries of a map<string, message> in Go's order: `keys[i]` and `values[i]` for every `i` in
 * order, or for each `i` of `order` whose value is not `undefined`.
 */
export interface SortedMap {
  readonly keys: readonly string[];
  readonly values: readonly unknown[];
  readonly order?: ArrayLike<number>;
}

/** The entries of a record, in Go's order (a key with a surrogate gives up). */
function sortedMap(map: Record<string, unknown>): SortedMap {
  const keys = sortedKeys(map);
  const values: unknown[] = new Array(keys.length);
  for (let i = 0; i < keys.length; i++) values[i] = map[keys[i]];
  return { keys, values };
}

/**
 * The fast path of {@link writeDefinition}: `pb.Definition` and `pb.Source` written straight from
 * the typed Definition (the ops' bytes copied as they are, each op's metadata and locations
 * written from the typed objects). Its reference is the reflective codec writing
 * `definitionToPb(def)`: it writes those bytes, or gives up (and the reflective codec writes them,
 * or throws its error) on anything unusual.
 */
function writeDefinitionTo(w: FastWriter, def: Definition): void {
  // Definition.def = 1 (repeated bytes)
  const ops = list(message(def).def);
  for (let i = 0; i < ops.length; i++) {
    w.byte(0x0a);
    w.bytes(ops[i]);
  }
  writeDefinitionMaps(w, sortedMap(message(def.metadata)), def.source, undefined);
}

/**
 * What follows the ops in {@link writeDefinition}'s bytes: Definition.metadata (`metadata`, the
 * entries of the Definition's record) and Definition.Source (`source`, with the entries of its
 * locations record when known). Gives up ({@link bail}) as the fast path does.
 */
export function writeDefinitionMaps(w: FastWriter, metadata: SortedMap, source: DefinitionSource | undefined, locations: SortedMap | undefined): void {
  // Definition.metadata = 2 (map<string, OpMetadata>)
  writeMessageMap(w, 0x12, metadata, writeOpMetadata);
  // Definition.Source = 3
  if (source === undefined) return;
  w.byte(0x1a);
  const at = w.fork();
  const s = message(source) as unknown as DefinitionSource;
  // Source.locations = 1 (map<string, Locations>)
  writeMessageMap(w, 0x0a, locations ?? sortedMap(message(s.locations)), writeLocations);
  // Source.infos = 2 (repeated SourceInfo)
  const infos = list(s.infos) as readonly DefinitionSourceInfo[];
  for (let i = 0; i < infos.length; i++) {
    w.byte(0x12);
    const info = w.fork();
    encodeSourceInfo(w, sourceInfoToPb(infos[i]));
    w.join(info);
  }
  w.join(at);
}

/**
 * A map<string, message> field (its one-byte key is `tag`): an entry per key in Go's order, the
 * key (field 1) then the value (field 2) written by `writeValue`.
 */
function writeMessageMap(w: FastWriter, tag: number, map: SortedMap, writeValue: (w: FastWriter, value: unknown) => void): void {
  const { keys, values, order } = map;
  const n = order === undefined ? keys.length : order.length;
  for (let j = 0; j < n; j++) {
    const i = order === undefined ? j : order[j];
    const v = values[i];
    // The walk's lists have holes (ops without metadata); a record's value is written as it is.
    if (v === undefined && order !== undefined) continue;
    w.byte(tag);
    const entry = w.fork();
    w.byte(0x0a);
    w.string(keys[i]);
    w.byte(0x12);
    const value = w.fork();
    writeValue(w, v);
    w.join(value);
    w.join(entry);
  }
}

/**
 * `pb.OpMetadata` from a VertexMetadata, as the reflective codec writes {@link metadataToPb}'s
 * message: ignore_cache = 1, description = 2, export_cache = 4, caps = 5, progress_group = 6.
 */
function writeOpMetadata(w: FastWriter, value: unknown): void {
  const m = value as VertexMetadata;
  if (m.ignoreCache) w.byte2(0x08, 0x01);
  if (m.description) writeDescription(w, message(m.description));
  const exportCache = m.exportCache;
  if (exportCache) {
    const v = exportCache.value;
    if (v === true) {
      w.byte2(0x22, 0x02);
      w.byte2(0x08, 0x01);
    } else if (v === false) w.byte2(0x22, 0x00);
    else bail();
  }
  if (m.caps) writeCaps(w, message(m.caps));
  if (m.progressGroup) {
    w.byte(0x32);
    const at = w.fork();
    encodeProgressGroup(w, m.progressGroup);
    w.join(at);
  }
}

/** OpMetadata.description (map<string, string>, field 2): known keys are copied bytes. */
function writeDescription(w: FastWriter, map: Record<string, unknown>): void {
  const known = knownEntries(map, descriptionKey, descriptionScratch);
  const keys = known ? descriptionScratch.keys : sortedKeys(map);
  const n = known ? descriptionScratch.length : keys.length;
  for (let i = 0; i < n; i++) {
    const k = keys[i];
    const v = map[k];
    if (typeof v !== 'string') bail();
    w.byte(0x12);
    const at = w.fork();
    if (known) w.raw(descriptionScratch.bytes[i]);
    else {
      w.byte(0x0a);
      w.string(k);
    }
    w.byte(0x12);
    w.string(v);
    w.join(at);
  }
}

/** OpMetadata.caps (map<string, bool>, field 5): a known cap set to true is one copied entry. */
function writeCaps(w: FastWriter, map: Record<string, unknown>): void {
  if (knownEntries(map, capEntry, capsScratch)) {
    const { keys, bytes, length } = capsScratch;
    // false would be written too (as 0), but the graph never has it: the reflective codec takes it.
    for (let i = 0; i < length; i++) {
      if (map[keys[i]] !== true) bail();
      w.raw(bytes[i]);
    }
    return;
  }
  const keys = sortedKeys(map);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    if (map[k] !== true) bail();
    w.byte(0x2a);
    const at = w.fork();
    w.byte(0x0a);
    w.string(k);
    w.byte2(0x10, 0x01);
    w.join(at);
  }
}

/** A map's keys in Go's order and their cached bytes, in lists reused from one map to the next. */
interface KnownEntries {
  readonly keys: string[];
  readonly bytes: Uint8Array[];
  length: number;
}

const descriptionScratch: KnownEntries = { keys: [], bytes: [], length: 0 };
const capsScratch: KnownEntries = { keys: [], bytes: [], length: 0 };

/** Above this many keys, a map is written key by key ({@link knownEntries} sorts by insertion). */
const MAX_KNOWN_ENTRIES = 32;

/**
 * Fills `out` with the keys of `map` in Go's order and their bytes, when each key has its bytes in
 * a cache (`cached` answers them, and only has keys without surrogates, so code unit order is
 * Go's): true; false when one has not. No list is made per map: the own keys are enumerated and
 * sorted by insertion into `out`.
 */
function knownEntries(map: Record<string, unknown>, cached: (k: string) => Uint8Array | undefined, out: KnownEntries): boolean {
  const { keys, bytes } = out;
  let n = 0;
  for (const k in map) {
    if (!Object.hasOwn(map, k)) continue;
    const b = cached(k);
    if (b === undefined || n === MAX_KNOWN_ENTRIES) return false;
    let j = n - 1;
    for (; j >= 0 && keys[j] > k; j--) {
      keys[j + 1] = keys[j];
      bytes[j + 1] = bytes[j];
    }
    keys[j + 1] = k;
    bytes[j + 1] = b;
    n++;
  }
  out.length = n;
  return true;
}

/** The description keys and caps of a graph are a small set: their bytes are made once each. */
const MAX_CACHED_KEYS = 256;
const descriptionKeys = new Map<string, Uint8Array>();
const capEntries = new Map<string, Uint8Array>();

/** `0a len key`: field 1 of a description entry. */
function descriptionKey(k: string): Uint8Array | undefined {
  return descriptionKeys.get(k) ?? cacheKey(descriptionKeys, k, [0x0a], []);
}

/** `2a len 0a len key 10 01`: a whole caps entry whose value is true. */
function capEntry(k: string): Uint8Array | undefined {
  return capEntries.get(k) ?? cacheKey(capEntries, k, [0x2a, 0, 0x0a], [0x10, 0x01]);
}

/**
 * Encodes `before`, the key's length and UTF-8, `after` (a second byte of 0 in `before` is the
 * length of the rest) into `cache`, for a key of up to 100 characters without surrogates.
 */
function cacheKey(cache: Map<string, Uint8Array>, k: string, before: number[], after: number[]): Uint8Array | undefined {
  if (k.length > 100 || cache.size >= MAX_CACHED_KEYS || SURROGATE.test(k)) return undefined;
  const utf8 = keyEncoder.encode(k);
  if (utf8.length > 100) return undefined;
  const bytes = Uint8Array.from([...before, utf8.length, ...utf8, ...after]);
  if (before.length > 1) bytes[1] = bytes.length - 2;
  cache.set(k, bytes);
  return bytes;
}

const keyEncoder = new TextEncoder();

/**
 * `pb.Locations` (locations = 1, repeated Location) from a list of VertexLocation, as the
 * reflective codec writes {@link locationsToPb}'s message: only the fields it reads are read.
 */
function writeLocations(w: FastWriter, value: unknown): void {
  const locs = list(value) as readonly VertexLocation[];
  for (let i = 0; i < locs.length; i++) {
    const l = message(locs[i]) as unknown as VertexLocation;
    w.byte(0x0a);
    const at = w.fork();
    // Location: sourceIndex = 1 (int32), ranges = 2 (repeated Range)
    const sourceIndex = l.sourceIndex;
    if (sourceIndex !== 0) {
      w.byte(0x08);
      w.int32(sourceIndex);
    }
    const ranges = list(l.ranges) as readonly SourceRangeLLB[];
    for (let j = 0; j < ranges.length; j++) {
      const r = message(ranges[j]) as unknown as SourceRangeLLB;
      w.byte(0x12);
      const range = w.fork();
      // Range: start = 1, end = 2 (Position: line = 1, character = 2, int32)
      w.byte(0x0a);
      const start = w.fork();
      writePosition(w, r.start);
      w.join(start);
      w.byte(0x12);
      const end = w.fork();
      writePosition(w, r.end);
      w.join(end);
      w.join(range);
    }
    w.join(at);
  }
}

/** A Position as {@link positionToPb} gives it: a field only when it is not 0. */
function writePosition(w: FastWriter, value: unknown): void {
  const p = message(value);
  const line = p.line;
  if (line !== 0) {
    w.byte(0x08);
    w.int32(line);
  }
  const character = p.character;
  if (character !== 0) {
    w.byte(0x10);
    w.int32(character);
  }
}

/** Digests of the ops of a Definition, in order. */
export function definitionDigests(def: Definition): string[] {
  return def.def.map(digestOf);
}
