/**
 * The direct op writer (write-op.ts) against the general path (vertexToOp, then the op message
 * encoded by the reflective codec, the reference): over every op of the fixture and golden
 * corpora it writes the same bytes, taking the common ops itself; on vertices mutated at random it
 * either writes exactly those bytes or gives up, and the graph encoder then gives the general
 * path's bytes or its error; unusual vertices are handed over to the general path.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LlbEncodeError } from '../../src/errors';
import type { Vertex } from '../../src/graph/types';
import { readDefinition } from '../../src/llb/definition';
import { decodeGraph, VertexEncoder } from '../../src/llb/marshal';
import { vertexToOp } from '../../src/llb/op';
import { encodeMessage } from '../../src/llb/pb/codec';
import { FastWriter, fastStats } from '../../src/llb/pb/fast';
import { writeVertexOp } from '../../src/llb/write-op';
import { allDefinitions } from '../helpers/corpus';
import { randInt, rng } from '../helpers/random';
import { candidates } from './mutation-values';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** Every vertex of the corpora's Definitions, with the digests of the vertices it points at. */
const corpus = allDefinitions().map((d) => decodeGraph(readDefinition(new Uint8Array(readFileSync(d.pb)))));
const vertices: Vertex[] = corpus.flatMap((g) => [...g.vertices.values()]);
const digestOf = (v: Vertex): string => {
  for (const g of corpus) {
    const d = g.digests.get(v);
    if (d !== undefined) return d;
  }
  throw new Error('a vertex outside the corpus');
};

/** The direct writer alone: its bytes, or undefined when it gave up (or threw). */
function direct(v: Vertex, digests: (v: Vertex) => string = digestOf): string | undefined {
  const w = new FastWriter(16);
  try {
    writeVertexOp(w, v, digests);
  } catch {
    return undefined;
  }
  return hex(w.copy(0));
}

/** The general path with the reflective codec: bytes, or the error. */
function general(v: Vertex, digests: (v: Vertex) => string = digestOf): { bytes?: string; error?: unknown } {
  try {
    return { bytes: hex(encodeMessage('Op', vertexToOp(v, digests))) };
  } catch (error) {
    return { error };
  }
}

describe('the direct op writer', () => {
  it('writes the bytes of every op of the corpora it takes, and takes every source, exec, file and merge op there', () => {
    expect(vertices.length).toBeGreaterThan(100);
    const taken = new Map<string, number>();
    for (const v of vertices) {
      const want = general(v).bytes;
      const got = direct(v);
      if (got !== undefined) {
        expect(got).toBe(want);
        taken.set(v.kind, (taken.get(v.kind) ?? 0) + 1);
      } else {
        // What it hands over is unusual: a diff or build op, or exec options it does not write.
        const unusual =
          v.kind === 'diff' ||
          v.kind === 'build' ||
          (v.kind === 'exec' &&
            (v.secretEnv.length > 0 || v.cdiDevices.length > 0 || v.meta.proxyEnv !== undefined || !!v.meta.extraHosts?.length || !!v.meta.ulimits?.length || !!v.meta.validExitCodes?.length));
        expect(unusual, `${v.kind} op not taken`).toBe(true);
      }
    }
    for (const kind of ['source', 'exec', 'file']) expect(taken.get(kind) ?? 0).toBeGreaterThan(10);
  });

  it('hands an unusual vertex to the general path, which writes the same bytes through the graph encoder', () => {
    const exec = vertices.find((v) => v.kind === 'exec' && v.secretEnv.length === 0)!;
    const withProxy = { ...exec, meta: { ...(exec as Extract<Vertex, { kind: 'exec' }>).meta, proxyEnv: { httpProxy: 'http://proxy' } } } as Vertex;
    expect(direct(withProxy)).toBeUndefined();
    const before = fastStats.directFallbacks;
    const encoded = new VertexEncoder();
    // The inputs first (by the encoder's own walk), then the vertex: same bytes as the reference.
    const bytes = encoded.encode(withProxy).bytes;
    expect(fastStats.directFallbacks - before).toBe(1);
    expect(hex(bytes)).toBe(general(withProxy, (x) => encoded.digest(x)).bytes);
  });

  it('keeps the general path\'s errors: an unknown field is rejected with the same message', () => {
    const source = vertices.find((v) => v.kind === 'source')!;
    const bad = { ...source, extra: 1 } as unknown as Vertex;
    const want = general(bad).error;
    expect(want).toBeInstanceOf(LlbEncodeError);
    expect(() => new VertexEncoder().encode(bad)).toThrow((want as Error).message);
  });

  it('on vertices mutated at random: the general path\'s bytes or its error, and the direct writer takes many', () => {
    // The shared odd values, and the discriminants of the graph's objects.
    const values = [...candidates, () => 'bind', () => 'cache', () => 'copy', () => 'id', () => 'name'];
    const r = rng(23);
    let took = 0;
    let gaveUp = 0;
    for (let i = 0; i < 4000; i++) {
      const original = vertices[randInt(r, vertices.length)];
      const { inputs, ...rest } = original;
      const v = { ...(structuredClone(rest) as object), inputs } as Record<string, unknown>;
      const holders = holdersOf(v, inputs);
      for (let k = 1 + randInt(r, 2); k > 0; k--) {
        const h = holders[randInt(r, holders.length)];
        const keys = Object.keys(h);
        const key = keys.length && randInt(r, 5) > 0 ? keys[randInt(r, keys.length)] : ['extra', 'kind', 'type', 'owner', '0'][randInt(r, 5)];
        h[key] = values[randInt(r, values.length)]();
      }
      const vertex = v as unknown as Vertex;
      const want = general(vertex);
      const got = direct(vertex);
      if (got === undefined) gaveUp++;
      else {
        took++;
        expect(got).toBe(want.bytes);
      }
    }
    expect(took).toBeGreaterThan(400);
    expect(gaveUp).toBeGreaterThan(400);
  });
});

/** Every object or array inside `x` (byte arrays and the vertex's inputs aside). */
function holdersOf(x: unknown, skip: unknown, out: Record<string, unknown>[] = []): Record<string, unknown>[] {
  if (typeof x !== 'object' || x === null || x === skip || ArrayBuffer.isView(x)) return out;
  out.push(x as Record<string, unknown>);
  for (const v of Object.values(x)) holdersOf(v, skip, out);
  return out;
}
