/**
 * Acceptance: move one base image digest, and the steps `diff` marks changed are exactly the ops
 * whose digest changes in BuildKit's output. The old side is BuildKit's own expected.pb wherever
 * our compile of the case is byte-identical to it (the parity cases); the set of changed ops is
 * checked against an independent computation: the ops that depend on the moved image source.
 */
import { describe, expect, it } from 'vitest';
import { analyze, diff, whatIf } from '../../src/analysis/index';
import { compile } from '../../src/compile';
import { definitionDigests } from '../../src/index';
import { hasGolden } from '../helpers/corpus';
import { allCases, compileCase, dependingOn, fakeDigest, fixture, imageRefsOf, images, isImageWithDigest } from './helpers';

describe('moving one base image digest', () => {
  it('marks changed exactly the ops that depend on the moved image, for every case and image of the corpora', async () => {
    let cases = 0;
    let moves = 0;
    let changedOps = 0;
    let n = 0;
    let buildkitOld = 0;
    for (const lc of allCases()) {
      const { result, parity } = await compileCase(lc);
      const refs = imageRefsOf(result.definition);
      if (refs.length === 0) continue;
      cases++;
      if (parity) buildkitOld++;
      // The old side is BuildKit's output where we match it byte for byte.
      const oldDef = parity ? lc.expected : result.definition;
      for (const ref of refs) {
        const digest = fakeDigest(++n);
        const moved = await whatIf(lc.dockerfile, lc.options, { image: { ref, digest } });
        expect(definitionDigests(moved.before.definition), lc.c.name).toEqual(definitionDigests(result.definition));
        const d = diff(oldDef, moved.after);
        const expected = dependingOn(moved.after.definition, isImageWithDigest(digest));
        // The final op always depends on something that moved, unless the target does not use the image.
        const changed = new Set(d.steps.filter((e) => e.status !== 'unchanged').map((e) => e.step.digest));
        expect(changed, `${lc.c.name} moving ${ref}`).toEqual(expected);
        expect(d.summary.added + d.summary.removed, `${lc.c.name} moving ${ref}`).toBe(0);
        // Unchanged steps really are in the old build; changed ones are not.
        const old = new Set(definitionDigests(oldDef));
        for (const e of d.steps) expect(old.has(e.step.digest), `${lc.c.name} ${e.step.label}`).toBe(e.status === 'unchanged');
        // The same number of ops depended on the image in the old build.
        const oldDigest = (() => {
          for (const s of analyze(oldDef).steps) {
            const id = (s.op.source as { identifier?: string } | undefined)?.identifier;
            if (id?.startsWith(`docker-image://${ref}@`)) return id.slice(id.lastIndexOf('@') + 1);
          }
          return undefined;
        })();
        if (oldDigest) expect(dependingOn(oldDef, (op) => (op.source as { identifier?: string } | undefined)?.identifier === `docker-image://${ref}@${oldDigest}`).size, `${lc.c.name} ${ref}`).toBe(expected.size);
        // Reasons: the image source changed in its identifier; everything else through an input.
        for (const e of d.steps.filter((x) => x.status === 'changed')) {
          if (isImageWithDigest(digest)(e.step.op)) expect(e.cause).toEqual({ type: 'fields', fields: ['source identifier'] });
          else {
            expect(e.cause?.type, `${lc.c.name} ${e.step.label}`).toBe('input');
            if (e.cause?.type === 'input') expect(e.cause.origins.every((o) => isImageWithDigest(digest)(d.new.byDigest.get(o.digest)!.op))).toBe(true);
          }
        }
        moves++;
        changedOps += expected.size;
      }
    }
    expect(cases).toBeGreaterThan(hasGolden ? 200 : 10);
    console.log(`base-change: ${cases} cases (${buildkitOld} diffed against BuildKit's own expected.pb), ${moves} image moves, ${changedOps} changed ops checked`);
  });

  it('gives the same result through another images.json as through an override of one ref', async () => {
    const lc = fixture('features/copy-link-context');
    const key = Object.keys(images).find((k) => k === 'docker.io/library/alpine:3.20')!;
    const digest = fakeDigest(0xabc);
    const other = { ...images, [key]: { ...images[key], digest } };
    const viaFile = await whatIf(lc.dockerfile, lc.options, { images: other });
    const viaRef = await whatIf(lc.dockerfile, lc.options, { image: { ref: 'alpine:3.20', digest } });
    expect(definitionDigests(viaFile.after.definition)).toEqual(definitionDigests(viaRef.after.definition));
    expect(viaFile.steps.map((e) => e.status)).toEqual(['changed', 'unchanged', 'unchanged', 'changed', 'changed', 'changed']);
    // A what-if leaves the base build as BuildKit made it.
    expect(definitionDigests(viaFile.before.definition)).toEqual(definitionDigests(lc.expected));
    // And compiling by hand with the other file gives the same bytes.
    // (The case's options carry its corpus's resolver, which `images` does not override.)
    const byHand = await compile(lc.dockerfile, { ...lc.options, resolver: undefined, images: other });
    expect(byHand.bytes).toEqual(viaFile.after.bytes);
  });
});
