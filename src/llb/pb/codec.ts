/**
 * A reflective protobuf codec for the LLB schema, producing exactly the bytes BuildKit's Go
 * runtime produces:
 *
 *  - regular fields in field-number order, then the set member of each oneof;
 *  - proto3 scalars equal to zero are omitted, except oneof members, which are written when set;
 *  - message fields are written when present, even when empty;
 *  - map entries are sorted by key (bytewise) and always carry both key and value;
 *  - repeated numeric fields are packed;
 *  - unknown fields seen while decoding are kept and written back after the known ones.
 *
 * Decoded messages are plain objects keyed by proto field name, typed by messages.generated.ts:
 * `string`, `Uint8Array` (bytes), `boolean`, `number` (int32/uint32/enum) and `bigint`
 * (int64/uint64). A field that is absent on the wire is absent from the object.
 *
 * Encoding checks every value against its field: the type, the range of the integer type
 * (`uint32` takes 0..2^32-1, not -1 wrapped around), and that the message has the field at all.
 * A value that does not fit throws {@link LlbEncodeError}; wrong bytes are never written.
 */
import { isBytes } from '../../util/bytes.js';
import { compareGoStrings } from '../../util/gounicode.js';
import { DefinitionDecodeError, LlbEncodeError } from '../../errors.js';
import type { FieldDescriptor, ScalarType } from './descriptor.js';
import type { MessageName, Messages } from './messages.generated.js';
import { schema } from './schema.generated.js';
import { Reader, WireType, Writer } from './wire.js';

/** A message seen reflectively: proto field name → value (see messages.generated.ts for the types). */
export type PbMessage = { [field: string]: unknown };

export type { MessageName, Messages };

/** Key under which unknown fields (raw tag+value bytes) are kept on a decoded message. */
export const UNKNOWN_FIELDS = '$unknown';

/** The deepest nesting of messages the decoder accepts (LLB needs about 10). */
export const MAX_DEPTH = 64;

interface CompiledMessage {
  readonly name: string;
  /** Fields not in a oneof, by number. */
  readonly regular: readonly FieldDescriptor[];
  /** Oneof members, grouped per oneof in declaration order. */
  readonly oneofs: readonly (readonly FieldDescriptor[])[];
  readonly byNumber: ReadonlyMap<number, FieldDescriptor>;
  /**
   * The fields in the order they are written (`regular`, then each oneof's members), and each
   * field's position in that order by name: the encoder reads the properties a message has (a
   * few) rather than probing it for every field the schema has (many).
   */
  readonly order: readonly FieldDescriptor[];
  readonly slot: ReadonlyMap<string, number>;
}

const compiled = new Map<string, CompiledMessage>();

function compile(name: string): CompiledMessage {
  let c = compiled.get(name);
  if (c) return c;
  const fields = schema.messages[name];
  if (!fields) throw new Error(`unknown message type ${name}`);
  const oneofNames: string[] = [];
  for (const f of fields) if (f.oneof && !oneofNames.includes(f.oneof)) oneofNames.push(f.oneof);
  const regular = fields.filter((f) => !f.oneof);
  const oneofs = oneofNames.map((o) => fields.filter((f) => f.oneof === o));
  const order = [...regular, ...oneofs.flat()];
  c = {
    name,
    regular,
    oneofs,
    byNumber: new Map(fields.map((f) => [f.no, f])),
    order,
    slot: new Map(order.map((f, i) => [f.name, i])),
  };
  compiled.set(name, c);
  return c;
}

/** The message type names the schema knows. */
export function messageTypes(): string[] {
  return Object.keys(schema.messages);
}

// ---------------------------------------------------------------------------------------------
// Encoding

/**
 * Serializes `msg` as message type `type` (e.g. `Op`, `Definition`).
 * @throws {@link LlbEncodeError} when a value does not fit its field (type or range), or the
 *   object has a field the message does not (`path` says where).
 */
export function encodeMessage<N extends MessageName>(type: N, msg: Messages[N]): Uint8Array {
  // One writer serves every call: encoding never re-enters encodeMessage.
  const w = sharedWriter.reset();
  depth = 0;
  try {
    writeMessage(w, compile(type), msg);
  } catch (e) {
    // A failed message may leave values in the scratch slots: start the next one clean.
    slotsByDepth.length = 0;
    throw e instanceof LlbEncodeError ? e.within(type) : e;
  }
  return w.finish();
}

const sharedWriter = new Writer(4096);

/**
 * Scratch space of {@link writeMessage}: the values of the message being written at each nesting
 * depth, by position in its {@link CompiledMessage.order}. Each slot is emptied as it is written.
 */
const slotsByDepth: unknown[][] = [];
let depth = 0;

function badValue(message: string): never {
  throw new LlbEncodeError('E_LLB_VALUE', message, '');
}

function isMessageObject(v: unknown): v is PbMessage {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !isBytes(v);
}

function writeMessage(w: Writer, m: CompiledMessage, msg: unknown): void {
  if (!isMessageObject(msg)) badValue(`expected a ${m.name} message (an object), got ${describe(msg)}`);
  const slots = (slotsByDepth[depth] ??= []);
  let unknown: unknown;
  for (const key in msg) {
    const i = m.slot.get(key);
    if (i !== undefined) slots[i] = msg[key];
    else if (key === UNKNOWN_FIELDS) unknown = msg[key];
    else throw new LlbEncodeError('E_LLB_UNKNOWN_FIELD', `${m.name} has no field ${JSON.stringify(key)}`, '');
  }
  depth++;
  const order = m.order;
  const regular = m.regular.length;
  let seen: FieldDescriptor | undefined;
  for (let i = 0; i < order.length; i++) {
    const v = slots[i];
    if (v === undefined) continue;
    slots[i] = undefined;
    const f = order[i];
    if (i >= regular) {
      if (seen !== undefined && seen.oneof === f.oneof) throw new LlbEncodeError('E_LLB_ONEOF', `${m.name}: oneof ${f.oneof} has both ${seen.name} and ${f.name} set`, '');
      seen = f;
    }
    writeFieldAt(w, f, v, i >= regular);
  }
  depth--;
  if (unknown !== undefined) {
    if (!Array.isArray(unknown) || !unknown.every(isBytes)) badValue(`${UNKNOWN_FIELDS} must be a list of Uint8Array`);
    for (const raw of unknown) w.raw(raw);
  }
}

/** writeField, naming the field in the path of an error. */
function writeFieldAt(w: Writer, f: FieldDescriptor, v: unknown, inOneof: boolean): void {
  try {
    writeField(w, f, v, inOneof);
  } catch (e) {
    throw e instanceof LlbEncodeError ? e.within(f.name) : e;
  }
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return `${typeof v} ${String(v)}`;
  if (typeof v === 'string') return `string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  return typeof v;
}

function listOf(v: unknown): readonly unknown[] {
  if (!Array.isArray(v)) badValue(`expected a list, got ${describe(v)}`);
  return v as unknown[];
}

/** An error from item `i` of a list, with the index in its path. */
function itemError(e: unknown, i: number): unknown {
  return e instanceof LlbEncodeError ? e.within(`[${i}]`) : e;
}

function writeField(w: Writer, f: FieldDescriptor, v: unknown, inOneof: boolean): void {
  switch (f.kind) {
    case 'map':
      if (!isMessageObject(v)) badValue(`expected a map (an object), got ${describe(v)}`);
      writeMap(w, f, v);
      return;
    case 'message':
      if (f.repeated) {
        const items = listOf(v);
        for (let i = 0; i < items.length; i++) {
          try {
            writeSubmessage(w, f.no, f.type, items[i]);
          } catch (e) {
            throw itemError(e, i);
          }
        }
      } else {
        writeSubmessage(w, f.no, f.type, v);
      }
      return;
    case 'enum':
    case 'scalar': {
      const type: ScalarType = f.kind === 'enum' ? 'int32' : f.type;
      if (f.repeated) {
        const items = listOf(v);
        if (items.length === 0) return;
        const packed = type !== 'string' && type !== 'bytes';
        // Packed encoding: one length-delimited field holding all the varints.
        if (packed) w.tag(f.no, WireType.LengthDelimited).fork();
        for (let i = 0; i < items.length; i++) {
          try {
            if (packed) writeScalarValue(w, type, items[i]);
            else writeScalar(w, f.no, type, items[i]);
          } catch (e) {
            throw itemError(e, i);
          }
        }
        if (packed) w.join();
        return;
      }
      if (!inOneof && isZero(type, v)) return;
      writeScalar(w, f.no, type, v);
      return;
    }
  }
}

function writeSubmessage(w: Writer, no: number, type: string, msg: unknown): void {
  w.tag(no, WireType.LengthDelimited).fork();
  writeMessage(w, compile(type), msg);
  w.join();
}

function writeMap(w: Writer, f: Extract<FieldDescriptor, { kind: 'map' }>, map: Record<string, unknown>): void {
  // Go sorts map keys by their bytes: UTF-8 order, which is code point order. Without
  // surrogates that is UTF-16 code unit order, the engine's own sort (a Definition's maps have a
  // key per op, 71 ASCII characters each).
  const keys = Object.keys(map);
  if (keys.some(hasSurrogate)) keys.sort(compareGoStrings);
  else keys.sort();
  const valueType: ScalarType = f.valueKind === 'enum' ? 'int32' : (f.type as ScalarType);
  for (const key of keys) {
    w.tag(f.no, WireType.LengthDelimited).fork();
    writeScalar(w, 1, f.keyType, key);
    const value = map[key];
    try {
      if (f.valueKind === 'message') writeSubmessage(w, 2, f.type, value);
      else writeScalar(w, 2, valueType, value);
    } catch (e) {
      throw e instanceof LlbEncodeError ? e.within(`[${JSON.stringify(key)}]`) : e;
    }
    w.join();
  }
}

function hasSurrogate(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdfff) return true;
  }
  return false;
}

function isZero(type: ScalarType, v: unknown): boolean {
  switch (type) {
    case 'string':
      return v === '';
    case 'bytes':
      return isBytes(v) && v.length === 0;
    case 'bool':
      return v === false;
    case 'int64':
    case 'uint64':
      return v === 0n || v === 0;
    default:
      return v === 0;
  }
}

function wireTypeOf(type: ScalarType): WireType {
  return type === 'string' || type === 'bytes' ? WireType.LengthDelimited : WireType.Varint;
}

function writeScalar(w: Writer, no: number, type: ScalarType, v: unknown): void {
  w.tag(no, wireTypeOf(type));
  writeScalarValue(w, type, v);
}

/** The range of each integer type, as protobuf-es's assertInt32/assertUInt32 and their 64-bit kin. */
const RANGES = {
  int32: [-0x80000000, 0x7fffffff],
  uint32: [0, 0xffffffff],
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
  uint64: [0n, 2n ** 64n - 1n],
} as const;

function writeScalarValue(w: Writer, type: ScalarType, v: unknown): void {
  switch (type) {
    case 'string':
      if (typeof v !== 'string') badValue(`expected a string, got ${describe(v)}`);
      w.string(v);
      return;
    case 'bytes':
      if (!isBytes(v)) badValue(`expected a Uint8Array, got ${describe(v)}`);
      w.bytes(v);
      return;
    case 'bool':
      if (typeof v !== 'boolean') badValue(`expected a boolean, got ${describe(v)}`);
      w.bool(v);
      return;
    case 'int32':
    case 'uint32': {
      const [min, max] = RANGES[type];
      if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) badValue(`expected an ${type} (${min}..${max}), got ${describe(v)}`);
      if (type === 'int32') w.int32(v);
      else w.uint32(v);
      return;
    }
    case 'int64':
    case 'uint64': {
      const [min, max] = RANGES[type];
      // Numbers are accepted too (cheaper than bigints for small values such as indices).
      if (typeof v === 'number') {
        if (!Number.isSafeInteger(v) || (type === 'uint64' && v < 0)) badValue(`expected an ${type} (a bigint, or a safe integer), got ${describe(v)}`);
        if (v >= 0 && v <= 0xffffffff) w.uint32(v);
        else w.int64(BigInt(v));
        return;
      }
      if (typeof v !== 'bigint' || v < min || v > max) badValue(`expected an ${type} (${min}..${max}), got ${describe(v)}`);
      if (type === 'int64') w.int64(v);
      else w.uint64(v);
      return;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Decoding

/** Options for {@link decodeMessage}. */
export interface DecodeOptions {
  /** Offset of `bytes[0]` in the outermost input, for error locations. */
  readonly base?: number;
  /** Path prefix for error locations. */
  readonly path?: string;
}

/**
 * Parses `bytes` as message type `type`. Throws {@link DefinitionDecodeError} on malformed input;
 * never anything else.
 */
export function decodeMessage<N extends MessageName>(type: N, bytes: Uint8Array, options: DecodeOptions = {}): Messages[N] {
  const r = new Reader(bytes, 0, bytes.length, options.base ?? 0, options.path ?? type);
  try {
    // The reader follows the schema that messages.generated.ts was generated from.
    return readMessage(r, compile(type), bytes.length, 0);
  } catch (e) {
    if (e instanceof DefinitionDecodeError) throw e;
    // A RangeError from a pathological input (e.g. a string too long for the engine) still
    // surfaces as the typed error.
    return r.fail('E_PB_INVALID', `cannot decode ${type}: ${(e as Error).message}`);
  }
}

function readMessage(r: Reader, m: CompiledMessage, end: number, depth: number): PbMessage {
  if (depth > MAX_DEPTH) r.fail('E_PB_DEPTH', `messages nested deeper than ${MAX_DEPTH}`);
  const msg: PbMessage = {};
  const path = r.path;
  while (r.pos < end) {
    const { fieldNo, wireType, start } = r.tag();
    const f = m.byNumber.get(fieldNo);
    if (!f) {
      r.skip(wireType);
      const unknown = (msg[UNKNOWN_FIELDS] ??= []) as Uint8Array[];
      unknown.push(r.buf.slice(start, r.pos));
      continue;
    }
    r.path = `${path}.${f.name}`;
    readField(r, f, msg, wireType, depth);
    r.path = path;
    if (f.oneof) {
      // Setting one member of a oneof clears the others, as in every protobuf runtime.
      for (const group of m.oneofs) {
        if (group[0].oneof !== f.oneof) continue;
        for (const other of group) if (other !== f) delete msg[other.name];
      }
    }
  }
  if (r.pos !== end) r.fail('E_PB_TRUNCATED', 'field runs past the end of its message');
  return msg;
}

function expectWireType(r: Reader, actual: number, expected: WireType): void {
  if (actual !== expected) r.fail('E_PB_WIRETYPE', `wire type ${actual} where ${expected} was expected`);
}

function readField(r: Reader, f: FieldDescriptor, msg: PbMessage, wireType: number, depth: number): void {
  switch (f.kind) {
    case 'message': {
      expectWireType(r, wireType, WireType.LengthDelimited);
      const end = r.length();
      const value = readMessage(r, compile(f.type), end, depth + 1);
      if (f.repeated) ((msg[f.name] ??= []) as PbMessage[]).push(value);
      else msg[f.name] = value;
      return;
    }
    case 'map': {
      expectWireType(r, wireType, WireType.LengthDelimited);
      const end = r.length();
      const map = (msg[f.name] ??= {}) as Record<string, unknown>;
      readMapEntry(r, f, map, end, depth);
      return;
    }
    case 'enum':
    case 'scalar': {
      const type: ScalarType = f.kind === 'enum' ? 'int32' : f.type;
      if (f.repeated) {
        const list = (msg[f.name] ??= []) as unknown[];
        if (wireType === WireType.LengthDelimited && type !== 'string' && type !== 'bytes') {
          const end = r.length();
          while (r.pos < end) list.push(readScalarValue(r, type));
          if (r.pos !== end) r.fail('E_PB_TRUNCATED', 'packed field runs past its length');
        } else {
          expectWireType(r, wireType, wireTypeOf(type));
          list.push(readScalarValue(r, type));
        }
        return;
      }
      expectWireType(r, wireType, wireTypeOf(type));
      msg[f.name] = readScalarValue(r, type);
      return;
    }
  }
}

function readMapEntry(
  r: Reader,
  f: Extract<FieldDescriptor, { kind: 'map' }>,
  map: Record<string, unknown>,
  end: number,
  depth: number,
): void {
  const valueType: ScalarType = f.valueKind === 'enum' ? 'int32' : (f.type as ScalarType);
  let key: unknown = zeroOf(f.keyType);
  let value: unknown = f.valueKind === 'message' ? {} : zeroOf(valueType);
  while (r.pos < end) {
    const { fieldNo, wireType } = r.tag();
    if (fieldNo === 1) {
      expectWireType(r, wireType, wireTypeOf(f.keyType));
      key = readScalarValue(r, f.keyType);
    } else if (fieldNo === 2) {
      if (f.valueKind === 'message') {
        expectWireType(r, wireType, WireType.LengthDelimited);
        const valueEnd = r.length();
        value = readMessage(r, compile(f.type), valueEnd, depth + 1);
      } else {
        expectWireType(r, wireType, wireTypeOf(valueType));
        value = readScalarValue(r, valueType);
      }
    } else {
      r.skip(wireType);
    }
  }
  if (r.pos !== end) r.fail('E_PB_TRUNCATED', 'map entry runs past its length');
  // defineProperty keeps a key such as "__proto__" an ordinary entry.
  Object.defineProperty(map, String(key), { value, enumerable: true, writable: true, configurable: true });
}

function zeroOf(type: ScalarType): unknown {
  switch (type) {
    case 'string':
      return '';
    case 'bytes':
      return new Uint8Array(0);
    case 'bool':
      return false;
    case 'int64':
    case 'uint64':
      return 0n;
    default:
      return 0;
  }
}

function readScalarValue(r: Reader, type: ScalarType): unknown {
  switch (type) {
    case 'string':
      return r.string();
    case 'bytes':
      return r.bytes();
    case 'bool':
      return r.bool();
    case 'int32':
      return r.int32();
    case 'uint32':
      return r.uint32();
    case 'int64':
      return r.int64();
    case 'uint64':
      return r.uint64();
  }
}
