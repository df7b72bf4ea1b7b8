/**
 * The runtime of the generated encoders (encoders.generated.ts): a growable byte buffer written in
 * place, with length prefixes back-patched, and the value checks those encoders share.
 *
 * The generated encoders are the compile path's serializer; the reflective codec (codec.ts) stays
 * the reference. A generated encoder accepts a strict subset of what the reflective one accepts:
 * anything unusual (a value of the wrong type or range, a field the message does not have, an
 * explicitly `undefined` field, two members of a oneof, a map key with surrogates, a typed array
 * that is not a Uint8Array) makes it give up ({@link bail}), and {@link encodeFast} then runs the
 * reflective encoder, which writes the same bytes or throws its located {@link LlbEncodeError}.
 * So errors keep their codes, messages and paths, and the fast path never decides what is valid.
 */
import { encodeMessage } from './codec.js';
import type { MessageName, Messages } from './messages.generated.js';

/**
 * Thrown (it never escapes {@link encodeFast}) when a generated encoder meets a value it does not
 * handle; made once, so that giving up costs no stack trace.
 */
const BAIL = new Error('the generated encoder gave up; the reflective one takes over');

/** Gives up on the fast path: {@link encodeFast} falls back to the reflective encoder. */
export function bail(): never {
  throw BAIL;
}

const textEncoder = new TextEncoder();

/** The size of a chunk of {@link encodeMessageFast}'s writer, and the room a message starts with. */
const ARENA_CHUNK = 1 << 16;
const ARENA_HEADROOM = 1 << 12;

/** Strings up to this length are copied by a loop; longer ones by TextEncoder.encodeInto. */
const SHORT_STRING = 32;

/** Strings up to this length (their UTF-8 fits {@link scratch}) are encoded into the scratch buffer. */
const MEDIUM_STRING = 85;
const SCRATCH_SIZE = 256;
const scratch = new Uint8Array(SCRATCH_SIZE);

/** How many bytes the varint of `n` (0..2^32-1) takes. */
function varintSize(n: number): number {
  return n < 0x80 ? 1 : n < 0x4000 ? 2 : n < 0x200000 ? 3 : n < 0x10000000 ? 4 : 5;
}

/** A surrogate code unit: map keys with one are sorted by the reflective encoder (UTF-8 order). */
export const SURROGATE = /[\ud800-\udfff]/;

/** Appends protobuf wire data to one reusable buffer. */
export class FastWriter {
  buf: Uint8Array;
  pos = 0;

  constructor(size = 1 << 16) {
    this.buf = new Uint8Array(size);
  }

  /** Makes room for `n` more bytes. */
  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  /** One byte (a one-byte field key, or a bool). */
  byte(b: number): void {
    if (this.pos >= this.buf.length) this.ensure(1);
    this.buf[this.pos++] = b;
  }

  /** Two bytes (a two-byte field key). */
  byte2(a: number, b: number): void {
    if (this.pos + 2 > this.buf.length) this.ensure(2);
    this.buf[this.pos++] = a;
    this.buf[this.pos++] = b;
  }

  /** An unsigned 32-bit varint (`v` is already known to be 0..2^32-1). */
  varint32(v: number): void {
    if (this.pos + 5 > this.buf.length) this.ensure(5);
    const buf = this.buf;
    let pos = this.pos;
    while (v > 0x7f) {
      buf[pos++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    buf[pos++] = v;
    this.pos = pos;
  }

  /** A 64-bit varint from its low and high 32 bits (both as unsigned numbers). */
  varint64(lo: number, hi: number): void {
    if (this.pos + 10 > this.buf.length) this.ensure(10);
    const buf = this.buf;
    let pos = this.pos;
    while (hi) {
      buf[pos++] = (lo & 0x7f) | 0x80;
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi >>>= 7;
    }
    while (lo > 0x7f) {
      buf[pos++] = (lo & 0x7f) | 0x80;
      lo >>>= 7;
    }
    buf[pos++] = lo;
    this.pos = pos;
  }

  /** An int32 value: negatives are sign-extended to 10 bytes, as the protobuf spec requires. */
  int32(v: unknown): void {
    if (typeof v !== 'number' || (v | 0) !== v) bail();
    if (v >= 0) this.varint32(v);
    else this.varint64(v >>> 0, 0xffffffff);
  }

  /** A uint32 value. */
  uint32(v: unknown): void {
    if (typeof v !== 'number' || v >>> 0 !== v) bail();
    this.varint32(v);
  }

  /** An int64 value: a bigint in range, or a safe integer number. */
  int64(v: unknown): void {
    if (typeof v === 'number') {
      if (!Number.isSafeInteger(v)) bail();
      this.number64(v);
      return;
    }
    if (typeof v !== 'bigint' || v < -0x8000000000000000n || v > 0x7fffffffffffffffn) bail();
    this.bigint64(v);
  }

  /** A uint64 value: a bigint in range, or a non-negative safe integer number. */
  uint64(v: unknown): void {
    if (typeof v === 'number') {
      if (!Number.isSafeInteger(v) || v < 0) bail();
      this.number64(v);
      return;
    }
    if (typeof v !== 'bigint' || v < 0n || v > 0xffffffffffffffffn) bail();
    this.bigint64(v);
  }

  private number64(v: number): void {
    if (v >= 0 && v <= 0xffffffff) this.varint32(v);
    // Two's complement over 64 bits: the low word, and the high word rounded toward -∞.
    else this.varint64(v >>> 0, Math.floor(v / 0x100000000) >>> 0);
  }

  private bigint64(v: bigint): void {
    if (v >= -0x80000000n && v <= 0xffffffffn) {
      this.number64(Number(v));
      return;
    }
    const u = BigInt.asUintN(64, v);
    this.varint64(Number(u & 0xffffffffn), Number(u >> 32n));
  }

  /** A bool value. */
  bool(v: unknown): void {
    if (typeof v !== 'boolean') bail();
    this.byte(v ? 1 : 0);
  }

  /** A string value, UTF-8, with its length prefix. */
  string(v: unknown): void {
    if (typeof v !== 'string') bail();
    const n = v.length;
    if (n > SHORT_STRING) {
      this.longString(v, n);
      return;
    }
    // Short ASCII, the common case: one pass copying code units; anything else goes to TextEncoder.
    if (this.pos + n + 1 > this.buf.length) this.ensure(n + 1);
    const buf = this.buf;
    const start = this.pos;
    let pos = start + 1;
    for (let i = 0; i < n; i++) {
      const c = v.charCodeAt(i);
      if (c > 0x7f) {
        this.longString(v, n);
        return;
      }
      buf[pos++] = c;
    }
    buf[start] = n;
    this.pos = pos;
  }

  /**
   * A string through TextEncoder.encodeInto (native; cheaper than a loop beyond a few dozen
   * characters, and right for any UTF-16, lone surrogates included). The length prefix is
   * reserved for the ASCII length and moved when the UTF-8 length needs another size.
   */
  private longString(v: string, n: number): void {
    if (n <= MEDIUM_STRING) {
      // Through the scratch buffer, copied whole (what follows `written` is overwritten later):
      // no view of the buffer to make for encodeInto.
      const { written } = textEncoder.encodeInto(v, scratch);
      this.ensure(SCRATCH_SIZE + 2);
      this.varint32(written);
      this.buf.set(scratch, this.pos);
      this.pos += written;
      return;
    }
    const guess = varintSize(n);
    this.ensure(guess + 3 * n);
    const start = this.pos;
    const { written } = textEncoder.encodeInto(v, this.buf.subarray(start + guess));
    const size = varintSize(written);
    if (size !== guess) this.buf.copyWithin(start + size, start + guess, start + guess + written);
    this.varint32(written);
    this.pos = start + size + written;
  }
  /** A bytes value (a Uint8Array) with its length prefix. */
  bytes(v: unknown): void {
    if (!(v instanceof Uint8Array)) bail();
    this.bytesValue(v);
  }

  private bytesValue(v: Uint8Array): void {
    this.varint32(v.length);
    this.raw(v);
  }

  /** Bytes as they are. */
  raw(v: Uint8Array): void {
    this.ensure(v.length);
    this.buf.set(v, this.pos);
    this.pos += v.length;
  }

  /** Opens a length-delimited value: reserves one byte for its length; returns where. */
  fork(): number {
    if (this.pos >= this.buf.length) this.ensure(1);
    return this.pos++;
  }

  /** Closes the value opened at `at`: writes its length, moving the content when it needs more than a byte. */
  join(at: number): void {
    const len = this.pos - at - 1;
    if (len < 0x80) {
      this.buf[at] = len;
      return;
    }
    let size = 2;
    for (let v = len >>> 14; v > 0; v >>>= 7) size++;
    this.ensure(size - 1);
    const buf = this.buf;
    buf.copyWithin(at + size, at + 1, this.pos);
    this.pos += size - 1;
    let v = len;
    while (v > 0x7f) {
      buf[at++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    buf[at] = v;
  }

  /** The bytes written since `start`, copied out. */
  copy(start: number): Uint8Array {
    return this.buf.slice(start, this.pos);
  }
}

/** `m` as an object whose properties are fields, or {@link bail} (arrays, typed arrays, null, scalars). */
export function message(m: unknown): Record<string, unknown> {
  if (typeof m !== 'object' || m === null || Array.isArray(m) || ArrayBuffer.isView(m)) bail();
  return m as Record<string, unknown>;
}

/** `v` as a list, or {@link bail}. */
export function list(v: unknown): readonly unknown[] {
  if (!Array.isArray(v)) bail();
  return v;
}

/** A map's keys in Go's order (bytewise UTF-8); keys with surrogates {@link bail}. */
export function sortedKeys(map: Record<string, unknown>): string[] {
  const keys = Object.keys(map);
  if (keys.length < 2) return keys;
  for (let i = 0; i < keys.length; i++) if (SURROGATE.test(keys[i])) bail();
  // Without surrogates, UTF-16 code unit order is code point order, which is UTF-8 byte order.
  return keys.sort();
}

/** Unknown fields kept from a decode: raw bytes written after the known fields. */
export function unknownFields(w: FastWriter, v: unknown): void {
  const items = list(v);
  for (let i = 0; i < items.length; i++) {
    if (!(items[i] instanceof Uint8Array)) bail();
  }
  for (let i = 0; i < items.length; i++) w.raw(items[i] as Uint8Array);
}

/**
 * How often {@link encodeFast} and {@link encodeMessageFast} handed a message to the reflective
 * encoder (for tests: never on valid ops), and how often the graph encoder handed a vertex from
 * the direct op writer (write-op.ts) to the general path.
 */
export const fastStats = { fallbacks: 0, directFallbacks: 0 };

/** One writer for every call: encoding never re-enters {@link encodeFast}. */
const shared = new FastWriter();

/** A generated encoder: writes `m` as one message type to `w`, or {@link bail}s. */
export type MessageEncoder = (w: FastWriter, m: unknown) => void;

/**
 * Serializes `input` with `encode` (a generated encoder, or a writer built on them), exactly as the
 * reflective `encodeMessage(type, toMessage(input))` would; anything the fast path does not take
 * goes to the reflective encoder (which throws the located error when a value is wrong).
 */
export function encodeFast<N extends MessageName, T>(
  type: N,
  encode: (w: FastWriter, input: T) => void,
  input: T,
  toMessage: (input: T) => Messages[N],
): Uint8Array {
  const w = shared;
  w.pos = 0;
  try {
    encode(w, input);
  } catch {
    fastStats.fallbacks++;
    return encodeMessage(type, toMessage(input));
  }
  const out = w.copy(0);
  // Do not keep a huge buffer alive after an unusually large message.
  if (w.buf.length > 1 << 24) w.buf = new Uint8Array(1 << 16);
  return out;
}

/**
 * The writer of {@link encodeMessageFast}: each message is left where it was written and handed
 * out as a view, so the many small ops of a graph cost no copy and no buffer of their own; a
 * fresh chunk is started when the current one is nearly full (or grew large for one message).
 */
const arena = new FastWriter(ARENA_CHUNK);

/**
 * encodeFast for a message given as its pb object, returning a view into a shared chunk (never
 * written again). For the many small messages of a graph (its ops).
 */
export function encodeMessageFast<N extends MessageName>(type: N, encode: MessageEncoder, msg: Messages[N]): Uint8Array {
  const out = writeToArena(encode, msg, undefined);
  if (out !== undefined) return out;
  fastStats.fallbacks++;
  return encodeMessage(type, msg);
}

/**
 * Runs `write(w, a, b)` on {@link encodeMessageFast}'s writer and returns what it wrote (a view,
 * as there); when it throws (it gave up, or met a value it cannot take), rewinds and returns
 * `undefined`: the caller then takes its general path, which writes the same bytes or throws the
 * located error.
 */
export function writeToArena<A, B>(write: (w: FastWriter, a: A, b: B) => void, a: A, b: B): Uint8Array | undefined {
  const w = arena;
  if (w.buf.length - w.pos < ARENA_HEADROOM) {
    w.buf = new Uint8Array(ARENA_CHUNK);
    w.pos = 0;
  }
  const start = w.pos;
  try {
    write(w, a, b);
  } catch {
    w.pos = start;
    return undefined;
  }
  const out = w.buf.subarray(start, w.pos);
  if (w.buf.length > ARENA_CHUNK * 16) w.pos = w.buf.length;
  return out;
}
