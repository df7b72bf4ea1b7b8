/** `dockerfile-llb diff` and `explain`, spawned as real processes (tables as snapshots). */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, fixtureCase, GOLDEN, hasGolden } from '../helpers/corpus';
import { golden } from '../helpers/golden';
import { runCli, runInProcess } from '../helpers/cli';

// The tables below were taken on golden cases; they run when the golden corpus is present.
const itGolden = it.skipIf(!hasGolden);
// `--images` of the corpus (for golden, with --images-unverified-pins: its test resolver's digests).
const imagesFlags = (GOLDEN ?? FIXTURES).imagesFlags;
const pb = (name: string) => golden('cases', 'features', name, 'expected.pb');
const dockerfile = (name: string) => golden('cases', 'features', name, 'Dockerfile');
const fixturePb = join(fixtureCase('features/copy-link-context').dir, 'expected.pb');

describe('dockerfile-llb diff', () => {
  itGolden('compares two golden .pb files without their Dockerfiles (table)', async () => {
    const r = await runCli(['diff', pb('093-copy-link-context'), pb('094-copy-link-from-stage')]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.toString()).toMatchInlineSnapshot(`
      "#  STEP                                                          STATUS     REASON
      0  [stage-1 1/3] FROM docker.io/library/alpine:3.20@sha256:75b…  unchanged
      1  [build 1/2] FROM docker.io/library/golang:1.23-alpine@sha25…  added      new step
      2  [build 2/2] RUN go build -o /out/app .                        added      new step
      3  [stage-1 2/3] COPY --link --from=build /out/app /usr/local/…  added      new step
      4  [stage-1 2/3] LINK COPY --link --from=build /out/app /usr/l…  added      new step
      5  [stage-1 3/3] COPY --link=false --from=build /out/app /usr/…  added      new step
      6  (result)                                                      changed    input changed: [stage-1 3/3] COPY --link=false --from=build /out/app /usr/…
      -  [internal] load build context                                 removed    no longer in the build
      -  [2/3] COPY --link app.conf /etc/app.conf                      removed    no longer in the build
      -  [2/3] LINK COPY --link app.conf /etc/app.conf                 removed    no longer in the build
      -  [3/3] RUN cat /etc/app.conf                                   removed    no longer in the build

      1 unchanged, 1 changed, 5 added, 4 removed
      "
    `);
  });

  itGolden('prints the version 1 JSON document', async () => {
    const r = await runCli(['diff', pb('093-copy-link-context'), dockerfile('093-copy-link-context'), ...imagesFlags, '--json']);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout.toString());
    expect(json.version).toBe(1);
    expect(json.kind).toBe('diff');
    expect(json.summary).toEqual({ unchanged: 6, changed: 0, added: 0, removed: 0 });
    expect(json.steps.map((s: { name: string }) => s.name)).toEqual([
      '[1/3] FROM docker.io/library/alpine:3.20@sha256:75be9c490b21b793193f47be0daf1e1ba283c3a002c8e84091e2c871cc49f219',
      '[internal] load build context',
      '[2/3] COPY --link app.conf /etc/app.conf',
      '[2/3] LINK COPY --link app.conf /etc/app.conf',
      '[3/3] RUN cat /etc/app.conf',
      '',
    ]);
  });

  it('compiles each Dockerfile with its own flags', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dfllb-diff-'));
    const file = join(dir, 'Dockerfile');
    writeFileSync(file, 'FROM alpine:3.20\nARG V=1\nRUN echo $V\nRUN echo done\n');
    const r = await runInProcess(['diff', file, file, '--images', FIXTURES.images, '--new-build-arg', 'V=2']);
    expect(r.stderr).toBe('');
    expect(r.stdout.toString()).toMatchInlineSnapshot(`
      "#  STEP                                                          STATUS     REASON
      0  [1/3] FROM docker.io/library/alpine:3.20@sha256:76290d72315…  unchanged
      1  [2/3] RUN echo 2                                              changed    env V
      2  [3/3] RUN echo done                                           changed    input changed: [2/3] RUN echo 2; also env V
      3  (result)                                                      changed    input changed: [3/3] RUN echo done

      1 unchanged, 3 changed, 0 added, 0 removed
      "
    `);
  });

  it('rejects bad usage with exit code 2 and missing files with 1', async () => {
    const one = await runInProcess(['diff', fixturePb]);
    expect(one.code).toBe(2);
    expect(one.stderr).toContain('diff needs OLD and NEW, got 1 argument');
    const missing = await runInProcess(['diff', 'no/such.pb', fixturePb]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe('dockerfile-llb: no/such.pb: no such file or directory\n');
  });

  it('has --help', async () => {
    const r = await runCli(['diff', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout.toString()).toContain('Usage:\n  dockerfile-llb diff OLD NEW');
    expect(r.stdout.toString()).toContain('--new-build-arg K=V');
  });
});

describe('dockerfile-llb explain', () => {
  itGolden('lists the steps of a build', async () => {
    const r = await runCli(['explain', '-f', dockerfile('094-copy-link-from-stage'), ...imagesFlags]);
    expect(r.code).toBe(0);
    expect(r.stdout.toString()).toMatchInlineSnapshot(`
      "#  STEP                                                          KIND                STAGE    LINE  INPUTS  DIGEST
      0  [stage-1 1/3] FROM docker.io/library/alpine:3.20@sha256:75b…  source              stage-1  4             a60b2fc9d3b5
      1  [build 1/2] FROM docker.io/library/golang:1.23-alpine@sha25…  source              build    2             fb28da3bf97c
      2  [build 2/2] RUN go build -o /out/app .                        exec                build    3     1       2ab175b9a067
      3  [stage-1 2/3] COPY --link --from=build /out/app /usr/local/…  file (link copy)    stage-1  5     2       c69794ed1958
      4  [stage-1 2/3] LINK COPY --link --from=build /out/app /usr/l…  merge (link merge)  stage-1  5     0,3     e09054b30513
      5  [stage-1 3/3] COPY --link=false --from=build /out/app /usr/…  file                stage-1  6     4,2     98f443407344
      6  (result)                                                      result                             5       877ee3f766f4
      "
    `);
  });

  itGolden('says which steps keep their digest when a base image moves (table)', async () => {
    const r = await runCli(['explain', '-f', dockerfile('094-copy-link-from-stage'), ...imagesFlags, '--base-changed', `alpine:3.20=sha256:${'ab'.repeat(32)}`]);
    expect(r.code).toBe(0);
    expect(r.stdout.toString()).toMatchInlineSnapshot(`
      "#  STEP                                                          STATUS     REASON
      0  [stage-1 1/3] FROM docker.io/library/alpine:3.20@sha256:aba…  changed    source identifier
      1  [build 1/2] FROM docker.io/library/golang:1.23-alpine@sha25…  unchanged
      2  [build 2/2] RUN go build -o /out/app .                        unchanged
      3  [stage-1 2/3] COPY --link --from=build /out/app /usr/local/…  unchanged
      4  [stage-1 2/3] LINK COPY --link --from=build /out/app /usr/l…  changed    input changed: [stage-1 1/3] FROM docker.io/library/alpine:3.20@sha256:aba…
      5  [stage-1 3/3] COPY --link=false --from=build /out/app /usr/…  changed    input changed: [stage-1 2/3] LINK COPY --link --from=build /out/app /usr/l…
      6  (result)                                                      changed    input changed: [stage-1 3/3] COPY --link=false --from=build /out/app /usr/…

      3 unchanged, 4 changed, 0 added, 0 removed
      "
    `);
  });

  itGolden('prints the what-if as JSON with the change', async () => {
    const r = await runInProcess(['explain', '-f', dockerfile('094-copy-link-from-stage'), ...imagesFlags, '--base-changed', 'alpine:3.20', '--build-arg-changed', 'X=1', '--json']);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout.toString());
    expect(json.change).toEqual({ images: [{ ref: 'alpine:3.20', digest: null }], buildArgs: { X: '1' } });
    expect(json.steps.map((s: { status: string }) => s.status)).toEqual(['changed', 'unchanged', 'unchanged', 'unchanged', 'changed', 'changed', 'changed']);
    expect(json.steps[3]).toMatchObject({ name: '[stage-1 2/3] COPY --link --from=build /out/app /usr/local/bin/app', link: 'copy', status: 'unchanged' });
  });

  itGolden('prints the --link report (table)', async () => {
    const r = await runCli(['explain', '-f', dockerfile('095-copy-link-chown-chmod'), ...imagesFlags, '--link-report']);
    expect(r.code).toBe(0);
    expect(r.stdout.toString()).toMatchInlineSnapshot(`
      "LINE  COPY/ADD                                            LINKED        BASE CHANGED  WITH --link                                WITHOUT --link
      3     [2/4] COPY --link --chown=1000:1000 a /a            yes           alpine:3.20   copy kept, merge changed, 2 later changed  copy changed, 2 later changed
      4     [3/4] COPY --link --chmod=0755 b /b                 no (ignored)  alpine:3.20   copy changed, no merge, 1 later changed    copy changed, 1 later changed
      5     [4/4] COPY --link --chown=app:app --chmod=640 c /c  no (ignored)  alpine:3.20   copy changed, no merge, 0 later changed    copy changed, 0 later changed

      --link on every COPY/ADD adds 1 merge op: 7 ops with it, 6 without (7 as written).
      When alpine:3.20 moves: with --link 2 of 6 steps keep their digest; without --link 1 of 5 steps keep their digest.
      Digests are LLB cache-key seeds, not the daemon's content-based cache keys: see docs/analysis.md.
      "
    `);
  });

  itGolden('warns when --base-changed names an image the build does not use', async () => {
    const r = await runInProcess(['explain', '-f', dockerfile('093-copy-link-context'), ...imagesFlags, '--base-changed', 'busybox:1.36']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('dockerfile-llb: warning: --base-changed busybox:1.36: the build uses no such image, so it changes nothing\n');
    expect(r.stdout.toString()).toContain('6 unchanged, 0 changed, 0 added, 0 removed');
  });

  itGolden('lists the steps of a .pb file, and refuses what-ifs on it', async () => {
    const json = await runInProcess(['explain', '-f', pb('097-copy-link-onto-scratch'), '--json']);
    expect(json.code).toBe(0);
    const doc = JSON.parse(json.stdout.toString());
    expect(doc.kind).toBe('analysis');
    expect(doc.steps.map((s: { link: string | null }) => s.link)).toEqual([null, 'copy', null, 'copy', 'merge', null]);
    const bad = await runInProcess(['explain', '-f', pb('097-copy-link-onto-scratch'), '--base-changed', 'alpine']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('is a Definition: what-if analysis and --link-report need a Dockerfile');
    const digest = await runInProcess(['explain', '-f', dockerfile('093-copy-link-context'), ...imagesFlags, '--base-changed', 'alpine=sha256:nope']);
    expect(digest.code).toBe(2);
    expect(digest.stderr).toContain('the digest must be sha256: and 64 hex digits');
  });
});
