/** `dockerfile-llb explain --changed / --since`, through the real binary, and its usage errors. */
import { chmodSync, cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, runInProcess } from '../helpers/cli';

const fixture = join(__dirname, '../fixtures/rebuild/13-multistage-from/context');
const images = join(__dirname, '../fixtures/rebuild/images.json');
const work = mkdtempSync(join(tmpdir(), 'dfllb-explain-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function copyContext(name: string): string {
  const dir = join(work, name);
  cpSync(fixture, dir, { recursive: true, preserveTimestamps: true });
  return dir;
}

describe('dockerfile-llb explain --changed', () => {
  it('prints which steps run again (table)', async () => {
    const r = await runCli(['explain', fixture, '--images', images, '--changed', 'src/a.txt']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.toString().replace(/@sha256:[0-9a-f]*…/, '@sha256:…')).toMatchInlineSnapshot(`
      "#  STEP                                                          STATUS    REASON
      0  [build 1/3] FROM localhost:5000/busybox:latest@sha256:…  cached
      1  [internal] load build context                                 rebuilds  the build context is sent on every build (only changed files are transferred)
      2  [build 2/3] COPY src/ /src/                                   rebuilds  selects src/a.txt
      3  [build 3/3] RUN cat /src/*.txt > /out.txt && wc -l < /out.t…  rebuilds  input changed: [build 2/3] COPY src/ /src/
      4  [stage-1 2/5] COPY --from=build /lines.txt /lines.txt         maybe     reads /lines.txt of [build 3/3] RUN cat /src/*.txt > /out.txt && wc -l < /out.t…, which runs again: cached if it writes the same bytes there
      5  [stage-1 3/5] COPY --from=build /out.txt /out.txt             maybe     reads /out.txt of [build 3/3] RUN cat /src/*.txt > /out.txt && wc -l < /out.t…, which runs again: cached if it writes the same bytes there
      6  [stage-1 4/5] COPY --from=build /src/a.txt /a.txt             rebuilds  selects /src/a.txt of [build 3/3] RUN cat /src/*.txt > /out.txt && wc -l < /out.t…, which changed there
      7  [stage-1 5/5] COPY extra.txt /extra.txt                       rebuilds  input changed: [stage-1 4/5] COPY --from=build /src/a.txt /a.txt
      8  (result)                                                      rebuilds  input changed: [stage-1 5/5] COPY extra.txt /extra.txt

      6 rebuilds, 1 cached, 2 maybe
      "
    `);
  });

  it('compares two copies of the context with --since (JSON), and names what BuildKit does not see', async () => {
    const before = copyContext('before');
    const after = copyContext('after');
    writeFileSync(join(after, 'extra.txt'), 'changed\n');
    chmodSync(join(after, 'src/b.txt'), 0o600);
    const t = new Date(Date.now() + 60_000);
    const { utimesSync } = await import('node:fs');
    utimesSync(join(after, 'src/a.txt'), t, t);
    const r = await runCli(['explain', after, '--images', images, '--since', before, '--json']);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout.toString());
    expect(json.kind).toBe('rebuild');
    expect(json.changes).toEqual([
      { path: 'extra.txt', kind: 'modified', type: 'file', seen: true, ignored: null },
      { path: 'src/a.txt', kind: 'mtime', type: 'file', seen: false, ignored: 'only the modification time changed, which BuildKit does not checksum' },
      { path: 'src/b.txt', kind: 'mode', type: 'file', seen: true, ignored: null },
    ]);
    const status = Object.fromEntries(json.steps.map((s: { name: string; status: string }) => [s.name, s.status]));
    expect(status['[build 2/3] COPY src/ /src/']).toBe('rebuilds');
    expect(status['[stage-1 5/5] COPY extra.txt /extra.txt']).toBe('rebuilds');
  });

  it('rejects a path outside the context, and a --since that is not a directory', async () => {
    const outside = await runInProcess(['explain', fixture, '--images', images, '--changed', '../x.txt']);
    expect(outside.code).toBe(2);
    expect(outside.stderr).toContain('../x.txt is not a path inside the build context');
    const noDir = await runInProcess(['explain', fixture, '--images', images, '--since', join(work, 'nope')]);
    expect(noDir.code).toBe(1);
    expect(noDir.stderr).toContain('--since:');
    const mixed = await runInProcess(['explain', fixture, '--images', images, '--changed', 'a', '--link-report']);
    expect(mixed.code).toBe(2);
  });
});

describe('flags that need a value', () => {
  it('do not take the next flag as their value (explain --base-changed --images f)', async () => {
    const r = await runInProcess(['explain', fixture, '--base-changed', '--images', images]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('flag needs an argument: --base-changed (got the flag --images');
    const short = await runInProcess(['explain', '--target', '-f', 'Dockerfile']);
    expect(short.code).toBe(2);
    expect(short.stderr).toContain('flag needs an argument: --target (got the flag -f');
    // A value that only looks like a flag is still a value.
    const value = await runInProcess(['explain', fixture, '--images', images, '--build-arg-changed', '--not-a-flag=1']);
    expect(value.stderr).not.toContain('flag needs an argument');
  });
});
