/**
 * The core runs without Node: bundled for the browser (esbuild, platform "browser", any Node
 * built-in import fails the build) and executed in a bare V8 context that only has the standard
 * JavaScript globals plus TextEncoder/TextDecoder, it compiles a Dockerfile to the same bytes as
 * in Node.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import vm from 'node:vm';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/compile';
import { fixtureCase, FIXTURES } from '../helpers/corpus';
import { repoRoot } from '../helpers/cli';

async function bundle(): Promise<string> {
  const out = await build({
    entryPoints: [join(repoRoot, 'src/index.ts')],
    bundle: true,
    write: false,
    format: 'iife',
    globalName: 'dockerfileLlb',
    platform: 'browser',
    target: 'es2022',
    logLevel: 'silent',
  });
  return out.outputFiles[0].text;
}

describe('browser bundle', () => {
  it('bundles for the browser with no Node built-ins', async () => {
    const code = await bundle();
    expect(code.length).toBeGreaterThan(10_000);
    expect(code).not.toMatch(/require\(["']node:/);
  });

  it('compiles a Dockerfile in a context without Node globals, to the same bytes as in Node', async () => {
    const code = await bundle();
    const sandbox = vm.createContext({ TextEncoder, TextDecoder });
    vm.runInContext(code, sandbox);
    expect(vm.runInContext('typeof process + typeof require + typeof Buffer', sandbox)).toBe('undefinedundefinedundefined');
    const images = JSON.parse(readFileSync(FIXTURES.images, 'utf8'));
    const dir = fixtureCase('features/realistic-node-app').dir;
    const dockerfile = readFileSync(join(dir, 'Dockerfile'), 'utf8');
    sandbox.input = { dockerfile, images };
    const bytes: Uint8Array = await vm.runInContext(
      'dockerfileLlb.compile(input.dockerfile, { images: input.images }).then((r) => r.bytes)',
      sandbox,
    );
    const node = await compile(dockerfile, { images });
    expect(Buffer.from(bytes).equals(Buffer.from(node.bytes))).toBe(true);
  });
});
