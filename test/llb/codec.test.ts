/** The writer's and reader's edge cases, checked against hand-computed protobuf bytes. */
import { LlbEncodeError } from '../../src/errors';
import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage, UNKNOWN_FIELDS } from '../../src/llb/pb/codec';
import { compareGoStrings } from '../../src/util/gounicode';
import { DefinitionDecodeError } from '../../src/errors';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const bytes = (h: string) => new Uint8Array(Buffer.from(h.replace(/\s+/g, ''), 'hex'));

describe('encoder', () => {
  it('omits proto3 zero values', () => {
    expect(hex(encodeMessage('Meta', { args: [], env: [], cwd: '', user: '', removeMountStubsRecursive: false }))).toBe('');
    expect(hex(encodeMessage('Input', { digest: '', index: 0n }))).toBe('');
  });

  it('writes -1 as a 10-byte varint, for int64 and for int32', () => {
    // FileActionCopy.mode (int32, field 4) and .timestamp (int64, field 11)
    expect(hex(encodeMessage('FileActionCopy', { mode: -1, timestamp: -1n }))).toBe(
      '20ffffffffffffffffff01' + '58ffffffffffffffffff01',
    );
    expect(hex(encodeMessage('Mount', { input: -1n, output: -1n }))).toBe('08ffffffffffffffffff01' + '20ffffffffffffffffff01');
  });

  it('writes large unsigned and positive varints minimally', () => {
    expect(hex(encodeMessage('Input', { index: 300n }))).toBe('10ac02');
    expect(hex(encodeMessage('SecretOpt', { uid: 0xffffffff }))).toBe('10ffffffff0f');
    expect(hex(encodeMessage('TmpfsOpt', { size: 2n ** 62n }))).toBe('08808080808080808040');
  });

  it('keeps empty sub-messages (presence), unlike zero scalars', () => {
    // Op.constraints = {} is written as tag 0x5a + length 0.
    expect(hex(encodeMessage('Op', { constraints: {} }))).toBe('5a00');
    expect(hex(encodeMessage('Op', {}))).toBe('');
  });

  it('writes regular fields by number, then the oneof member (Go order)', () => {
    const op = { inputs: [{ digest: 'd' }], file: { actions: [] }, constraints: {}, platform: { OS: 'linux' } };
    // inputs(1) platform(10) constraints(11) then file(4)
    expect(hex(encodeMessage('Op', op))).toBe('0a030a0164' + '52' + '0712056c696e7578' + '5a00' + '2200');
  });

  it('writes a oneof member even when it is zero', () => {
    expect(hex(encodeMessage('UserOpt', { byID: 0 }))).toBe('1000');
    expect(hex(encodeMessage('UserOpt', {}))).toBe('');
  });

  it('rejects two members of one oneof', () => {
    // @ts-expect-error the message types allow one member of a oneof
    expect(() => encodeMessage('Op', { exec: {}, file: {} })).toThrow(/oneof op/);
  });

  it('sorts map entries bytewise by key and writes key and value even when zero', () => {
    const msg = { attrs: { b: '2', a: '', 'a.b': '1' } };
    // entries: "a"→"" , "a.b"→"1", "b"→"2"
    expect(hex(encodeMessage('SourceOp', msg))).toBe(
      '1205' + '0a0161' + '1200' + '1208' + '0a03612e62' + '120131' + '1206' + '0a0162' + '120132',
    );
    expect(hex(encodeMessage('OpMetadata', { caps: { z: true, a: false } }))).toBe('2a05' + '0a0161' + '1000' + '2a05' + '0a017a' + '1001');
  });

  it('orders map keys by UTF-8 bytes, not UTF-16 code units', () => {
    // U+FF5E (3 UTF-8 bytes: ef bd 9e) sorts before U+1F600 (4 bytes: f0 …) in UTF-8,
    // while in UTF-16 the surrogate pair d83d… sorts before ff5e.
    const a = '\uff5e';
    const b = '\u{1f600}';
    expect(compareGoStrings(a, b)).toBeLessThan(0);
    expect(a < b).toBe(false);
    const out = hex(encodeMessage('SourceOp', { attrs: { [b]: 'x', [a]: 'y' } }));
    expect(out.indexOf('efbd9e')).toBeLessThan(out.indexOf('f09f9880'));
  });

  it('distinguishes bytes from strings', () => {
    const data = new Uint8Array([0xff, 0x00, 0x80]);
    expect(hex(encodeMessage('FileActionMkFile', { data }))).toBe('1a03ff0080');
    // @ts-expect-error data is bytes
    expect(() => encodeMessage('FileActionMkFile', { data: 'text' })).toThrow(LlbEncodeError);
    // @ts-expect-error path is a string
    expect(() => encodeMessage('FileActionMkFile', { path: data })).toThrow(LlbEncodeError);
    expect(decodeMessage('FileActionMkFile', bytes('1a03ff0080')).data).toEqual(data);
  });

  it('packs repeated numbers, and reads both packed and unpacked forms', () => {
    expect(hex(encodeMessage('Meta', { validExitCodes: [0, 1, -1] }))).toBe('620c' + '00' + '01' + 'ffffffffffffffffff01');
    expect(decodeMessage('Meta', bytes('6203000102')).validExitCodes).toEqual([0, 1, 2]);
    expect(decodeMessage('Meta', bytes('6000 6001 6002')).validExitCodes).toEqual([0, 1, 2]);
  });

  it('writes repeated strings one field each, empty strings included', () => {
    expect(hex(encodeMessage('Meta', { args: ['a', ''] }))).toBe('0a0161' + '0a00');
  });
});

describe('decoder', () => {
  it('keeps unknown fields and writes them back after the known ones', () => {
    const input = bytes('0a0164' + '1001' + 'a006' + '07');
    const msg = decodeMessage('Input', input);
    expect(msg.digest).toBe('d');
    expect(msg[UNKNOWN_FIELDS]).toHaveLength(1);
    expect(hex(encodeMessage('Input', msg))).toBe(hex(input));
  });

  it('lets the last member of a oneof win, as protobuf runtimes do', () => {
    const msg = decodeMessage('UserOpt', bytes('1005' + '0a030a0161'));
    expect(msg.byName).toEqual({ name: 'a' });
    expect(msg.byID).toBeUndefined();
  });

  it.each([
    ['truncated varint', '1080', 'E_PB_TRUNCATED'],
    ['varint over 10 bytes', '10ffffffffffffffffffff01', 'E_PB_VARINT'],
    ['length past the end', '0a05616263', 'E_PB_LENGTH'],
    ['field number 0', '0001', 'E_PB_FIELD'],
    ['group wire type', '0b', 'E_PB_WIRETYPE'],
    ['wrong wire type for a string', '0801', 'E_PB_WIRETYPE'],
    ['invalid UTF-8 in a string', '0a02c328', 'E_PB_UTF8'],
    ['a 2^60 length prefix', '0a808080808080808010', 'E_PB_LENGTH'],
  ])('rejects %s', (_name, h, code) => {
    try {
      decodeMessage('Input', bytes(h));
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(DefinitionDecodeError);
      expect((e as DefinitionDecodeError).code).toBe(code);
      expect((e as DefinitionDecodeError).location.kind).toBe('bytes');
    }
  });

  it('limits nesting depth', () => {
    // Definition.Source.infos[].definition.Source.infos[]… nested 100 deep.
    let inner = new Uint8Array(0);
    for (let i = 0; i < 100; i++) {
      const info = encodeMessage('SourceInfo', {});
      const infoWithDef = new Uint8Array([0x1a, ...varint(inner.length), ...inner, ...info]);
      const source = new Uint8Array([0x12, ...varint(infoWithDef.length), ...infoWithDef]);
      inner = new Uint8Array([0x1a, ...varint(source.length), ...source]);
    }
    expect(() => decodeMessage('Definition', inner)).toThrow(expect.objectContaining({ code: 'E_PB_DEPTH' }));
  });
});

function varint(n: number): number[] {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return out;
}
