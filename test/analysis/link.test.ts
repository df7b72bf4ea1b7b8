/**
 * Acceptance for `--link`: in every golden case with `COPY --link` or `ADD --link`, moving the
 * stage's base image keeps the linked copy's own FileOp digest and changes its merge; with
 * `--link` removed from the same Dockerfile, the copy changes.
 */
import { describe, expect, it } from 'vitest';
import { analyze, imageRef, linkReport, setLinkFlags, stageBaseImage, whatIf } from '../../src/analysis/index';
import { compile } from '../../src/compile';
import { hasGolden } from '../helpers/corpus';
import { allCases, dependingOn, fakeDigest, fixture, goldenCase, images, isImageWithDigest } from './helpers';

describe('--link and base image changes', () => {
  it('keeps the linked copy and changes its merge; without --link the copy changes (every --link case of the corpora)', async () => {
    const linkCases = allCases().filter((lc) => /\b(COPY|ADD)\b[^\n]*--link(?!=false)/i.test(lc.dockerfile));
    const counts = { cases: 0, linkedCopies: 0, kept: 0, mergeChanged: 0, sourceOnBase: 0, ontoScratch: 0, unlinkedChanged: 0 };
    let n = 0;
    const noLinkedCopy: string[] = [];
    for (const lc of linkCases) {
      const built = analyze(await compile(lc.dockerfile, lc.options));
      const linked = built.steps.filter((s) => s.link === 'copy');
      if (linked.length === 0) {
        noLinkedCopy.push(lc.c.name);
        continue;
      }
      counts.cases++;
      for (const copy of linked) {
        counts.linkedCopies++;
        const base = copy.stage !== undefined ? stageBaseImage(built, copy.stage) : undefined;
        if (!base) {
          // A scratch stage: there is no base image to move.
          counts.ontoScratch++;
          continue;
        }
        const ref = imageRef(base)!;
        const digest = fakeDigest(++n);
        const moved = await whatIf(lc.dockerfile, lc.options, { image: { ref, digest } });
        const status = moved.statusOf;
        const merge = built.byDigest.get(copy.linkPeer!)!;
        expect(merge.kind).toBe('merge');
        // The merge's counterpart in the new build changed (its digest is gone).
        expect(moved.after.definition.def.length).toBe(built.steps.length);
        expect(moved.steps.find((e) => e.old?.digest === merge.digest)?.status, `${lc.c.name} ${merge.label}`).toBe('changed');
        counts.mergeChanged++;
        const copyNow = moved.steps.find((e) => e.old?.digest === copy.digest)!;
        const dependsOnBase = dependingOn(moved.after.definition, isImageWithDigest(digest)).has(copyNow.step.digest);
        if (dependsOnBase) {
          expect(copyNow.status).toBe('changed');
          // Copying from a stage built on the same image: the copy's own input moved.
          counts.sourceOnBase++;
        } else {
          expect(copyNow.status, `${lc.c.name} ${copy.label}`).toBe('unchanged');
          expect(status.get(copy.digest)).toBe('unchanged');
          counts.kept++;
        }

        // The same Dockerfile with --link removed from this instruction: the copy changes.
        const unlinkedText = setLinkFlags(lc.dockerfile, false, new Set([copy.location!.line]));
        expect(unlinkedText).not.toBe(lc.dockerfile);
        const unlinked = await whatIf(unlinkedText, lc.options, { image: { ref, digest } });
        const plainCopy = unlinked.steps.find((e) => e.step.kind === 'file' && e.step.location?.line === copy.location!.line)!;
        expect(plainCopy.step.link, `${lc.c.name} line ${copy.location!.line}`).toBeUndefined();
        expect(plainCopy.status, `${lc.c.name} ${plainCopy.step.label}`).toBe('changed');
        expect(unlinked.after.definition.def.length).toBe(built.steps.length - 1);
        counts.unlinkedChanged++;
      }
    }
    console.log(`--link: ${linkCases.length} cases with --link; ${JSON.stringify(counts)}; without a linked copy in the build: ${noLinkedCopy.join(', ')}`);
    expect(counts.cases).toBeGreaterThanOrEqual(hasGolden ? 20 : 4);
    expect(counts.kept + counts.sourceOnBase).toBe(counts.mergeChanged);
    expect(counts.unlinkedChanged).toBe(counts.mergeChanged);
  });

  it.skipIf(!hasGolden)('reports every COPY/ADD with and without --link (golden features/094)', async () => {
    const lc = goldenCase('features/094-copy-link-from-stage');
    const r = await linkReport(lc.dockerfile, lc.options);
    expect(r.copies.map((c) => [c.line, c.instruction, c.linked, c.baseImages])).toEqual([
      [5, 'COPY', true, ['docker.io/library/alpine:3.20@sha256:75be9c490b21b793193f47be0daf1e1ba283c3a002c8e84091e2c871cc49f219']],
      [6, 'COPY', false, ['docker.io/library/alpine:3.20@sha256:75be9c490b21b793193f47be0daf1e1ba283c3a002c8e84091e2c871cc49f219']],
    ]);
    const [first, second] = r.copies;
    expect(first.withLink?.copy.status).toBe('unchanged');
    expect(first.withLink?.merge?.status).toBe('changed');
    expect(first.withLink?.merge?.name).toBe('[stage-1 2/3] LINK COPY --link --from=build /out/app /usr/local/bin/app');
    expect(first.withLink?.laterChanged.map((s) => s.name)).toEqual(['[stage-1 3/3] LINK COPY --link --from=build /out/app /usr/local/bin/app-nolink', '[stage-1 3/3] COPY --link --from=build /out/app /usr/local/bin/app-nolink'].slice(0, 1));
    expect(first.withoutLink?.copy.status).toBe('changed');
    expect(first.withoutLink?.merge).toBeUndefined();
    expect(second.withLink?.copy.status).toBe('unchanged');
    expect(second.withoutLink?.copy.status).toBe('changed');
    expect(r.variants).toEqual({ asWritten: { ops: 7, merges: 1 }, withLink: { ops: 8, merges: 2 }, withoutLink: { ops: 6, merges: 0 } });
    expect(r.extraOps.map((s) => s.name)).toEqual([
      '[stage-1 2/3] LINK COPY --link --from=build /out/app /usr/local/bin/app',
      '[stage-1 3/3] LINK COPY --link --from=build /out/app /usr/local/bin/app-nolink',
    ]);
    expect(r.baseChanges).toHaveLength(1);
    expect(r.baseChanges[0].withLink?.summary).toEqual({ unchanged: 4, changed: 4, added: 0, removed: 0 });
    expect(r.baseChanges[0].withoutLink?.summary).toEqual({ unchanged: 2, changed: 4, added: 0, removed: 0 });
    expect(r.errors).toEqual([]);
  });

  it('has no base to move in a scratch stage (features/copy-link-onto-scratch)', async () => {
    const lc = fixture('features/copy-link-onto-scratch');
    const r = await linkReport(lc.dockerfile, lc.options);
    expect(r.copies.map((c) => [c.line, c.linked, c.baseImages, c.withLink])).toEqual([
      [4, true, [], undefined],
      [5, true, [], undefined],
    ]);
    expect(r.baseChanges).toEqual([]);
  });

  it('moves the images it is told to, for every copy', async () => {
    const lc = fixture('features/copy-link-context');
    const r = await linkReport(lc.dockerfile, { images }, { images: [{ ref: 'alpine:3.20', digest: fakeDigest(7) }] });
    expect(r.copies[0].baseImages).toEqual(['alpine:3.20']);
    expect(r.copies[0].withLink?.copy.status).toBe('unchanged');
    expect(r.copies[0].withLink?.laterChanged.map((s) => s.name)).toEqual(['[3/3] RUN cat /etc/server.conf']);
    expect(r.copies[0].withoutLink?.laterChanged.map((s) => s.name)).toEqual(['[3/3] RUN cat /etc/server.conf']);
  });
});

describe('setLinkFlags', () => {
  const df = [
    'FROM alpine',
    'COPY a /a',
    'COPY --link b /b',
    'COPY --link=false c /c',
    'ADD \\',
    '  --chmod=644 \\',
    '  --link=true d /d',
    'copy --from=x e /e',
    'ONBUILD COPY f /f',
    'RUN echo --link',
    '',
  ].join('\n');

  it('adds --link to every COPY and ADD, keeping lines', () => {
    const on = setLinkFlags(df, true);
    expect(on.split('\n')).toEqual([
      'FROM alpine',
      'COPY --link a /a',
      'COPY --link b /b',
      'COPY --link c /c',
      'ADD --link \\',
      '  --chmod=644 \\',
      '  d /d',
      'copy --link --from=x e /e',
      'ONBUILD COPY f /f',
      'RUN echo --link',
      '',
    ]);
  });

  it('removes --link everywhere, or on chosen lines', () => {
    expect(setLinkFlags(df, false).split('\n').slice(1, 8)).toEqual(['COPY a /a', 'COPY b /b', 'COPY c /c', 'ADD \\', '  --chmod=644 \\', '  d /d', 'copy --from=x e /e']);
    expect(setLinkFlags(df, false, new Set([3]))).toBe(df.replace('COPY --link b', 'COPY b'));
  });

  it('honours the escape directive and leaves heredoc bodies alone', () => {
    const text = '# escape=`\nFROM alpine\nCOPY `\n  --link <<EOF /x\n--link\nEOF\n';
    expect(setLinkFlags(text, false)).toBe('# escape=`\nFROM alpine\nCOPY `\n  <<EOF /x\n--link\nEOF\n');
  });
});
