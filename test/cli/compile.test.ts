/**
 * `dockerfile-llb compile` and `config`, spawned as the real binary: the docker-build-like flags
 * reproduce BuildKit's output (our fixtures), and `.dockerignore` becomes the context's exclude patterns.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { digestOf, readDefinition } from '../../src/llb/definition';
import { decodeMessage, type PbMessage } from '../../src/llb/pb/codec';
import { FIXTURES as CORPUS, fixtureCase, readExpectedJson } from '../helpers/corpus';
import { runCli } from '../helpers/cli';

const IMAGES = CORPUS.images;
const FIXTURES = join(__dirname, 'fixtures');

function digests(pb: Buffer | Uint8Array): string[] {
  return readDefinition(new Uint8Array(pb)).def.map(digestOf);
}

function fixture(name: string) {
  const c = fixtureCase(name);
  return { ...c, expected: readExpectedJson(c) };
}

/** The attrs of the `local://context` source in a Definition. */
function contextAttrs(pb: Buffer | Uint8Array): Record<string, string> {
  for (const op of readDefinition(new Uint8Array(pb)).def) {
    const m = decodeMessage('Op', op);
    const src = m.source as PbMessage | undefined;
    if (src && src.identifier === 'local://context') return (src.attrs ?? {}) as Record<string, string>;
  }
  throw new Error('no local://context source');
}

function tmp(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'dfllb-compile-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

describe('dockerfile-llb compile', () => {
  it('--target and --build-arg K=V reproduce BuildKit (e2e/target-middle)', async () => {
    const c = fixture('e2e/target-middle');
    const r = await runCli(['compile', c.dir, '--images', IMAGES, '--target', 'middle', '--build-arg', 'MID=from-case-json', '--build-arg', 'GLOBAL=global-from-case-json']);
    expect(r.code, r.stderr).toBe(0);
    expect(digests(r.stdout)).toEqual(c.expected.ops.map((o) => o.digest));
  });

  it('a bare --build-arg K takes its value from the environment, like docker; an unset one is ignored', async () => {
    const c = fixture('e2e/target-middle');
    const r = await runCli(['-f', join(c.dir, 'Dockerfile'), c.dir, '--images', IMAGES, '--target', 'middle', '--build-arg', 'MID', '--build-arg', 'GLOBAL', '--build-arg', 'UNSET_HERE'], {
      env: { MID: 'from-case-json', GLOBAL: 'global-from-case-json' },
    });
    expect(r.code, r.stderr).toBe(0);
    expect(digests(r.stdout)).toEqual(c.expected.ops.map((o) => o.digest));
    const other = await runCli(['-f', join(c.dir, 'Dockerfile'), c.dir, '--images', IMAGES, '--target', 'middle', '--build-arg', 'MID'], { env: { MID: 'else' } });
    expect(digests(other.stdout)).not.toEqual(c.expected.ops.map((o) => o.digest));
  });

  it('--platform reproduces BuildKit (features/platform-target-arm64)', async () => {
    const c = fixture('features/platform-target-arm64');
    const platform = JSON.parse(readFileSync(join(c.dir, 'case.json'), 'utf8')).platform;
    const r = await runCli(['-f', join(c.dir, 'Dockerfile'), c.dir, '--images', IMAGES, '--platform', platform]);
    expect(r.code, r.stderr).toBe(0);
    expect(digests(r.stdout)).toEqual(c.expected.ops.map((o) => o.digest));
  });

  it('-f - reads stdin; -o and --image-config write files; config prints the same image config', async () => {
    const c = fixture('e2e/build-args');
    const caseJson = JSON.parse(readFileSync(join(c.dir, 'case.json'), 'utf8'));
    const buildArgs = Object.entries(caseJson.buildArgs as Record<string, string>).flatMap(([k, v]) => ['--build-arg', `${k}=${v}`]);
    const out = mkdtempSync(join(tmpdir(), 'dfllb-out-'));
    const r = await runCli(['-f', '-', c.dir, '--images', IMAGES, ...buildArgs, '-o', join(out, 'llb.pb'), '--image-config', join(out, 'config.json')], {
      input: readFileSync(join(c.dir, 'Dockerfile')),
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.length).toBe(0);
    expect(digests(readFileSync(join(out, 'llb.pb')))).toEqual(c.expected.ops.map((o) => o.digest));
    expect(JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'))).toEqual(c.expected.imageConfig);
    const cfg = await runCli(['config', c.dir, '--images', IMAGES, ...buildArgs]);
    expect(cfg.code, cfg.stderr).toBe(0);
    expect(JSON.parse(cfg.stdout.toString())).toEqual(c.expected.imageConfig);
  });

  it('applies a .dockerignore exactly as BuildKit does (e2e/dockerignore)', async () => {
    const c = fixture('e2e/dockerignore');
    const r = await runCli([c.dir, '--images', IMAGES]);
    expect(r.code, r.stderr).toBe(0);
    expect(digests(r.stdout)).toEqual(c.expected.ops.map((o) => o.digest));
  });

  it('turns every rule of a .dockerignore into BuildKit\'s exclude patterns (our own case)', async () => {
    // test/cli/fixtures/dockerignore/.dockerignore: a BOM, comments, blank lines, a CRLF line,
    // leading / and ./, doubled and trailing slashes, .., an indented #, `!` with spaces.
    const dir = join(FIXTURES, 'dockerignore');
    const r = await runCli([dir, '--images', IMAGES]);
    expect(r.code, r.stderr).toBe(0);
    const attrs = contextAttrs(r.stdout);
    // moby's ignorefile.ReadAll, as BuildKit's dockerui reads it, then json.Marshal.
    expect(JSON.parse(attrs['local.excludepatterns'])).toEqual([
      'build',
      'dist',
      'spaced.txt',
      '# indented, so a pattern',
      '!keep-me.md',
      '**/*.tmp',
      'secrets',
      'logs/old',
      '.git',
      '*.md',
      '!README.md',
    ]);
    expect(attrs['local.excludepatterns']).toBe(
      '["build","dist","spaced.txt","# indented, so a pattern","!keep-me.md","**/*.tmp","secrets","logs/old",".git","*.md","!README.md"]',
    );
    expect(attrs['local.sharedkeyhint']).toBe('context');
    expect(attrs['local.unique']).toBe('localuniqueid');
    // COPY . reads the whole context, so there are no follow paths.
    expect(attrs['local.followpaths']).toBeUndefined();
  });

  it('fails on a bare `!` in .dockerignore, as BuildKit\'s frontend does when it reads the patterns', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dfllb-ignore-'));
    writeFileSync(join(dir, 'Dockerfile'), 'FROM alpine:3.20\nCOPY . /app\n');
    writeFileSync(join(dir, '.dockerignore'), 'build\n!\n');
    const r = await runCli([dir, '--images', IMAGES]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('dockerfile-llb: illegal exclusion pattern: "!"\n');
  });

  it('prefers <Dockerfile>.dockerignore next to the Dockerfile over the context\'s .dockerignore', async () => {
    const dir = join(FIXTURES, 'dockerignore');
    const r = await runCli(['-f', join(dir, 'alt.Dockerfile'), dir, '--images', IMAGES]);
    expect(r.code, r.stderr).toBe(0);
    const attrs = contextAttrs(r.stdout);
    expect(attrs['local.excludepatterns']).toBe('["*.md"]');
    expect(attrs['local.followpaths']).toBe('["app"]');
  });

  it('writes no exclude patterns without a .dockerignore, and honours --local-unique-id', async () => {
    const dir = tmp({ Dockerfile: 'FROM scratch\nCOPY a.txt /\n' });
    const r = await runCli([dir, '--images', IMAGES, '--local-unique-id', 'abc']);
    expect(r.code, r.stderr).toBe(0);
    const attrs = contextAttrs(r.stdout);
    expect(attrs['local.excludepatterns']).toBeUndefined();
    expect(attrs['local.unique']).toBe('abc');
    expect(attrs['local.followpaths']).toBe('["a.txt"]');
  });
});
