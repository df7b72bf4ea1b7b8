/**
 * `dockerfile-llb outline`, spawned as the real binary, and the library functions behind it:
 * the targets and outline that `docker build --call=targets` / `--call=outline` report.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatOutline, formatTargets, listTargets, outline } from '../../src/frontend/outline';
import { FIXTURES } from '../helpers/corpus';
import { runCli } from '../helpers/cli';
import { readFileSync } from 'node:fs';

const IMAGES = FIXTURES.images;
const images = JSON.parse(readFileSync(IMAGES, 'utf8'));

const DOCKERFILE = `# syntax=docker/dockerfile:1
# ALPINE_VERSION the Alpine release to build on
ARG ALPINE_VERSION=3.20
ARG BASE=alpine:\${ALPINE_VERSION}
# UNUSED is read by no stage
ARG UNUSED=x

# base installs the toolchain
FROM \${BASE} AS base
# GREETING what the build says
ARG GREETING=hello
RUN --mount=type=secret,id=token,required echo $GREETING

FROM base AS build
ARG ALPINE_VERSION
ARG MODE=release
RUN --mount=type=ssh --mount=type=secret,id=npmrc echo $MODE

FROM alpine:3.20 AS lint
ARG STRICT
RUN echo lint

# final is the image we ship
FROM scratch AS final
COPY --from=build /out /
`;

const loc = (line: number) => ({ ranges: [{ start: { line }, end: { line } }] });

function project(): string {
  const dir = mkdtempSync(join(tmpdir(), 'dfllb-outline-'));
  writeFileSync(join(dir, 'Dockerfile'), DOCKERFILE);
  return dir;
}

describe('outline (library)', () => {
  it('lists targets as BuildKit does: names, doc comments, raw base and platform, the last one default', () => {
    expect(listTargets(DOCKERFILE)).toEqual([
      { name: 'base', description: 'installs the toolchain', base: '${BASE}', location: loc(9) },
      { name: 'build', base: 'base', location: loc(14) },
      { name: 'lint', base: 'alpine:3.20', location: loc(19) },
      { name: 'final', default: true, description: 'is the image we ship', base: 'scratch', location: loc(24) },
    ]);
  });

  it('reports the ARGs a target uses, through its base and its COPY --from stages, with the globals their defaults read', async () => {
    const o = await outline(DOCKERFILE, { images });
    expect(o).toEqual({
      name: 'final',
      description: 'is the image we ship',
      args: [
        // BASE is used by base's FROM; its default reads ALPINE_VERSION, so that is used too.
        { name: 'ALPINE_VERSION', description: 'the Alpine release to build on', value: '3.20', location: loc(3) },
        { name: 'BASE', value: 'alpine:3.20', location: loc(4) },
        { name: 'GREETING', description: 'what the build says', value: 'hello', location: loc(11) },
        { name: 'MODE', value: 'release', location: loc(16) },
      ],
      secrets: [
        { name: 'token', required: true, location: loc(12) },
        { name: 'npmrc', location: loc(17) },
      ],
      ssh: [{ name: 'default', location: loc(17) }],
    });
  });

  it('shows --build-arg values, and outlines another --target', async () => {
    const o = await outline(DOCKERFILE, { images, target: 'lint', buildArgs: { STRICT: '1', GREETING: 'hi' } });
    expect(o).toEqual({ name: 'lint', args: [{ name: 'STRICT', value: '1', location: loc(20) }] });
    const b = await outline(DOCKERFILE, { images, target: 'base', buildArgs: { GREETING: 'hi', ALPINE_VERSION: '3.21' } });
    expect(b.args?.map((a) => [a.name, a.value])).toEqual([
      ['ALPINE_VERSION', '3.21'],
      ['BASE', 'alpine:3.21'],
      ['GREETING', 'hi'],
    ]);
  });

  it('prints tables the way BuildKit\'s PrintTargets and PrintOutline do (Go tabwriter)', async () => {
    expect(formatTargets(listTargets(DOCKERFILE))).toBe(
      ['TARGET          DESCRIPTION', 'base            installs the toolchain', 'build           ', 'lint            ', 'final (default) is the image we ship', ''].join('\n'),
    );
    expect(formatOutline(await outline(DOCKERFILE, { images }))).toBe(
      [
        'TARGET:      final',
        'DESCRIPTION: is the image we ship',
        '',
        'BUILD ARG        VALUE         DESCRIPTION',
        'ALPINE_VERSION   3.20          the Alpine release to build on',
        'BASE             alpine:3.20   ',
        'GREETING         hello         what the build says',
        'MODE             release       ',
        '',
        'SECRET   REQUIRED',
        'token    true',
        'npmrc    ',
        '',
        'SSH       REQUIRED',
        'default   ',
        '',
        '',
      ].join('\n'),
    );
  });

  it('has nothing to say about an unnamed single stage without ARGs', async () => {
    const o = await outline('FROM scratch\nCOPY a /\n', { images });
    expect(o).toEqual({});
    expect(formatOutline(o)).toBe('');
    expect(formatTargets(listTargets('FROM scratch\n'))).toBe('TARGET    DESCRIPTION\n(default) \n');
  });
});

describe('dockerfile-llb outline (the binary)', () => {
  it('prints the targets, then the outline of the default target', async () => {
    const r = await runCli(['outline', project(), '--images', IMAGES]);
    expect(r.code, r.stderr).toBe(0);
    const text = r.stdout.toString();
    expect(text.startsWith(formatTargets(listTargets(DOCKERFILE)) + '\n')).toBe(true);
    expect(text.endsWith(formatOutline(await outline(DOCKERFILE, { images })))).toBe(true);
  });

  it('--format json prints BuildKit\'s outline JSON, with the Dockerfile as sources', async () => {
    const r = await runCli(['outline', project(), '--images', IMAGES, '--format', 'json', '--target', 'lint', '--build-arg', 'STRICT=yes']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout.toString())).toEqual({
      name: 'lint',
      args: [{ name: 'STRICT', value: 'yes', location: loc(20) }],
      sources: [Buffer.from(DOCKERFILE).toString('base64')],
    });
    const bad = await runCli(['outline', project(), '--images', IMAGES, '--format', 'yaml']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('invalid --format "yaml": expected json or text');
  });

  it('--all outlines every target; --targets only parses, so it needs no image metadata', async () => {
    const dir = project();
    const all = await runCli(['outline', dir, '--images', IMAGES, '--all', '--format', 'json']);
    expect(all.code, all.stderr).toBe(0);
    const parsed = JSON.parse(all.stdout.toString());
    expect(parsed.map((o: { name: string }) => o.name)).toEqual(['base', 'build', 'lint', 'final']);
    expect(parsed[2].args).toEqual([{ name: 'STRICT', location: loc(20) }]);
    // No --images and an unresolvable base: --targets must not try to resolve it.
    const dir2 = mkdtempSync(join(tmpdir(), 'dfllb-outline-'));
    const df2 = 'FROM registry.invalid/none:1 AS a\n# b the second\nFROM a AS b\n';
    writeFileSync(join(dir2, 'Dockerfile'), df2);
    const t = await runCli(['outline', '--targets'], { cwd: dir2 });
    expect(t.code, t.stderr).toBe(0);
    expect(t.stdout.toString()).toBe('TARGET      DESCRIPTION\na           \nb (default) the second\n');
    const tj = await runCli(['outline', '--targets', '--format', 'json'], { cwd: dir2 });
    expect(JSON.parse(tj.stdout.toString())).toEqual({
      targets: [
        { name: 'a', base: 'registry.invalid/none:1', location: loc(1) },
        { name: 'b', default: true, description: 'the second', base: 'a', location: loc(3) },
      ],
      sources: [Buffer.from(df2).toString('base64')],
    });
  });

  it('reports a Dockerfile error like compile, and a missing target', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dfllb-outline-'));
    writeFileSync(join(dir, 'Dockerfile'), 'FROM scratch\nARG\n');
    const r = await runCli(['outline', dir, '--images', IMAGES]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`${join(dir, 'Dockerfile')}:2:1: ARG requires at least one argument\n   2 | ARG\n       ^\n`);
    const t = await runCli(['outline', project(), '--images', IMAGES, '--target', 'nope']);
    expect(t.code).toBe(1);
    expect(t.stderr).toBe('dockerfile-llb: target stage "nope" could not be found\n');
  });
});
