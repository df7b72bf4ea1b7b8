/**
 * The explorer's logic without a browser: its URL form, the graph it derives from the library's
 * analysis, the layout, and the compile pipeline with its problems.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze, compile, type ImageMetadataFile, whatIf } from '../../src/index';
import { baseMoves, buildInput, compileOptions, placeholderDigest, readImages, warningProblems } from '../../web/src/build';
import { graphOf } from '../../web/src/graph';
import { layoutGraph } from '../../web/src/layout';
import { type BuildInput, decodeState, encodeState, type ExplorerState } from '../../web/src/state';
import { repoRoot } from '../helpers/cli';

const imagesText = readFileSync(join(repoRoot, 'examples/images.json'), 'utf8');
const images = JSON.parse(imagesText) as ImageMetadataFile;
const bundled = readImages(imagesText);
const copyLink = readFileSync(join(repoRoot, 'docs/copy-link/copy-link.Dockerfile'), 'utf8');
const fullstack = readFileSync(join(repoRoot, 'web/examples/fullstack.Dockerfile'), 'utf8');
const input = (dockerfile: string, more: Partial<BuildInput> = {}): BuildInput => ({ dockerfile, target: '', platform: '', buildArgs: [], dockerignore: '', ...more });

describe('explorer URL state', () => {
  it('opens `#dockerfile=<encodeURIComponent(text)>` with default options', () => {
    const text = 'FROM alpine:3.20\nRUN echo "a+b & c=d" # 100%\n';
    expect(decodeState(`#dockerfile=${encodeURIComponent(text)}`)).toEqual({ input: input(text), view: 'ops', baseImage: '', linkMode: 'as-written' });
    // The same without the `#`, and what the page writes back for it.
    expect(encodeState(decodeState(`dockerfile=${encodeURIComponent(text)}`)!)).toBe(`dockerfile=${encodeURIComponent(text)}`);
  });

  it('round-trips every option, the view and the "before" input', () => {
    const state: ExplorerState = {
      input: input('FROM alpine\n', { target: 'build', platform: 'linux/arm64', buildArgs: [['A', '1'], ['B', 'x=y'], ['C', '']], dockerignore: 'node_modules\n', images: '{"a": 1}' }),
      before: input('FROM alpine:3.20\n', { buildArgs: [['A', '0']] }),
      view: 'base',
      baseImage: 'docker.io/library/alpine:latest',
      linkMode: 'no-link',
    };
    const hash = encodeState(state);
    expect(decodeState(`#${hash}`)).toEqual(state);
    expect(hash).toContain('arg=B%3Dx%3Dy');
    // A "before" equal to the input is not written.
    expect(encodeState({ ...state, before: state.input })).not.toContain('before.');
  });

  it('takes `+` literally, survives bad escapes, ignores unknown keys and values', () => {
    const s = decodeState('#dockerfile=FROM%20a+b%ZZ&view=sideways&link=maybe&unknown=1')!;
    expect(s.input.dockerfile).toBe('FROM a+b%ZZ');
    expect(s.view).toBe('ops');
    expect(s.linkMode).toBe('as-written');
    expect(decodeState('#target=x')).toBeUndefined();
    expect(decodeState('')).toBeUndefined();
  });
});

describe('explorer graph', () => {
  it('draws COPY --link as a copy onto scratch plus a merge of base and layer', async () => {
    const a = analyze(await compile(copyLink, { images }));
    const g = graphOf(a);
    const copy = a.steps.find((s) => s.link === 'copy')!;
    const merge = a.steps.find((s) => s.link === 'merge')!;
    expect(g.nodes.filter((n) => n.digest).map((n) => n.digest)).toEqual(a.steps.map((s) => s.digest));
    expect(g.nodes.find((n) => n.kind === 'scratch')).toMatchObject({ id: `scratch:${copy.digest}`, stage: 'stage-0' });
    expect(g.edges).toContainEqual({ from: `scratch:${copy.digest}`, to: copy.digest });
    expect(g.edges.filter((e) => e.to === merge.digest)).toEqual([
      { from: merge.inputs[0].digest, to: merge.digest, label: 'base' },
      { from: copy.digest, to: merge.digest, label: 'layer' },
    ]);
    expect(g.nodes.find((n) => n.id === copy.digest)).toMatchObject({ title: 'COPY dir1 /dir1', subtitle: 'copy onto scratch', link: 'copy' });
    expect(g.nodes.find((n) => n.id === merge.digest)).toMatchObject({ title: 'merge: COPY dir1 /dir1', link: 'merge' });
    expect(g.clusters).toEqual([{ id: 'stage-0', label: 'stage 0', nodes: expect.any(Array) }]);
  });

  it('titles ops by their instruction without flags, stages in Dockerfile order, mounts on edges', async () => {
    const a = analyze(await compile(fullstack, { images }));
    const g = graphOf(a);
    const titles = g.nodes.map((n) => n.title);
    expect(titles).toContain('FROM golang:1.22-alpine');
    expect(titles).toContain('RUN go mod download');
    expect(titles).toContain('COPY --from=api /out/api /usr/local/bin/api');
    expect(titles).toContain('load build context');
    expect(g.clusters.map((c) => c.label)).toEqual(['stage ui', 'stage api', 'stage 2']);
    expect(g.nodes.find((n) => n.kind === 'context')?.stage).toBeUndefined();
  });

  it('lays every node out once, inside its stage, without overlaps', async () => {
    const g = graphOf(analyze(await compile(fullstack, { images })));
    const l = layoutGraph(g);
    expect(l.nodes.map((n) => n.id)).toEqual(g.nodes.map((n) => n.id));
    for (const n of l.nodes) {
      for (const m of l.nodes) if (m !== n) expect(n.x + n.width <= m.x || m.x + m.width <= n.x || n.y + n.height <= m.y || m.y + m.height <= n.y, `${n.title} / ${m.title}`).toBe(true);
      if (n.stage === undefined) continue;
      const c = l.clusters.find((x) => x.id === n.stage)!;
      expect(n.x >= c.x && n.x + n.width <= c.x + c.width && n.y >= c.y && n.y + n.height <= c.y + c.height, n.title).toBe(true);
    }
    expect(l.edges.length).toBe(g.edges.length);
    for (const e of l.edges) expect(e.points.length).toBeGreaterThanOrEqual(2);
  });
});

describe('explorer compile pipeline', () => {
  it('compiles what the CLI compiles, with the source lines of every op', async () => {
    const out = await buildInput(input(fullstack, { buildArgs: [['VERSION', '1.0']], dockerignore: '# none\n.git\n' }), bundled);
    if (!out.ok) throw new Error(out.problem.message);
    const direct = await compile(fullstack, { images, buildArgs: { VERSION: '1.0' }, excludePatterns: ['.git'] });
    expect(Buffer.from(out.build.result.bytes).equals(Buffer.from(direct.bytes))).toBe(true);
    const goBuild = out.build.analysis.steps.find((s) => s.name.includes('go build'))!;
    expect(out.build.lines.get(goBuild.digest)).toEqual([
      [19, 19],
      [20, 20],
      [21, 21],
    ]);
    expect(out.build.problems).toEqual([]);
  });

  it('turns errors into located problems', async () => {
    const bad = await buildInput(input('FROM alpine:3.20\nCOPYY a b\n'), bundled);
    expect(bad).toEqual({
      ok: false,
      problem: { severity: 'error', code: 'E_UNKNOWN_INSTRUCTION', message: 'unknown instruction: COPYY (did you mean COPY?)', at: { line: 2, column: 1, endLine: 2, endColumn: 10 } },
      warnings: [],
    });
    const target = await buildInput(input('FROM alpine:3.20\n', { target: 'nope' }), bundled);
    expect(target.ok).toBe(false);
    expect(!target.ok && target.problem.at).toBeUndefined();
    expect(readImages('{')).toMatchObject({ ok: false, problem: { code: 'E_INVALID_METADATA' } });
    expect(readImages('{"alpine": {"digest": "nope"}}')).toMatchObject({ ok: false, problem: { code: 'E_INVALID_METADATA' } });
  });

  it('shows the build checks that fired, at their lines, also when the build then fails', async () => {
    const text = 'FROM alpine:3.20 as build\nRUN true\n';
    const out = await buildInput(input(text), bundled);
    if (!out.ok) throw new Error(out.problem.message);
    const { warnings } = await compile(text, { images });
    expect(warnings.length).toBeGreaterThan(0);
    expect(out.build.problems).toEqual(warningProblems(warnings));
    expect(out.build.problems[0]).toMatchObject({ severity: 'warning', code: 'FromAsCasing', at: { line: 1, endLine: 1 } });
    expect(out.build.problems[0].message).toContain(warnings[0].detail);
    const failed = await buildInput(input(`${text}COPYY a b\n`), bundled);
    expect(failed.ok).toBe(false);
    expect(!failed.ok && failed.warnings.map((w) => w.code)).toContain('FromAsCasing');
  });

  it('gives an image missing from the metadata a placeholder and says so at its FROM line', async () => {
    const out = await buildInput(input('FROM alpine:3.20\nFROM ubuntu:24.04\nRUN true\n'), bundled);
    if (!out.ok) throw new Error(out.problem.message);
    expect(out.build.problems).toHaveLength(1);
    expect(out.build.problems[0]).toMatchObject({ severity: 'warning', code: 'W_PLACEHOLDER_IMAGE', at: { line: 2, endLine: 2 } });
    const source = out.build.analysis.steps.find((s) => s.name.includes('ubuntu'))!;
    expect((source.op.source as { identifier: string }).identifier).toBe(`docker-image://docker.io/library/ubuntu:24.04@${placeholderDigest('docker.io/library/ubuntu:24.04')}`);
  });

  it('says what a base image move does to each --link variant, as whatIf does', async () => {
    const out = await buildInput(input(copyLink), bundled);
    if (!out.ok) throw new Error(out.problem.message);
    const moves = await baseMoves(out.build, bundled, ['docker.io/library/alpine:3.20']);
    expect(moves.variants.map((v) => [v.mode, v.ops, v.merges, v.kept])).toEqual([
      ['as-written', 4, 1, 2],
      ['link', 4, 1, 2],
      ['no-link', 3, 0, 1],
    ]);
    const direct = await whatIf(copyLink.replace('--link ', ''), compileOptions(input(copyLink), bundled.ok ? bundled.resolver : (undefined as never)), { image: { ref: 'alpine:3.20' } });
    expect(moves.variants[2].result.summary).toEqual(direct.summary);
    expect(moves.report?.copies.map((c) => [c.line, c.linked, c.withLink?.copy.status, c.withoutLink?.copy.status])).toEqual([[2, true, 'unchanged', 'changed']]);
  });
});
