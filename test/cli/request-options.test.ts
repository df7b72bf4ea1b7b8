/**
 * The build request options through the CLI flags docker build uses (`--label`, `--add-host`,
 * `--hostname`, `--network`, `--shm-size`, `--ulimit`, `--cgroup-parent`, `--no-cache-filter`,
 * `--platform a,b`): every `options` case of our fixtures and of the golden corpus compiles to
 * BuildKit's ops, metadata, source map and image config per platform, or fails with BuildKit's message.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readDefinition } from '../../src/llb/definition';
import { dumpDefinition } from '../../src/llb/dump';
// @ts-expect-error plain JavaScript module shared with scripts/parity.mjs
import { compareCase, expectedError } from '../../scripts/lib/golden-compare.mjs';
import { caseFlags } from '../helpers/case-flags';
import { withoutCheckSummary } from '../helpers/checks';
import { runInProcess } from '../helpers/cli';
import { allCases, describeGolden, GOLDEN, listCases } from '../helpers/corpus';

function compare(expectedJson: string, pb: string, config: string) {
  const def = readDefinition(new Uint8Array(readFileSync(pb)));
  return compareCase(JSON.parse(readFileSync(expectedJson, 'utf8')), {
    def,
    dump: dumpDefinition(def),
    imageConfig: JSON.parse(readFileSync(config, 'utf8')),
  });
}

describeGolden('golden options cases', () => {
  it('has the whole set', () => expect(listCases(GOLDEN!, { sets: ['options'] }).length).toBe(30));
});

describe('options cases through the CLI flags', () => {
  it.each(allCases(['options']).map((c) => [c.id, c] as const))('%s', async (_id, c) => {
    const dir = c.dir;
    const cfg = existsSync(join(dir, 'case.json')) ? JSON.parse(readFileSync(join(dir, 'case.json'), 'utf8')) : {};
    const work = mkdtempSync(join(tmpdir(), 'dfllb-options-'));
    // A `platforms` list (even of one) is compared per platform file: -o DIR/ writes them.
    const multi = Array.isArray(cfg.platforms);
    const out = multi ? join(work, 'out') + '/' : join(work, 'out.pb');
    const config = multi ? join(work, 'config') + '/' : join(work, 'config.json');
    const args = ['compile', '-f', join(dir, 'Dockerfile'), '--images', c.images, ...caseFlags(cfg), '-o', out, '--image-config', config, dir];
    const r = await runInProcess(args);
    if (existsSync(join(dir, 'expected-error.txt'))) {
      const want = expectedError(readFileSync(join(dir, 'expected-error.txt'), 'utf8'));
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(want.message);
      return;
    }
    // The build checks that fired are summed up first (test/checks compares them with BuildKit's).
    expect(withoutCheckSummary(r.stderr)).toBe('');
    expect(r.code).toBe(0);
    if (!multi) {
      const cmp = compare(join(dir, 'expected.json'), out, config);
      expect(cmp.reasons).toEqual([]);
      return;
    }
    const files = readdirSync(join(dir, 'expected')).filter((f) => f.endsWith('.json')).sort();
    expect(readdirSync(out).sort()).toEqual(files.map((f) => f.replace(/\.json$/, '.pb')));
    for (const f of files) {
      const cmp = compare(join(dir, 'expected', f), join(out, f.replace(/\.json$/, '.pb')), join(config, f));
      expect(cmp.reasons, f).toEqual([]);
    }
  });
});

describe('request flags', () => {
  const dockerfile = join(__dirname, '../../examples/hello/Dockerfile');
  const images = join(__dirname, '../../examples/images.json');
  const withRun = join(__dirname, '../../examples/node-cache/Dockerfile');

  it('compile --platform a,b needs a directory to write to', async () => {
    const r = await runInProcess(['compile', '-f', dockerfile, '--images', images, '--platform', 'linux/amd64,linux/arm64']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('makes one Definition per platform: write them to a directory with -o DIR');
  });

  it.each(['config', 'dump', 'explain'])('%s --platform a,b says what to run instead', async (command) => {
    const r = await runInProcess([command, '-f', dockerfile, '--images', images, '--platform', 'linux/amd64,linux/arm64']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${command} works on one platform; run it once per platform (--platform linux/amd64, then --platform linux/arm64)`);
    expect(r.stderr).toContain('dockerfile-llb compile --platform linux/amd64,linux/arm64 -o DIR');
  });

  it('diff --platform a,b says what to run instead', async () => {
    const r = await runInProcess(['diff', dockerfile, dockerfile, '--images', images, '--platform', 'linux/amd64,linux/arm64']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('diff works on one platform; run it once per platform');
  });

  it('outline takes several platforms, as BuildKit\'s outline request does', async () => {
    const r = await runInProcess(['outline', '-f', dockerfile, '--images', images, '--platform', 'linux/amd64,linux/arm64', '--format', 'json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('--add-host NAME:IP is NAME=IP, and [IPv6] loses its brackets, as with docker build', async () => {
    const run = async (...hosts: string[]) => {
      const r = await runInProcess(['dump', '-f', withRun, '--images', images, ...hosts.flatMap((h) => ['--add-host', h])]);
      expect(r.stderr).toBe('');
      const exec = r.stdout.toString().split('\n').filter(Boolean).map((l) => JSON.parse(l)).find((o) => o.Op.exec);
      expect(exec).toBeDefined();
      return exec.Op.exec.meta.extraHosts;
    };
    const want = [{ Host: 'db', IP: '10.0.0.5' }, { Host: 'v6', IP: 'fd00::1' }];
    expect(await run('db=10.0.0.5', 'v6=fd00::1')).toEqual(want);
    expect(await run('db:10.0.0.5', 'V6:[fd00:0::1]')).toEqual(want);
  });

  it('host-gateway needs the daemon: a usage error that says to give the address', async () => {
    const r = await runInProcess(['compile', '-f', dockerfile, '--images', images, '--add-host', 'gw:host-gateway']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('host-gateway is the builder\'s own gateway address, which only the daemon knows; give the IP address');
  });
});

describe('--no-cache-filter and --no-cache', () => {
  // BuildKit marks the RUN, COPY and ADD ops of a no-cache stage with ignore_cache
  // (dockerfile2llb: dispatchRun, dispatchCopy), matching stage names case-insensitively
  // (dockerui.Client.IsNoCache); `no-cache` without names covers every stage.
  const work = mkdtempSync(join(tmpdir(), 'dfllb-nocache-'));
  const df = join(work, 'Dockerfile');
  writeFileSync(df, 'FROM alpine:3.20 AS Build\nRUN echo build\nCOPY a /a\nFROM alpine:3.20\nRUN echo final\nCOPY --from=build /a /b\n');
  const images = join(__dirname, '../../examples/images.json');
  const ignored = async (...flags: string[]) => {
    const r = await runInProcess(['dump', '-f', df, '--images', images, ...flags, work]);
    expect(r.stderr).toBe('');
    return r.stdout
      .toString()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l))
      .filter((o) => o.OpMetadata?.ignore_cache)
      .map((o) => o.OpMetadata.description['llb.customname'] as string);
  };

  it('marks only the named stage', async () => {
    expect(await ignored('--no-cache-filter', 'BUILD')).toEqual(['[build 2/3] RUN echo build', '[build 3/3] COPY a /a']);
  });
  it('marks every stage with --no-cache', async () => {
    expect((await ignored('--no-cache')).sort()).toEqual(['[build 2/3] RUN echo build', '[build 3/3] COPY a /a', '[stage-1 2/3] RUN echo final', '[stage-1 3/3] COPY --from=build /a /b'].sort());
  });
  it('marks nothing without the flags', async () => {
    expect(await ignored()).toEqual([]);
  });
});

describe('errors that say what to do', () => {
  it('an unknown image named like a stage suggests the stage, as BuildKit does', async () => {
    const work = mkdtempSync(join(tmpdir(), 'dfllb-suggest-'));
    writeFileSync(join(work, 'Dockerfile'), 'FROM alpine:3.20 AS build\nRUN true\nFROM alpine:3.20\nCOPY --from=buidl /x /y\n');
    const r = await runInProcess(['compile', '--images', join(__dirname, '../../examples/images.json'), work, '-o', join(work, 'out.pb')]);
    expect(r.code).toBe(1);
    expect(r.stderr.startsWith(`${join(work, 'Dockerfile')}:4:1: buidl: `)).toBe(true);
    expect(r.stderr).toMatch(/^\S+:4:1: buidl: .* \(did you mean build\?\)\n/);
  });
});
