/**
 * The shape of vertices: the output platform travels on the vertex (so copies of a vertex, as the
 * lowering makes, keep it), and each mount type carries exactly its own option.
 */
import { describe, expect, it } from 'vitest';
import { DefinitionDecodeError, State, digestOf, decodeGraph, encodeGraph, image, readDefinition, run, writeDefinition, type ExecVertex } from '../../src/index.js';
import { encodeMessage } from '../../src/llb/pb/codec.js';
import type * as pb from '../../src/llb/pb/messages.generated.js';

const arm = { os: 'linux', architecture: 'arm64' };

describe('output platform', () => {
  it('is carried by the vertex, and survives a copy of it', () => {
    const s = image('docker.io/library/alpine:3.20', { platform: arm });
    expect(s.output!.vertex.outputPlatform).toEqual(arm);
    const copy = { ...s.output!.vertex };
    expect(State.of({ vertex: copy, index: 0 }).values.platform).toEqual(arm);
  });

  it('is set on an exec given a platform, and not on one without', () => {
    const base = image('docker.io/library/alpine:3.20').dir('/');
    expect(run(base, { args: ['true'], platform: arm }).vertex.outputPlatform).toEqual(arm);
    expect(run(base, { args: ['true'] }).vertex.outputPlatform).toBeUndefined();
  });
});

describe('mount variants', () => {
  const withMount = (mount: pb.Mount): Uint8Array => {
    const exec = encodeMessage('Op', { exec: { meta: { args: ['true'], cwd: '/' }, mounts: [mount] } });
    const term = encodeMessage('Op', { inputs: [{ digest: digestOf(exec) }] });
    return writeDefinition({ def: [exec, term], metadata: {} });
  };

  it('decodes each mount type with its option', () => {
    const base = image('docker.io/library/alpine:3.20').dir('/');
    const s = run(base, {
      args: ['true'],
      mounts: [
        { target: '/c', cache: { id: 'c', sharing: 'locked' } },
        { target: '/t', tmpfs: { size: 64 } },
      ],
      secrets: [{ id: 's', target: '/run/s' }],
      ssh: [{ id: 'default' }],
    }).root;
    const bytes = writeDefinition(encodeGraph({ root: s.output, sources: [] }).definition);
    const v = decodeGraph(readDefinition(bytes)).root!.vertex as ExecVertex;
    expect(v.mounts.map((m) => m.type)).toEqual(['bind', 'cache', 'tmpfs', 'secret', 'ssh']);
    for (const m of v.mounts) {
      if (m.type === 'cache') expect(m.cache).toEqual({ id: 'c', sharing: 'locked' });
      if (m.type === 'tmpfs') expect(m.tmpfs).toEqual({ size: 64n });
      if (m.type === 'secret') expect(m.secret.id).toBe('s');
      if (m.type === 'ssh') expect(m.ssh.id).toBe('default');
    }
  });

  it('rejects a mount whose option does not match its type', () => {
    // mountType 3 is CACHE; 1 is SECRET.
    for (const mount of [{ dest: '/c', mountType: 3 }, { dest: '/s', mountType: 1, cacheOpt: { ID: 'x' } }, { dest: '/b', cacheOpt: { ID: 'x' } }] as pb.Mount[]) {
      expect(() => decodeGraph(readDefinition(withMount(mount))), JSON.stringify(mount)).toThrow(DefinitionDecodeError);
    }
  });
});
