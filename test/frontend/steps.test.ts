/**
 * Step numbering (`[stage 2/5] RUN …`): each numbered step takes its number once from the stage's
 * StepCounter, and a step with two vertices (a linked COPY or ADD and its `LINK` merge) names both
 * from that one number. Checked against BuildKit's names for every linked COPY/ADD form, ONBUILD
 * triggers included (fixture features/link-step-numbers, written by refllb).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../../src/compile';
import { StaticImageResolver } from '../../src/image/static-resolver';
import { readDefinition } from '../../src/llb/definition';
import { dumpDefinition } from '../../src/llb/dump';
import { StepCounter, stepName } from '../../src/frontend/steps';
import { caseCompileOptions, fixtureCase, imagesOf, readExpectedJson } from '../helpers/corpus';

const env = { get: () => undefined, keys: () => [] };

describe('StepCounter', () => {
  it('numbers steps 1, 2, 3… with the total known when each is taken', () => {
    const steps = new StepCounter();
    steps.add(2);
    expect(steps.next()).toEqual({ number: 1, total: 2 });
    // ONBUILD triggers are counted after the FROM took its number.
    steps.add(1);
    expect(steps.next()).toEqual({ number: 2, total: 3 });
    expect(steps.next()).toEqual({ number: 3, total: 3 });
    expect(steps.total).toBe(3);
  });

  it('gives no number in a stage that counts no steps', () => {
    const steps = new StepCounter();
    expect(steps.next()).toBeUndefined();
    expect(steps.next()).toBeUndefined();
    steps.add(1);
    expect(steps.next()).toEqual({ number: 1, total: 1 });
  });
});

describe('stepName', () => {
  it('pads the number to the width of the total, and names ONBUILD steps', () => {
    const o = { stageName: 'build', isOnBuild: false, platform: undefined, env };
    expect(stepName({ number: 3, total: 11 }, 'RUN x', o)).toBe('[build  3/11] RUN x');
    expect(stepName({ number: 1, total: 2 }, 'LINK COPY a /', { ...o, stageName: '', isOnBuild: true })).toBe('[1/2] ONBUILD LINK COPY a /');
    expect(stepName(undefined, 'RUN x', o)).toBe('RUN x');
  });

  it('shows the platform when asked', () => {
    const o = { stageName: 's', isOnBuild: false, platform: { os: 'linux', architecture: 'arm64' }, env };
    expect(stepName({ number: 1, total: 1 }, 'RUN x', o)).toBe('[linux/arm64 s 1/1] RUN x');
  });
});

type Metadata = { description?: Record<string, string> } | undefined;

/** The step names of a Definition's ops, in Definition order. */
function stepNames(metadata: readonly Metadata[]): string[] {
  return metadata.map((m) => m?.description?.['llb.customname']).filter((n): n is string => n !== undefined);
}

describe('linked COPY and ADD take one step number for both their vertices', () => {
  const c = fixtureCase('features/link-step-numbers');
  const expected = stepNames(readExpectedJson(c).ops.map((o) => o.metadata as Metadata));
  let ours: string[] = [];

  beforeAll(async () => {
    const result = await compile(readFileSync(join(c.dir, 'Dockerfile')), { resolver: new StaticImageResolver(imagesOf(c)), ...caseCompileOptions(c) });
    ours = stepNames(dumpDefinition(readDefinition(result.bytes)).map((o) => o.OpMetadata));
  });

  it('names every step as BuildKit does', () => {
    expect([...ours].sort()).toEqual([...expected].sort());
  });

  it('a LINK merge shows its copy’s number, and the numbers run on without a gap or a repeat', () => {
    const numbered = ours.map((n) => /^\[stage-2 +(\d+)\/(\d+)\] (ONBUILD )?(LINK )?(.*)$/.exec(n)).filter((m) => m !== null);
    const links = numbered.filter((m) => m[4]);
    // COPY and ADD from the context, a stage, a URL, a heredoc, --chown, --parents, an ONBUILD trigger.
    expect(links).toHaveLength(7);
    for (const link of links) {
      expect(numbered.filter((m) => !m[4] && m[1] === link[1] && m[5] === link[5]).length, link[0]).toBeGreaterThan(0);
    }
    const steps = numbered.filter((m) => !m[4]).map((m) => Number(m[1]));
    const total = Number(numbered[0][2]);
    // ADD of a URL names its download and its copy: one step, two vertices.
    expect([...new Set(steps)].sort((a, b) => a - b)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
  });
});
