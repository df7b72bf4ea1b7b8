/**
 * proto/llb.proto is the source of truth: the generated descriptor must be fresh, and
 * protobufjs (an independent implementation) must decode every op of the corpora to the same values
 * our codec does.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { readDefinition } from '../../src/llb/definition';
import { toProtoJson } from '../../src/llb/json';
import { decodeMessage } from '../../src/llb/pb/codec';
import { allDefinitions, hasGolden } from '../helpers/corpus';

const root = join(__dirname, '../..');

describe('LLB schema', () => {
  it('src/llb/pb/schema.generated.ts is up to date with proto/llb.proto', () => {
    expect(() => execFileSync('node', [join(root, 'scripts/gen-schema.mjs'), '--check'], { stdio: 'pipe' })).not.toThrow();
  });

  it('protobufjs decodes every op of the corpora to the same values as our codec', () => {
    const pb = new protobuf.Root().loadSync(join(root, 'proto/llb.proto'), { keepCase: true });
    pb.resolveAll();
    const Op = pb.lookupType('pb.Op');
    let ops = 0;
    for (const d of allDefinitions()) {
      for (const bytes of readDefinition(new Uint8Array(readFileSync(d.pb))).def) {
        const theirs = Op.toObject(Op.decode(bytes), { longs: String, enums: String, bytes: String, defaults: false, oneofs: false });
        const ours = toProtoJson('Op', decodeMessage('Op', bytes));
        expect(normalize(ours)).toEqual(normalize(theirs));
        ops++;
      }
    }
    expect(ops).toBeGreaterThan(hasGolden ? 2000 : 100);
  });
});

/** protobufjs keeps explicitly-encoded zero scalars; protojson drops them except in oneofs. Compare values only. */
function normalize(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(normalize);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      if (x === '' || x === false || x === '0' || (k !== 'byID' && x === 0)) continue;
      if (Array.isArray(x) && x.length === 0) continue;
      out[k] = normalize(x);
    }
    return out;
  }
  return v;
}
