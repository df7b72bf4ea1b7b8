/**
 * Dockerfiles nobody has seen: seeded random multi-stage builds (images, stage bases, RUN, ENV,
 * WORKDIR, USER, ARG, COPY/ADD with and without --link, from the context, stages and images, cache
 * mounts). For each, the statuses of `diff` are checked against independent computations: a
 * moved base image changes exactly its dependents; an edited RUN line changes exactly what is
 * downstream of it; a Definition is unchanged against itself; linked copies keep their digest.
 */
import { describe, expect, it } from 'vitest';
import { analyze, diff, imageRef, stageBaseImage, whatIf } from '../../src/analysis/index';
import { compile } from '../../src/compile';
import { randInt, rng } from '../helpers/random';
import { dependingOn, fakeDigest, imageRefsOf, images, isImageWithDigest } from './helpers';

const IMAGES = ['alpine:3.20', 'alpine:3.21', 'busybox:1.36', 'debian:bookworm-slim', 'golang:1.23-alpine', 'node:20-alpine'];
const WORDS = ['alpha', 'beta', 'gamma', 'delta', 'make', 'build', 'test'];

function randomDockerfile(seed: number): string {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[randInt(r, xs.length)];
  const lines: string[] = [];
  const stages = 1 + randInt(r, 4);
  for (let s = 0; s < stages; s++) {
    const fromStage = s > 0 && r() < 0.3;
    lines.push(`FROM ${fromStage ? `s${randInt(r, s)}` : pick(IMAGES)} AS s${s}`);
    const n = 1 + randInt(r, 6);
    for (let i = 0; i < n; i++) {
      const link = r() < 0.5 ? ' --link' : '';
      switch (randInt(r, 10)) {
        case 0:
          lines.push(`ENV ${pick(['A', 'B', 'PATH_X'])}=${pick(WORDS)}`);
          break;
        case 1:
          lines.push(`WORKDIR /${pick(WORDS)}`);
          break;
        case 2:
          lines.push(`COPY${link} ${pick(WORDS)}.txt /${pick(WORDS)}/`);
          break;
        case 3:
          if (s > 0) lines.push(`COPY${link} --from=s${randInt(r, s)} /${pick(WORDS)} /${pick(WORDS)}`);
          else lines.push(`RUN echo ${pick(WORDS)} > /${pick(WORDS)}`);
          break;
        case 4:
          lines.push(`COPY${link} --from=${pick(IMAGES)} /bin/${pick(WORDS)} /usr/bin/`);
          break;
        case 5:
          lines.push(`ADD${link} ${pick(WORDS)}.tar /opt/`);
          break;
        case 6:
          lines.push(`RUN --mount=type=cache,target=/root/.cache ${pick(WORDS)} ${pick(WORDS)}`);
          break;
        case 7:
          lines.push(`ARG V${randInt(r, 3)}=${pick(WORDS)}`);
          lines.push(`RUN echo $V0 $V1 $V2`);
          break;
        case 8:
          lines.push(`USER ${pick(['root', 'nobody', '1000'])}`);
          break;
        default:
          lines.push(`RUN ${pick(WORDS)} ${pick(WORDS)} > /${pick(WORDS)}`);
      }
    }
  }
  return `${lines.join('\n')}\n`;
}

describe('random Dockerfiles', () => {
  it('agree with independent computations of what changes', async () => {
    const counts = { files: 0, moves: 0, edits: 0, linkedKept: 0, linkedSourceMoved: 0 };
    let n = 0;
    for (let seed = 1; seed <= 60; seed++) {
      const text = randomDockerfile(seed);
      const options = { images };
      const built = await compile(text, options);
      counts.files++;
      const self = diff(built, built);
      expect(self.steps.every((e) => e.status === 'unchanged'), text).toBe(true);

      for (const ref of imageRefsOf(built.definition)) {
        const digest = fakeDigest(++n);
        const d = await whatIf(text, options, { image: { ref, digest } });
        const changed = new Set(d.steps.filter((e) => e.status !== 'unchanged').map((e) => e.step.digest));
        expect(changed, `${text}moving ${ref}`).toEqual(dependingOn(d.after.definition, isImageWithDigest(digest)));
        expect(d.summary.added + d.summary.removed, `${text}moving ${ref}`).toBe(0);
        counts.moves++;
      }

      // Linked copies in a stage with a base image keep their digest when that image moves.
      const a = analyze(built);
      for (const copy of a.steps.filter((s) => s.link === 'copy' && s.linkPeer)) {
        const base = stageBaseImage(a, copy.stage!);
        if (!base) continue;
        const digest = fakeDigest(++n);
        const d = await whatIf(text, options, { image: { ref: imageRef(base)!, digest } });
        const now = d.steps.find((e) => e.old?.digest === copy.digest)!;
        if (dependingOn(d.after.definition, isImageWithDigest(digest)).has(now.step.digest)) counts.linkedSourceMoved++;
        else {
          expect(now.status, `${text}${copy.label}`).toBe('unchanged');
          counts.linkedKept++;
        }
        expect(d.steps.find((e) => e.old?.digest === copy.linkPeer)?.status).toBe('changed');
      }

      // Edit the last RUN line that made it into the build.
      const runs = a.steps.filter((s) => s.kind === 'exec' && s.location);
      const run = runs[runs.length - 1];
      if (run) {
        const line = run.location!.line;
        const edited = text.split('\n').map((l, i) => (i === line - 1 ? `${l} && true` : l)).join('\n');
        const after = await compile(edited, options);
        const d = diff(built, after);
        const atLine = new Set(analyze(after).steps.filter((s) => s.location?.line === line && s.kind === 'exec').map((s) => s.digest));
        const changed = new Set(d.steps.filter((e) => e.status !== 'unchanged').map((e) => e.step.digest));
        expect(changed, `${edited}line ${line}`).toEqual(dependingOn(after.definition, (_op, dg) => atLine.has(dg)));
        for (const e of d.steps.filter((x) => x.status === 'changed' && !atLine.has(x.step.digest))) {
          expect(e.cause?.type === 'input' && e.cause.origins.some((o) => atLine.has(o.digest)), `${edited}${e.step.label}`).toBe(true);
        }
        counts.edits++;
      }
    }
    console.log(`random Dockerfiles: ${JSON.stringify(counts)}`);
    expect(counts.moves).toBeGreaterThan(60);
    expect(counts.linkedKept).toBeGreaterThan(10);
  });
});
