/**
 * Hostile input: mutated golden Definitions and random bytes must produce either a valid result
 * or a DefinitionDecodeError with a code; never another exception, a hang or a huge allocation.
 */
import { describe, expect, it } from 'vitest';
import { DefinitionDecodeError } from '../../src/errors';
import { readDefinition, writeDefinition } from '../../src/llb/definition';
import type { FileAction, Vertex } from '../../src/graph/types';
import { dumpDefinition } from '../../src/llb/dump';
import { decodeGraph, encodeGraph } from '../../src/llb/marshal';
import { readFileSync } from 'node:fs';
import { allDefinitions } from '../helpers/corpus';
import { randInt, rng } from '../helpers/random';

function mutate(r: () => number, src: Uint8Array): Uint8Array {
  const b = Array.from(src);
  const n = 1 + randInt(r, 4);
  for (let i = 0; i < n; i++) {
    const at = randInt(r, Math.max(1, b.length));
    switch (randInt(r, 6)) {
      case 0: // flip a bit
        b[at] ^= 1 << randInt(r, 8);
        break;
      case 1: // truncate
        b.length = at;
        break;
      case 2: // insert random bytes
        b.splice(at, 0, ...Array.from({ length: 1 + randInt(r, 8) }, () => randInt(r, 256)));
        break;
      case 3: // delete a run
        b.splice(at, 1 + randInt(r, 16));
        break;
      case 4: // a huge varint where a length may be
        b.splice(at, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f);
        break;
      default: // overwrite with a wire-type-heavy byte
        b[at] = [0x0a, 0x12, 0x1a, 0x0b, 0x0c, 0x08, 0x00, 0x80][randInt(r, 8)];
    }
  }
  return new Uint8Array(b);
}

/** `ok`, or the error's code. */
function check(input: Uint8Array): string {
  try {
    const def = readDefinition(input);
    dumpDefinition(def);
    encodeGraph(decodeGraph(def));
    return 'ok';
  } catch (e) {
    if (e instanceof DefinitionDecodeError) {
      expect(e.code).toMatch(/^E_(PB|LLB)_/);
      expect(e.location.kind).toBe('bytes');
      return e.code;
    }
    throw e;
  }
}

describe('readDefinition and decodeGraph on hostile bytes', () => {
  const seeds = allDefinitions().map((d) => new Uint8Array(readFileSync(d.pb)));

  it('mutated Definitions of the corpora: 6000 inputs', () => {
    const r = rng(0xc0ffee);
    const codes = new Map<string, number>();
    for (let i = 0; i < 6000; i++) {
      const out = check(mutate(r, seeds[randInt(r, seeds.length)]));
      codes.set(out, (codes.get(out) ?? 0) + 1);
    }
    // The mutations really exercise the error paths.
    expect(codes.size).toBeGreaterThan(4);
  });

  it('random bytes: 4000 inputs', () => {
    const r = rng(42);
    for (let i = 0; i < 4000; i++) {
      check(new Uint8Array(Array.from({ length: randInt(r, 200) }, () => randInt(r, 256))));
    }
  });

  it('mutated single ops inside an intact envelope', () => {
    const r = rng(7);
    for (let i = 0; i < 1500; i++) {
      const def = readDefinition(seeds[randInt(r, seeds.length)]);
      const k = randInt(r, def.def.length);
      const ops = def.def.map((op, j) => (j === k ? mutate(r, op) : op));
      try {
        encodeGraph(decodeGraph({ ...def, def: ops }));
      } catch (e) {
        if (!(e instanceof DefinitionDecodeError)) throw e;
      }
    }
  });

  it('a length prefix claiming gigabytes fails fast without allocating', () => {
    const input = new Uint8Array([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 1, 2, 3]);
    expect(() => readDefinition(input)).toThrow(DefinitionDecodeError);
  });

  it('deeply chained ops encode and decode without recursion limits', () => {
    // 20,000 ops in a chain is far beyond any Dockerfile, and must not overflow the stack.
    let v: Vertex = { kind: 'source', identifier: 'docker-image://docker.io/library/alpine:latest', attrs: {}, inputs: [] };
    for (let i = 0; i < 20000; i++) {
      const action: FileAction = {
        input: 0,
        secondaryInput: -1,
        output: 0,
        action: { kind: 'mkdir', path: `/d${i}`, mode: 0o755, makeParents: false, timestamp: -1n },
      };
      v = { kind: 'file', inputs: [{ vertex: v, index: 0 }], actions: [action], constraints: { filter: [] } };
    }
    const { definition } = encodeGraph({ root: { vertex: v, index: 0 }, sources: [] });
    expect(definition.def).toHaveLength(20002);
    const back = encodeGraph(decodeGraph(readDefinition(writeDefinition(definition)))).definition;
    expect(back.def).toEqual(definition.def);
  });
});
