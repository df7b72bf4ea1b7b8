/** `diff`: self-diffs, .pb against .pb, one-line edits with their causes, and the reasons' field names. */
import { describe, expect, it } from 'vitest';
import { analyze, diff, opFieldChanges, RESULT_LABEL, whatIf } from '../../src/analysis/index';
import { compile } from '../../src/compile';
import { definitionDigests, readDefinition } from '../../src/index';
import type { JsonObject } from '../../src/analysis/steps';
import { definitionCases, fixtureCase, hasGolden, readExpectedPb } from '../helpers/corpus';
import { allCases, compileCase, dependingOn, images } from './helpers';

const alpine = images['docker.io/library/alpine:3.20'].digest;

describe('diff', () => {
  it('finds every Definition of the corpora unchanged against itself', () => {
    let ops = 0;
    for (const c of definitionCases()) {
      const pb = readExpectedPb(c);
      const d = diff(pb, pb);
      expect(d.steps.length, c.name).toBe(definitionDigests(readDefinition(pb)).length);
      expect(d.steps.every((e) => e.status === 'unchanged' && e.old?.digest === e.step.digest && e.cause === undefined), c.name).toBe(true);
      expect(d.summary).toEqual({ unchanged: d.new.steps.length, changed: 0, added: 0, removed: 0 });
      ops += d.steps.length;
    }
    expect(ops).toBeGreaterThan(hasGolden ? 2000 : 100);
  });

  it('diffs two .pb files of the corpora without their Dockerfiles', () => {
    const cases = definitionCases();
    let pairs = 0;
    for (let i = 0; i + 1 < cases.length; i += 3) {
      const a = readExpectedPb(cases[i]);
      const b = readExpectedPb(cases[i + 1]);
      const d = diff(a, b);
      const oldDigests = new Set(d.old.steps.map((s) => s.digest));
      const newDigests = new Set(d.new.steps.map((s) => s.digest));
      const fresh = d.steps.filter((e) => e.status !== 'removed');
      // One entry per op of NEW, in order; then the removed ops of OLD.
      expect(fresh.map((e) => e.step.digest)).toEqual(d.new.steps.map((s) => s.digest));
      for (const e of fresh) expect(e.status === 'unchanged', `${cases[i + 1].name} ${e.step.label}`).toBe(oldDigests.has(e.step.digest));
      for (const e of d.steps.filter((x) => x.status === 'removed')) expect(newDigests.has(e.step.digest)).toBe(false);
      // Matching is one to one.
      const olds = d.steps.filter((e) => e.old).map((e) => e.old!.digest);
      expect(new Set(olds).size).toBe(olds.length);
      expect(olds.length + d.summary.removed).toBe(d.old.steps.length);
      // The final ops match each other.
      expect(fresh[fresh.length - 1].step.label).toBe(RESULT_LABEL);
      expect(fresh[fresh.length - 1].old).toBe(d.old.steps[d.old.steps.length - 1]);
      pairs++;
    }
    expect(pairs).toBeGreaterThan(hasGolden ? 50 : 5);
  });

  it('reads stages and --link roles from names alone when a Definition has no source map', () => {
    const full = readDefinition(readExpectedPb(fixtureCase('features/copy-link-from-stage')));
    const bare = { def: full.def, metadata: full.metadata };
    const a = analyze(full);
    const b = analyze(bare);
    expect(b.steps.map((s) => [s.stage, s.link, s.instruction])).toEqual(a.steps.map((s) => [s.stage, s.link, s.instruction]));
    expect(b.steps.map((s) => s.location)).toEqual(a.steps.map(() => undefined));
    // Without metadata either, merges are still ops, but nothing says which copy is linked.
    const none = analyze({ def: full.def, metadata: {} });
    expect(none.steps.map((s) => s.kind)).toEqual(a.steps.map((s) => s.kind));
    expect(diff(full, bare).summary).toEqual({ unchanged: a.steps.length, changed: 0, added: 0, removed: 0 });
  });

  it('after a one-line edit of a RUN, changes exactly the steps downstream of that line, each with its nearest cause', async () => {
    let edits = 0;
    let checkedSteps = 0;
    for (const lc of allCases()) {
      const { result, parity } = await compileCase(lc);
      if (!parity) continue;
      const lines = lc.dockerfile.split('\n');
      const a = analyze(lc.expected);
      // Single-line shell-form RUNs that made it into the build; at most three per case.
      const runs = a.steps.filter((s) => s.kind === 'exec' && s.instruction === 'RUN' && s.location && s.location.line === s.location.endLine && /^\s*RUN\s+[^[\s]/i.test(lines[s.location.line - 1]) && !/<<|\\\s*$/.test(lines[s.location.line - 1]));
      const seen = new Set<number>();
      for (const run of runs) {
        const line = run.location!.line;
        if (seen.has(line) || seen.size >= 3) continue;
        seen.add(line);
        const edited = lines.map((l, i) => (i === line - 1 ? `${l} && true` : l)).join('\n');
        const after = await compile(edited, lc.options);
        const d = diff(lc.expected, after);
        // Independently: the ops at the edited line, and everything that depends on them.
        const atLine = new Set(analyze(after).steps.filter((s) => s.location?.line === line && s.kind === 'exec').map((s) => s.digest));
        const downstream = dependingOn(after.definition, (_op, digest) => atLine.has(digest));
        const changed = new Set(d.steps.filter((e) => e.status !== 'unchanged').map((e) => e.step.digest));
        expect(changed, `${lc.c.name} line ${line}`).toEqual(downstream);
        for (const e of d.steps.filter((x) => x.status === 'changed')) {
          if (atLine.has(e.step.digest)) {
            expect(e.cause?.type === 'fields' || e.cause?.type === 'input').toBe(true);
            const fields = e.cause?.type === 'fields' || e.cause?.type === 'input' ? e.cause.fields : [];
            expect(fields, `${lc.c.name} line ${line}`).toContain('exec.meta.args');
          } else {
            expect(e.cause?.type, `${lc.c.name} ${e.step.label}`).toBe('input');
            if (e.cause?.type !== 'input') continue;
            // The nearest cause is a direct input that changed (or is new: two stages whose ops were
            // equal shared one input until the edit told them apart); the origin is the edited RUN.
            const nearest = e.cause.input.digest;
            expect(e.step.inputs.some((i) => i.digest === nearest)).toBe(true);
            expect(['changed', 'added']).toContain(d.statusOf.get(e.cause.input.digest));
            expect(e.cause.origins.some((o) => atLine.has(o.digest)), `${lc.c.name} ${e.step.label}`).toBe(true);
          }
          checkedSteps++;
        }
        edits++;
      }
      void result;
    }
    console.log(`one-line edits: ${edits} RUN lines edited, ${checkedSteps} changed steps checked`);
    expect(edits).toBeGreaterThan(hasGolden ? 150 : 20);
  });

  it('names the fields that changed', async () => {
    const base = [
      'FROM alpine:3.20',
      'ENV A=1 B=2',
      'WORKDIR /src',
      'COPY app.conf /etc/',
      'RUN --mount=type=cache,target=/root/.cache make',
      'RUN echo done',
      '',
    ].join('\n');
    const run = async (text: string) => diff(await compile(base, { images }), await compile(text, { images }));
    const reasons = (d: Awaited<ReturnType<typeof run>>) =>
      d.steps.filter((e) => e.status !== 'unchanged').map((e) => `${e.step.label}: ${e.cause?.type === 'fields' ? e.cause.fields.join(',') : e.cause?.type === 'input' ? `input ${e.cause.input.label}${e.cause.fields.length ? ` +${e.cause.fields.join(',')}` : ''}` : e.cause?.type}`);

    expect(reasons(await run(base.replace('A=1', 'A=3')))).toEqual([
      '[stage-0 4/5] RUN --mount=type=cache,target=/root/.cache make: env A',
      '[stage-0 5/5] RUN echo done: input [stage-0 4/5] RUN --mount=type=cache,target=/root/.cache make +env A',
      `${RESULT_LABEL}: input [stage-0 5/5] RUN echo done`,
    ]);
    expect(reasons(await run(base.replace('/root/.cache', '/root/.cache2')))[0]).toBe('[stage-0 4/5] RUN --mount=type=cache,target=/root/.cache2 make: mount /root/.cache,mount /root/.cache2');
    expect(reasons(await run(base.replace('app.conf', 'other.conf')))[0]).toBe('[internal] load build context: source attr local.followpaths');
    expect(reasons(await run(base.replace('WORKDIR /src', 'WORKDIR /app')))[0]).toBe('[stage-0 2/5] WORKDIR /app: file.actions[0].mkdir.path');
    expect(reasons(await run(base.replace('RUN echo done', 'USER nobody\nRUN echo done')))).toEqual([
      '[stage-0 5/5] RUN echo done: exec.meta.user',
      `${RESULT_LABEL}: input [stage-0 5/5] RUN echo done`,
    ]);
  });

  it('compares op fields with stable names', () => {
    const a: JsonObject = { exec: { meta: { args: ['sh', '-c', 'x'], env: ['PATH=/bin', 'A=1'], cwd: '/' }, mounts: [{ dest: '/', input: '0' }] }, inputs: [{ digest: 'sha256:a' }] };
    const b: JsonObject = { exec: { meta: { args: ['sh', '-c', 'y'], env: ['PATH=/usr/bin', 'B=1'], cwd: '/' }, mounts: [{ dest: '/', input: '0' }, { dest: '/tmp' }] }, inputs: [{ digest: 'sha256:b', index: '1' }] };
    expect(opFieldChanges(a, b)).toEqual(['exec.meta.args', 'env A', 'env B', 'env PATH', 'mount /tmp', 'inputs[0] output']);
    expect(opFieldChanges(a, a)).toEqual([]);
  });
});

describe('what-if changes', () => {
  const df = ['FROM alpine:3.20 AS base', 'ARG V=1', 'RUN echo $V', 'FROM base AS other', 'RUN echo other', 'FROM base', 'RUN echo last', ''].join('\n');

  it('other build args', async () => {
    const d = await whatIf(df, { images }, { buildArgs: { V: '2' } });
    expect(d.steps.map((e) => [e.step.label, e.status, e.cause?.type === 'fields' ? e.cause.fields : undefined])).toEqual([
      [`[base 1/2] FROM docker.io/library/alpine:3.20@${alpine}`, 'unchanged', undefined],
      ['[base 2/2] RUN echo 2', 'changed', ['env V']],
      ['[stage-2 1/1] RUN echo last', 'changed', undefined],
      [RESULT_LABEL, 'changed', undefined],
    ]);
  });

  it('another target', async () => {
    const d = await whatIf(df, { images }, { target: 'other' });
    expect(d.steps.map((e) => [e.step.label, e.status])).toEqual([
      [`[base 1/2] FROM docker.io/library/alpine:3.20@${alpine}`, 'unchanged'],
      ['[base 2/2] RUN echo 1', 'unchanged'],
      ['[other 1/1] RUN echo other', 'added'],
      [RESULT_LABEL, 'changed'],
      ['[stage-2 1/1] RUN echo last', 'removed'],
    ]);
  });

  it('another platform', async () => {
    const d = await whatIf('FROM alpine:3.20\nRUN echo hi\n', { images }, { platform: 'linux/arm64' });
    expect(d.steps.map((e) => [e.status, e.cause?.type === 'fields' ? e.cause.fields : e.cause?.type])).toEqual([
      ['changed', ['platform.Architecture']],
      ['changed', 'input'],
      ['changed', 'input'],
    ]);
    const run = d.steps[1].cause;
    expect(run?.type === 'input' && run.fields).toEqual(['platform.Architecture']);
  });
});
