/**
 * The package as users get it: the built entry points share one copy of every class (per module
 * system), `npm pack` ships what is needed, the launcher explains a missing build, and every
 * declared dependency is used. Runs real Node processes against dist/ (npm test builds first).
 */
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { binPath, repoRoot } from '../helpers/cli';

const run = promisify(execFile);
const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>;
  dependencies?: Record<string, string>;
};

function needDist(): void {
  if (!existsSync(join(repoRoot, 'dist/index.js'))) throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
}

/** Runs `code` in a fresh Node process from the repository root (so `dockerfile-llb` resolves to this package). */
async function node(code: string, type: 'module' | 'commonjs'): Promise<string> {
  const { stdout } = await run(process.execPath, [`--input-type=${type}`, '-e', code], { cwd: repoRoot });
  return stdout.trim();
}

// An error thrown by the Node entry, checked against the classes of the core entry.
const probe = (importCore: string, importNode: string) => `
${importCore}
${importNode}
const out = [];
out.push(core.DockerfileLlbError === nodeEntry.DockerfileLlbError);
try { await nodeEntry.compile('FROM', { images: {} }); } catch (e) {
  out.push(e instanceof core.DockerfileLlbError, e instanceof core.DockerfileError, e.code);
}
try { nodeEntry.readDefinition(new Uint8Array([0xff])); } catch (e) { out.push(e instanceof core.DefinitionDecodeError); }
console.log(JSON.stringify(out));
`;

describe('package entry points', () => {
  it('ESM: an error from dockerfile-llb/node is an instance of the classes of dockerfile-llb', async () => {
    needDist();
    const out = await node(
      `(async () => {${probe("const core = await import('dockerfile-llb');", "const nodeEntry = await import('dockerfile-llb/node');")}})()`,
      'module',
    );
    expect(JSON.parse(out)).toEqual([true, true, true, 'E_INSTRUCTION', true]);
  });

  it('CJS: the same through require()', async () => {
    needDist();
    const out = await node(
      `(async () => {${probe("const core = require('dockerfile-llb');", "const nodeEntry = require('dockerfile-llb/node');")}})()`,
      'commonjs',
    );
    expect(JSON.parse(out)).toEqual([true, true, true, 'E_INSTRUCTION', true]);
  });

  it('the error code constants are exported and typed', async () => {
    needDist();
    const out = await node(
      "const m = await import('dockerfile-llb'); console.log(JSON.stringify([m.DockerfileErrorCode.UnknownInstruction, m.DecodeErrorCode.Truncated, m.ImageErrorCode.InvalidReference, m.UsageErrorCode.NoResolver]));",
      'module',
    );
    expect(JSON.parse(out)).toEqual(['E_UNKNOWN_INSTRUCTION', 'E_PB_TRUNCATED', 'E_INVALID_REFERENCE', 'E_NO_RESOLVER']);
    expect(readFileSync(join(repoRoot, 'dist/index.d.ts'), 'utf8')).toMatch(/readonly code: ErrorCode;/);
  });
});

describe('npm pack', () => {
  it('builds dist/ before packing (prepack) and ships it with the LICENSE', async () => {
    needDist();
    expect(pkg.scripts.prepack).toBe('npm run build');
    // --ignore-scripts: dist/ is already built; the list is what the tarball would hold.
    const { stdout } = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: repoRoot });
    const files = (JSON.parse(stdout) as { files: { path: string }[] }[])[0].files.map((f) => f.path);
    for (const f of ['LICENSE', 'README.md', 'package.json', 'bin/dockerfile-llb.cjs', 'dist/index.js', 'dist/index.cjs', 'dist/node.js', 'dist/node.cjs', 'dist/index.d.ts', 'dist/cli.js', 'proto/llb.proto']) {
      expect(files, f).toContain(f);
    }
    expect(files.filter((f) => /^(src|test|scripts)\//.test(f))).toEqual([]);
  });

  it('LICENSE is the Apache License 2.0 the package declares', () => {
    expect((JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { license: string }).license).toBe('Apache-2.0');
    const text = readFileSync(join(repoRoot, 'LICENSE'), 'utf8');
    expect(text).toMatch(/Apache License\s+Version 2\.0, January 2004/);
    expect(text).toContain('TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION');
  });

  it('every runtime dependency is imported by shipped code', () => {
    const sources: string[] = [];
    const walk = (dir: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        if (e.isDirectory()) walk(join(dir, e.name));
        else if (e.name.endsWith('.ts')) sources.push(readFileSync(join(dir, e.name), 'utf8'));
      }
    };
    walk(join(repoRoot, 'src'));
    const all = sources.join('\n');
    for (const dep of Object.keys(pkg.dependencies ?? {})) expect(all, `${dep} is declared but never imported`).toContain(`from '${dep}'`);
  });
});

describe('bin/dockerfile-llb.cjs', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('says to run npm run build when dist/ is missing, without a stack (exit 1)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dfllb-nobuild-'));
    dirs.push(dir);
    mkdirSync(join(dir, 'bin'));
    copyFileSync(binPath, join(dir, 'bin/dockerfile-llb.cjs'));
    const r = await run(process.execPath, [join(dir, 'bin/dockerfile-llb.cjs'), '--help']).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => e,
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('dockerfile-llb: the CLI is not built (dist/cli.js is missing): run npm run build\n');
  });
});
