/**
 * docs/api.md is generated from the TSDoc in src/ by scripts/api-docs.mjs. This checks the
 * generator on the built declarations; `node scripts/api-docs.mjs --check` tells whether the
 * committed file is current (it is regenerated with `npm run docs:api`, not by the tests, so that
 * a branch adding an export does not fail other branches' CI).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/cli';

describe('API reference generator', () => {
  it('documents every export of dist/index.d.ts with its TSDoc and declaration', async () => {
    const dts = join(repoRoot, 'dist/index.d.ts');
    if (!existsSync(dts)) throw new Error('dist/index.d.ts is missing: run `npm run build` first (npm test does)');
    const { renderApi } = await import(join(repoRoot, 'scripts/api-docs.mjs'));
    const text = readFileSync(dts, 'utf8');
    const md: string = renderApi(text, (from: string) => readFileSync(join(repoRoot, 'dist', from.replace(/\.js$/, '.d.ts')), 'utf8'));
    const exported = /export \{([^}]*)\}[^;]*;\s*$/.exec(text)![1].split(',').map((s) => s.trim().replace(/^type /, '').split(' as ').pop()!);
    expect(exported.length).toBeGreaterThan(50);
    for (const name of exported) expect(md, name).toContain(`\n### ${name}\n`);
    expect(md).toContain('Compiles a Dockerfile into BuildKit LLB');
    expect(md).toContain('function compile(dockerfile: string | Uint8Array, options?: CompileOptions): Promise<CompileResult>;');
    expect(md).toContain('[`DockerfileError`](#dockerfileerror)');
    // The committed reference documents at least what it documented when generated, still exported.
    const committed = readFileSync(join(repoRoot, 'docs/api.md'), 'utf8');
    for (const m of committed.matchAll(/\n### (\S+)\n/g)) expect(exported, `docs/api.md documents ${m[1]}, which is no longer exported`).toContain(m[1]);
  });
});
