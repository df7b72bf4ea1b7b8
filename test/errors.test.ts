/**
 * Error codes: every code the library throws is one of the exported constants, and the classes
 * carry typed code unions (checked by the type checker through expectTypeOf).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  DecodeErrorCode,
  DefinitionDecodeError,
  DockerfileError,
  DockerfileErrorCode,
  DockerfileLlbError,
  EncodeErrorCode,
  type ErrorCode,
  ImageErrorCode,
  ImageResolveError,
  UsageErrorCode,
  compile,
  dumpDefinition,
  parseReference,
  readDefinition,
  type DumpEntry,
} from '../src/index.js';
import { repoRoot } from './helpers/cli';

const allCodes: string[] = [DockerfileErrorCode, DecodeErrorCode, EncodeErrorCode, ImageErrorCode, UsageErrorCode].flatMap((o) => Object.values(o));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

describe('error codes', () => {
  it('are unique across the groups', () => {
    expect(new Set(allCodes).size).toBe(allCodes.length);
  });

  it('every E_ code written in the library is an exported constant', () => {
    const written = new Set<string>();
    for (const f of sourceFiles(join(repoRoot, 'src'))) {
      if (f.includes(`${join('src', 'cli')}`)) continue; // the CLI's own usage/input errors are not library errors
      for (const m of readFileSync(f, 'utf8').matchAll(/'(E_[A-Z0-9_]+)'/g)) written.add(m[1]);
    }
    expect(written.size).toBeGreaterThan(30);
    for (const code of written) expect(allCodes, code).toContain(code);
  });

  it('thrown errors carry codes of their class', async () => {
    const caught = async (fn: () => unknown): Promise<DockerfileLlbError> => {
      try {
        await fn();
      } catch (e) {
        if (e instanceof DockerfileLlbError) return e;
        throw e;
      }
      throw new Error('did not throw');
    };
    const df = await caught(() => compile('FROM scratch\nFOO bar\n', { images: {} }));
    expect(df).toBeInstanceOf(DockerfileError);
    expect(df.code).toBe(DockerfileErrorCode.UnknownInstruction);
    const dec = await caught(() => readDefinition(new Uint8Array([0x0a, 0x05, 0x01])));
    expect(dec).toBeInstanceOf(DefinitionDecodeError);
    expect(Object.values(DecodeErrorCode)).toContain(dec.code);
    const img = await caught(() => parseReference('Not A Reference'));
    expect(img).toBeInstanceOf(ImageResolveError);
    expect(img.code).toBe(ImageErrorCode.InvalidReference);
    const usage = await caught(() => compile('FROM scratch\n'));
    expect(usage.code).toBe(UsageErrorCode.NoResolver);
  });

  it('are typed as unions, not string', () => {
    expectTypeOf<DockerfileLlbError['code']>().toEqualTypeOf<ErrorCode>();
    expectTypeOf<DefinitionDecodeError['code']>().toEqualTypeOf<DecodeErrorCode>();
    expectTypeOf<ImageResolveError['code']>().toEqualTypeOf<ImageErrorCode>();
    expectTypeOf<DockerfileError['code']>().toEqualTypeOf<DockerfileErrorCode | ImageErrorCode>();
    expectTypeOf<'E_NOT_A_CODE'>().not.toMatchTypeOf<ErrorCode>();
  });
});

describe('DumpEntry', () => {
  it('types OpMetadata field by field, as dump prints it', async () => {
    expectTypeOf<NonNullable<DumpEntry['OpMetadata']>['description']>().toEqualTypeOf<{ readonly [key: string]: string } | undefined>();
    expectTypeOf<NonNullable<DumpEntry['OpMetadata']>['caps']>().toEqualTypeOf<{ readonly [cap: string]: boolean } | undefined>();
    expectTypeOf<NonNullable<DumpEntry['OpMetadata']>['ignore_cache']>().toEqualTypeOf<boolean | undefined>();
    const images = JSON.parse(readFileSync(join(repoRoot, 'examples/images.json'), 'utf8'));
    const { definition } = await compile('FROM alpine:3.20\nRUN true\n', { images });
    const entries = dumpDefinition(definition);
    expect(entries[1].OpMetadata?.description?.['llb.customname']).toBe('[2/2] RUN true');
    expect(entries[1].OpMetadata?.caps?.['exec.meta.base']).toBe(true);
  });
});
