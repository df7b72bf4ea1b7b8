/**
 * Protobuf wire primitives: a growable writer and a bounds-checked reader.
 *
 * The reader never trusts a length prefix: every length is checked against the bytes that are
 * actually left before anything is allocated, so hostile input cannot make it allocate more
 * than its own size. Every failure is a {@link DefinitionDecodeError} with a byte offset.
 */
import { type DecodeErrorCode, DefinitionDecodeError } from '../../errors.js';

/**
 * Wire types of the protobuf encoding. A plain object rather than an `enum`: the wire type read
 * from a tag is any number 0-7, and comparing it with these needs no cast.
 */
export const WireType = {
  Varint: 0,
  Fixed64: 1,
  LengthDelimited: 2,
  StartGroup: 3,
  EndGroup: 4,
  Fixed32: 5,
} as const;
/** One of {@link WireType}'s values. */
export type WireType = (typeof WireType)[keyof typeof WireType];

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder('utf-8', { fatal: true });

/** Appends protobuf primitives to a growing byte buffer. */
export class Writer {
  private buf: Uint8Array;
  private pos = 0;
  /** Start offsets of the open length-delimited fields (see {@link fork}). */
  private readonly forks: number[] = [];

  constructor(initialSize = 256) {
    this.buf = new Uint8Array(initialSize);
  }

  private ensure(extra: number): void {
    const need = this.pos + extra;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  /** Writes a field key (number and wire type). */
  tag(fieldNo: number, wireType: WireType): this {
    return this.uint32((fieldNo << 3) | wireType);
  }

  /** Writes an unsigned 32-bit varint. */
  uint32(value: number): this {
    this.ensure(5);
    let v = value >>> 0;
    while (v > 0x7f) {
      this.buf[this.pos++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.buf[this.pos++] = v;
    return this;
  }

  /** Writes a signed 32-bit varint; negatives take 10 bytes, as the protobuf spec requires. */
  int32(value: number): this {
    if (value >= 0) return this.uint32(value);
    if (value === -1) return this.raw(MINUS_ONE);
    return this.uint64(BigInt.asUintN(64, BigInt(value | 0)));
  }

  /** Writes a 64-bit varint given as a (possibly negative) bigint; negatives take 10 bytes. */
  int64(value: bigint): this {
    if (value === -1n) return this.raw(MINUS_ONE);
    if (value >= 0n && value <= 0xffffffffn) return this.uint32(Number(value));
    return this.uint64(BigInt.asUintN(64, value));
  }

  /** Writes an unsigned 64-bit varint. */
  uint64(value: bigint): this {
    let v = BigInt.asUintN(64, value);
    if (v <= 0xffffffffn) return this.uint32(Number(v));
    this.ensure(10);
    while (v > 0x7fn) {
      this.buf[this.pos++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.buf[this.pos++] = Number(v);
    return this;
  }

  bool(value: boolean): this {
    this.ensure(1);
    this.buf[this.pos++] = value ? 1 : 0;
    return this;
  }

  /** Writes raw bytes with a varint length prefix. */
  bytes(value: Uint8Array): this {
    this.uint32(value.length);
    return this.raw(value);
  }

  /** Writes a UTF-8 string with a varint length prefix. */
  string(value: string): this {
    // Optimistic ASCII path: one pass copying code units straight into the buffer; a non-ASCII
    // character rewinds and falls back to TextEncoder.
    const n = value.length;
    const start = this.pos;
    this.uint32(n);
    this.ensure(n);
    const buf = this.buf;
    let pos = this.pos;
    for (let i = 0; i < n; i++) {
      const c = value.charCodeAt(i);
      if (c > 0x7f) {
        this.pos = start;
        return this.bytes(textEncoder.encode(value));
      }
      buf[pos++] = c;
    }
    this.pos = pos;
    return this;
  }

  /** Appends bytes as they are (no prefix). */
  raw(value: Uint8Array): this {
    this.ensure(value.length);
    this.buf.set(value, this.pos);
    this.pos += value.length;
    return this;
  }

  /**
   * Opens a length-delimited field whose content is written next; {@link join} closes it.
   * One byte is reserved for the length and the content is moved when it needs more.
   */
  fork(): this {
    this.ensure(1);
    this.forks.push(this.pos);
    this.pos++;
    return this;
  }

  /** Closes the innermost {@link fork}, writing its length prefix. */
  join(): this {
    const start = this.forks.pop()!;
    const len = this.pos - start - 1;
    if (len < 0x80) {
      this.buf[start] = len;
      return this;
    }
    let size = 1;
    for (let v = len >>> 7; v > 0; v >>>= 7) size++;
    this.ensure(size - 1);
    this.buf.copyWithin(start + size, start + 1, this.pos);
    this.pos += size - 1;
    let v = len;
    let at = start;
    while (v > 0x7f) {
      this.buf[at++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.buf[at] = v;
    return this;
  }

  /** Empties the writer for reuse (keeps its buffer). */
  reset(): this {
    this.pos = 0;
    this.forks.length = 0;
    return this;
  }

  /** The bytes written so far (a copy that the writer no longer touches). */
  finish(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }
}

/** -1 as a 10-byte varint. */
const MINUS_ONE = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);

/** Reads protobuf primitives from a byte range, failing with typed errors. */
export class Reader {
  pos: number;
  readonly end: number;

  /**
   * @param buf - the whole buffer (offsets in errors are relative to its start plus `base`)
   * @param start - first byte to read
   * @param end - one past the last byte to read
   * @param base - offset of `buf[0]` within the outermost input, for error locations
   * @param path - the message path being decoded, for error locations
   */
  constructor(
    readonly buf: Uint8Array,
    start = 0,
    end = buf.length,
    readonly base = 0,
    public path = '',
  ) {
    this.pos = start;
    this.end = end;
  }

  fail(code: DecodeErrorCode, message: string, at = this.pos): never {
    throw new DefinitionDecodeError(code, `${message} at byte ${this.base + at}${this.path ? ` (${this.path})` : ''}`, {
      kind: 'bytes',
      offset: this.base + at,
      path: this.path,
    });
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  /** Reads a varint of at most 10 bytes as an unsigned 64-bit bigint. */
  uint64(): bigint {
    const start = this.pos;
    let lo = 0;
    let shift = 0;
    // Fast path: up to 4 bytes fit in 28 bits.
    for (; shift < 28; shift += 7) {
      if (this.pos >= this.end) this.fail('E_PB_TRUNCATED', 'truncated varint', start);
      const b = this.buf[this.pos++];
      lo |= (b & 0x7f) << shift;
      if (b < 0x80) return BigInt(lo >>> 0);
    }
    let result = BigInt(lo >>> 0);
    let bigShift = 28n;
    for (let i = 4; i < 10; i++) {
      if (this.pos >= this.end) this.fail('E_PB_TRUNCATED', 'truncated varint', start);
      const b = this.buf[this.pos++];
      result |= BigInt(b & 0x7f) << bigShift;
      bigShift += 7n;
      if (b < 0x80) {
        if (i === 9 && b > 1) this.fail('E_PB_VARINT', 'varint overflows 64 bits', start);
        return BigInt.asUintN(64, result);
      }
    }
    return this.fail('E_PB_VARINT', 'varint longer than 10 bytes', start);
  }

  /** Reads a varint and keeps its low 32 bits, as an unsigned number. */
  uint32(): number {
    // Fast path for the common small values.
    if (this.pos < this.end && this.buf[this.pos] < 0x80) return this.buf[this.pos++];
    return Number(BigInt.asUintN(32, this.uint64()));
  }

  /** Reads a varint as a signed 32-bit number (two's complement of its low 32 bits). */
  int32(): number {
    return this.uint32() | 0;
  }

  int64(): bigint {
    return BigInt.asIntN(64, this.uint64());
  }

  bool(): boolean {
    return this.uint64() !== 0n;
  }

  /** Reads a length prefix and checks it against the bytes left. Returns the end offset. */
  length(): number {
    const start = this.pos;
    const n = this.uint64();
    if (n > BigInt(this.end - this.pos)) {
      this.fail('E_PB_LENGTH', `length ${n} exceeds the ${this.end - this.pos} bytes left`, start);
    }
    return this.pos + Number(n);
  }

  bytes(): Uint8Array {
    const end = this.length();
    const out = this.buf.slice(this.pos, end);
    this.pos = end;
    return out;
  }

  string(): string {
    const start = this.pos;
    const end = this.length();
    let s: string;
    try {
      s = textDecoder.decode(this.buf.subarray(this.pos, end));
    } catch {
      this.fail('E_PB_UTF8', 'string field is not valid UTF-8', start);
    }
    this.pos = end;
    return s;
  }

  /** Reads a field key. */
  tag(): { fieldNo: number; wireType: number; start: number } {
    const start = this.pos;
    const key = this.uint64();
    const fieldNo = Number(key >> 3n);
    const wireType = Number(key & 7n);
    if (fieldNo === 0 || fieldNo > 0x1fffffff) this.fail('E_PB_FIELD', `invalid field number ${fieldNo}`, start);
    return { fieldNo, wireType, start };
  }

  /** Skips the value of a field of the given wire type. Groups are rejected (LLB has none). */
  skip(wireType: number): void {
    switch (wireType) {
      case WireType.Varint:
        this.uint64();
        return;
      case WireType.Fixed64:
        this.advance(8);
        return;
      case WireType.LengthDelimited:
        this.pos = this.length();
        return;
      case WireType.Fixed32:
        this.advance(4);
        return;
      default:
        this.fail('E_PB_WIRETYPE', `unsupported wire type ${wireType}`);
    }
  }

  private advance(n: number): void {
    if (this.end - this.pos < n) this.fail('E_PB_TRUNCATED', `truncated fixed-width field`);
    this.pos += n;
  }
}
