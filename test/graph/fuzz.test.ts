/**
 * The graph API with wrong types and out-of-range values, as a JavaScript caller (or a cast) can
 * pass them: every random graph either encodes, and then holds exactly the values given (they
 * survive a decode), or fails with a typed DockerfileLlbError. Never another exception, never
 * bytes that mean something else (uid -1 written as 4294967295, `optional: 'yes'` as false, a
 * misspelled `Uid` dropped).
 */
import { describe, expect, it } from 'vitest';
import {
  DockerfileLlbError,
  LlbEncodeError,
  decodeGraph,
  encodeGraph,
  file,
  image,
  merge,
  mkdir,
  mkfile,
  readDefinition,
  run,
  writeDefinition,
  type ExecVertex,
  type FileVertex,
  type State,
  type Vertex,
} from '../../src/index.js';
import { randInt, rng } from '../helpers/random';

const platform = { os: 'linux', architecture: 'amd64' };
const base = (): State => image('docker.io/library/alpine:3.20', { platform }).dir('/').platform(platform);

/** A value and whether the field it is put in accepts it. */
type Candidate = readonly [value: unknown, valid: boolean];

const UINT32: Candidate[] = [[0, true], [1, true], [1000, true], [0xffffffff, true], [-1, false], [2 ** 32, false], [2 ** 32 + 1, false], [1.5, false], [Number.NaN, false], ['5', false], [true, false], [5n, false]];
const INT32: Candidate[] = [[0, true], [-1, true], [2 ** 31 - 1, true], [-(2 ** 31), true], [2 ** 31, false], [1.5, false], ['0', false], [Number.POSITIVE_INFINITY, false]];
const INT64: Candidate[] = [[0n, true], [-1n, true], [2n ** 63n - 1n, true], [2n ** 63n, false], [-(2n ** 63n) - 1n, false], ['1', false], [1.5, false]];
const BOOL: Candidate[] = [[true, true], [false, true], ['yes', false], [1, false], [0, false], ['false', false]];
const STRING: Candidate[] = [['x', true], ['', true], ['ünïcødé', true], [5, false], [{}, false], [['a'], false]];
const SIZE: Candidate[] = [[0, true], [1024, true], [2n ** 40n, true], [-1, false], [1.5, false], ['1k', false], [2 ** 64, false]];
const MODE: Candidate[] = [[0o755, true], [0, true], [0o4755, true], [-1, false], [1.5, false], ['0755', false], [2 ** 32, false]];

interface Site {
  readonly name: string;
  readonly values: readonly Candidate[];
  /** Builds a state with `v` in the field. */
  readonly build: (v: unknown) => State;
  /** The field's value, read back from the root vertex of the decoded graph. */
  readonly read: (root: Vertex) => unknown;
}

const exec = (v: Vertex) => v as ExecVertex;
const secretMount = (v: Vertex) => {
  const m = exec(v).mounts.find((x) => x.type === 'secret');
  return m?.type === 'secret' ? m.secret : undefined;
};
const sshMount = (v: Vertex) => {
  const m = exec(v).mounts.find((x) => x.type === 'ssh');
  return m?.type === 'ssh' ? m.ssh : undefined;
};
const runWith = (opts: object) => run(base(), { args: ['true'], ...opts }).root;

const SITES: Site[] = [
  { name: 'secret uid', values: UINT32, build: (v) => runWith({ secrets: [{ id: 's', target: '/s', uid: v }] }), read: (r) => secretMount(r)?.uid },
  { name: 'secret gid', values: UINT32, build: (v) => runWith({ secrets: [{ id: 's', target: '/s', gid: v }] }), read: (r) => secretMount(r)?.gid },
  { name: 'secret mode', values: UINT32, build: (v) => runWith({ secrets: [{ id: 's', target: '/s', mode: v }] }), read: (r) => secretMount(r)?.mode },
  { name: 'secret optional', values: BOOL, build: (v) => runWith({ secrets: [{ id: 's', target: '/s', optional: v }] }), read: (r) => secretMount(r)?.optional },
  { name: 'secret id', values: STRING, build: (v) => runWith({ secrets: [{ id: v, target: '/s' }] }), read: (r) => secretMount(r)?.id },
  { name: 'ssh uid', values: UINT32, build: (v) => runWith({ ssh: [{ uid: v }] }), read: (r) => sshMount(r)?.uid },
  { name: 'ssh optional', values: BOOL, build: (v) => runWith({ ssh: [{ optional: v }] }), read: (r) => sshMount(r)?.optional },
  {
    name: 'tmpfs size',
    values: SIZE,
    build: (v) => runWith({ mounts: [{ target: '/t', tmpfs: { size: v } }] }),
    read: (r) => {
      const m = exec(r).mounts.find((x) => x.type === 'tmpfs');
      return m?.type === 'tmpfs' ? m.tmpfs.size : undefined;
    },
  },
  { name: 'mount readonly', values: BOOL, build: (v) => runWith({ mounts: [{ target: '/m', source: base(), readonly: v }] }), read: (r) => exec(r).mounts.find((m) => m.dest === '/m')?.readonly },
  { name: 'mount selector', values: STRING, build: (v) => runWith({ mounts: [{ target: '/m', source: base(), selector: v }] }), read: (r) => exec(r).mounts.find((m) => m.dest === '/m')?.selector },
  { name: 'valid exit code', values: INT32, build: (v) => runWith({ validExitCodes: [0, v] }), read: (r) => exec(r).meta.validExitCodes?.[1] },
  { name: 'ulimit soft', values: INT64, build: (v) => runWith({ ulimits: [{ name: 'nofile', soft: v, hard: 1n }] }), read: (r) => exec(r).meta.ulimits?.[0].soft },
  { name: 'cgroup parent', values: STRING, build: (v) => runWith({ cgroupParent: v }), read: (r) => exec(r).meta.cgroupParent ?? '' },
  { name: 'arg', values: STRING, build: (v) => run(base(), { args: ['echo', v] as never }).root, read: (r) => exec(r).meta.args[1] },
  {
    name: 'mkdir mode',
    values: MODE,
    build: (v) => file(base(), mkdir('/d', v as number)),
    read: (r) => ((r as FileVertex).actions[0].action as { mode: number }).mode,
  },
  {
    name: 'mkfile mode',
    values: MODE,
    build: (v) => file(base(), mkfile('/f', v as number, 'data')),
    read: (r) => ((r as FileVertex).actions[0].action as { mode: number }).mode,
  },
];

/** Misspelled or foreign fields: always rejected. */
const UNKNOWN_FIELDS: { readonly name: string; readonly build: () => State }[] = [
  { name: 'secret Uid', build: () => runWith({ secrets: [{ id: 's', target: '/s', Uid: 5 }] }) },
  { name: 'ssh mod', build: () => runWith({ ssh: [{ mod: 0o600 }] }) },
  { name: 'mount readOnly', build: () => runWith({ mounts: [{ target: '/m', readOnly: true }] }) },
  { name: 'run option validExitCode', build: () => runWith({ validExitCode: [1] }) },
  { name: 'vertex field', build: () => {
    const s = runWith({});
    return s.withOutput({ vertex: { ...s.output!.vertex, networkMode: 'host' } as unknown as Vertex, index: 0 });
  } },
];

/** What a field holds after a decode, for a valid input value. */
function expected(site: Site, v: unknown): unknown {
  if (site.name.endsWith('mode') && site.name.startsWith('mk')) return (v as number) & 0o777;
  if (site.name === 'tmpfs size') return BigInt(v as number);
  return v;
}

function encode(s: State): Uint8Array {
  return writeDefinition(encodeGraph({ root: s.output, sources: [] }).definition);
}

describe('graph API fuzz: wrong types and out-of-range values', () => {
  it('every site: valid values round-trip exactly, invalid ones throw a typed error', () => {
    let valid = 0;
    let invalid = 0;
    for (const site of SITES) {
      for (const [v, ok] of site.values) {
        let bytes: Uint8Array | undefined;
        let error: unknown;
        try {
          bytes = encode(site.build(v));
        } catch (e) {
          error = e;
        }
        const label = `${site.name} = ${typeof v === 'bigint' ? `${v}n` : JSON.stringify(v) ?? String(v)}`;
        if (ok) {
          expect(error, label).toBeUndefined();
          const graph = decodeGraph(readDefinition(bytes!));
          expect(site.read(graph.root!.vertex), label).toEqual(expected(site, v));
          expect(encode({ output: graph.root } as State), `${label}: re-encoded`).toEqual(bytes);
          valid++;
        } else {
          expect(error, `${label} must be rejected`).toBeInstanceOf(LlbEncodeError);
          expect((error as LlbEncodeError).message, label).toMatch(/^\S+: /);
          invalid++;
        }
      }
    }
    expect(valid).toBeGreaterThan(40);
    expect(invalid).toBeGreaterThan(60);
  });

  it('misspelled or foreign fields are rejected, never dropped', () => {
    for (const u of UNKNOWN_FIELDS) {
      let error: unknown;
      try {
        encode(u.build());
      } catch (e) {
        error = e;
      }
      expect(error, u.name).toBeInstanceOf(LlbEncodeError);
      expect((error as LlbEncodeError).code, u.name).toBe('E_LLB_UNKNOWN_FIELD');
    }
  });

  it('random graphs with several values at once: encoded when all are valid, else a typed error', () => {
    const r = rng(13);
    for (let i = 0; i < 400; i++) {
      // Up to four sites in one graph, merged.
      const picks = Array.from({ length: 1 + randInt(r, 4) }, () => {
        const site = SITES[randInt(r, SITES.length)];
        return { site, cand: site.values[randInt(r, site.values.length)] };
      });
      let error: unknown;
      try {
        encode(merge(picks.map(({ site, cand }) => site.build(cand[0]))));
      } catch (e) {
        error = e;
      }
      const allValid = picks.every((p) => p.cand[1]);
      if (allValid) expect(error).toBeUndefined();
      else {
        expect(error).toBeInstanceOf(DockerfileLlbError);
        expect(error).toBeInstanceOf(LlbEncodeError);
      }
    }
  });
});
