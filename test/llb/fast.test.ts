/**
 * The generated encoders (encoders.generated.ts, the compile path) against the reflective codec,
 * the reference: on every op and Definition of the corpora they write the same bytes without
 * giving up, and on values mutated at random they either write exactly the reflective codec's
 * bytes or give up, never anything else; through encodeFast the result (bytes or error) is always
 * the reflective codec's.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LlbEncodeError } from '../../src/errors';
import { type Definition, definitionToPb, readDefinition, writeDefinition } from '../../src/llb/definition';
import { decodeGraph, encodeGraph, encodeGraphToBytes, sortByDigest } from '../../src/llb/marshal';
import { decodeMessage, encodeMessage, type MessageName, type PbMessage } from '../../src/llb/pb/codec';
import { encoders } from '../../src/llb/pb/encoders.generated';
import { encodeMessageFast, FastWriter, fastStats, type MessageEncoder } from '../../src/llb/pb/fast';
import { join } from 'node:path';
import { compile } from '../../src/compile';
import { allDefinitions, caseCompileOptions, definitionCases, hasGolden, resolverOf } from '../helpers/corpus';
import { randInt, rng } from '../helpers/random';
import { candidates } from './mutation-values';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const definitions = allDefinitions().map((d) => new Uint8Array(readFileSync(d.pb)));

/** Runs a generated encoder alone: its bytes, or what it threw. */
function fast(encode: MessageEncoder, msg: unknown): { bytes?: Uint8Array; error?: unknown } {
  const w = new FastWriter(16);
  try {
    encode(w, msg);
    return { bytes: w.copy(0) };
  } catch (error) {
    return { error };
  }
}

function reflective(type: MessageName, msg: unknown): { bytes?: Uint8Array; error?: unknown } {
  try {
    return { bytes: encodeMessage(type, msg as never) };
  } catch (error) {
    return { error };
  }
}


describe('generated encoders', () => {
  it('write every op and Definition of the corpora as the reflective codec does, without giving up', () => {
    let ops = 0;
    for (const bytes of definitions) {
      const def = decodeMessage('Definition', bytes);
      const d = fast(encoders.Definition, def);
      expect(d.error).toBeUndefined();
      expect(hex(d.bytes!)).toBe(hex(encodeMessage('Definition', def)));
      for (const op of readDefinition(bytes).def) {
        const o = fast(encoders.Op, decodeMessage('Op', op));
        expect(o.error).toBeUndefined();
        expect(hex(o.bytes!)).toBe(hex(op));
        ops++;
      }
    }
    expect(ops).toBeGreaterThan(hasGolden ? 2000 : 100);
  });

  it('take every op the graph encoder builds from the corpora (no fallback on the compile path)', () => {
    const before = fastStats.fallbacks;
    for (const bytes of definitions) {
      const def = readDefinition(bytes);
      const { definition } = encodeGraph(decodeGraph(def));
      expect(definition.def.map(hex)).toEqual(def.def.map(hex));
      writeDefinition(definition);
    }
    expect(fastStats.fallbacks - before).toBe(0);
  });

  it('take every graph the frontend builds for the corpora (compile never falls back)', async () => {
    const before = fastStats.fallbacks;
    const cases = definitionCases();
    for (const c of cases) {
      await compile(readFileSync(join(c.dir, 'Dockerfile')), { resolver: resolverOf(c), ...caseCompileOptions(c) });
    }
    expect(cases.length).toBeGreaterThan(100);
    expect(fastStats.fallbacks - before).toBe(0);
  });

  it('on mutated messages: the reflective bytes or a give-up, and encodeFast always answers as the reflective codec', () => {
    const r = rng(7);
    const samples: { type: MessageName; msg: PbMessage }[] = [];
    for (const bytes of definitions.slice(0, 40)) {
      samples.push({ type: 'Definition', msg: decodeMessage('Definition', bytes) });
      for (const op of readDefinition(bytes).def) samples.push({ type: 'Op', msg: decodeMessage('Op', op) });
    }
    let same = 0;
    let gaveUp = 0;
    for (let i = 0; i < 4000; i++) {
      const { type, msg } = samples[randInt(r, samples.length)];
      const copy = structuredClone(msg);
      // Every object or array inside the message, with its keys: one of them gets a new value.
      const holders: Record<string, unknown>[] = [];
      const walk = (x: unknown) => {
        if (typeof x !== 'object' || x === null || x instanceof Uint8Array) return;
        holders.push(x as Record<string, unknown>);
        for (const v of Object.values(x)) walk(v);
      };
      walk(copy);
      for (let k = 1 + randInt(r, 2); k > 0; k--) {
        const h = holders[randInt(r, holders.length)];
        const keys = Object.keys(h);
        const key = keys.length && randInt(r, 5) > 0 ? keys[randInt(r, keys.length)] : ['extra', 'index', 'attrs', '0'][randInt(r, 4)];
        h[key] = candidates[randInt(r, candidates.length)]();
      }
      const f = fast(encoders[type], copy);
      const ref = reflective(type, copy);
      if (f.error === undefined) {
        expect(ref.error).toBeUndefined();
        expect(hex(f.bytes!)).toBe(hex(ref.bytes!));
        same++;
      } else {
        gaveUp++;
      }
      let viaFast: { bytes?: Uint8Array; error?: unknown };
      try {
        viaFast = { bytes: encodeMessageFast(type, encoders[type], copy as never) };
      } catch (error) {
        viaFast = { error };
      }
      if (ref.error === undefined) expect(hex(viaFast.bytes!)).toBe(hex(ref.bytes!));
      else {
        expect(viaFast.error).toBeInstanceOf(LlbEncodeError);
        expect((viaFast.error as Error).message).toBe((ref.error as Error).message);
      }
    }
    expect(same).toBeGreaterThan(150);
    expect(gaveUp).toBeGreaterThan(300);
  });
});

/** Every object or array inside `x` (byte arrays aside). */
function holdersOf(x: unknown, out: Record<string, unknown>[] = []): Record<string, unknown>[] {
  if (typeof x !== 'object' || x === null || x instanceof Uint8Array) return out;
  out.push(x as Record<string, unknown>);
  for (const v of Object.values(x)) holdersOf(v, out);
  return out;
}

describe('the Definition writer (typed Definition to bytes)', () => {
  it('writes the graph encoder\'s Definitions of the corpora without giving up, and encodeGraphToBytes writes the same bytes', () => {
    const before = fastStats.fallbacks;
    for (const bytes of definitions) {
      const graph = decodeGraph(readDefinition(bytes));
      const { definition } = encodeGraph(graph);
      const want = hex(encodeMessage('Definition', definitionToPb(definition)));
      expect(hex(writeDefinition(definition))).toBe(want);
      expect(hex(encodeGraphToBytes(graph).bytes)).toBe(want);
    }
    expect(fastStats.fallbacks - before).toBe(0);
  });

  it('on mutated metadata and source maps: the reflective codec\'s bytes or its error, and the fast path takes most', () => {
    const r = rng(11);
    const samples = definitions.slice(0, 60).map((b) => readDefinition(b));
    let fastWrote = 0;
    let gaveUp = 0;
    for (let i = 0; i < 3000; i++) {
      const def = structuredClone(samples[randInt(r, samples.length)]) as { -readonly [K in keyof Definition]: Definition[K] };
      const holders = holdersOf([def.metadata, def.source?.locations]);
      for (let k = 1 + randInt(r, 2); k > 0; k--) {
        const h = holders[randInt(r, holders.length)];
        const keys = Object.keys(h);
        const key = keys.length && randInt(r, 5) > 0 ? keys[randInt(r, keys.length)] : ['extra', 'caps', 'description', 'line', '0'][randInt(r, 5)];
        h[key] = candidates[randInt(r, candidates.length)]();
      }
      let want: { bytes?: string; error?: unknown };
      try {
        want = { bytes: hex(encodeMessage('Definition', definitionToPb(def))) };
      } catch (error) {
        want = { error };
      }
      const before = fastStats.fallbacks;
      let got: { bytes?: string; error?: unknown };
      try {
        got = { bytes: hex(writeDefinition(def)) };
      } catch (error) {
        got = { error };
      }
      if (fastStats.fallbacks === before) fastWrote++;
      else gaveUp++;
      if (want.error === undefined) expect(got.bytes).toBe(want.bytes);
      else {
        expect(got.error).toBeInstanceOf((want.error as Error).constructor);
        expect((got.error as Error).message).toBe((want.error as Error).message);
      }
    }
    expect(fastWrote).toBeGreaterThan(300);
    expect(gaveUp).toBeGreaterThan(300);
  });
});

describe('sortByDigest (the order of the Definition maps)', () => {
  it('sorts digests as Go orders map keys (bytewise), shared prefixes and other forms included', () => {
    const r = rng(5);
    const hexDigits = '0123456789abcdef';
    const digest = (prefix: string) => {
      let s = `sha256:${prefix}`;
      while (s.length < 71) s += hexDigits[randInt(r, 16)];
      return s;
    };
    for (let round = 0; round < 50; round++) {
      const digests: string[] = [];
      const prefixes = ['', '0000000', 'ffffffff', 'abcdef01', '9'];
      for (let i = 0, n = randInt(r, 300); i < n; i++) digests.push(digest(prefixes[randInt(r, prefixes.length)]));
      // Now and then a digest of another form: the whole list is then compared as strings.
      if (round % 10 === 0) digests.push('sha256:ABCDEF', 'sha512:00', '');
      const want = [...digests].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
      expect(sortByDigest(digests.map((d) => ({ digest: d }))).map((e) => e.digest)).toEqual(want);
    }
  });
});
