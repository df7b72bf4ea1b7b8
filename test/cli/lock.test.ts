/**
 * `dockerfile-llb lock` and `compile --images`, spawned as the real binary against a real
 * registry on loopback: lock then compile --images gives the bytes of a registry compile;
 * --images never touches the network; a missing image says to run lock. Then, in-process, every
 * golden case: lock from the golden images.json keeps exactly what the build uses.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseImageMetadata, serializeImageMetadata } from '../../src/image/metadata.js';
import { withDigest } from '../../src/image/reference.js';
import type { ImageMetadataFile } from '../../src/image/types.js';
import { withoutCheckSummary } from '../helpers/checks.js';
import { pool, runCli, runInProcess, type RunResult } from '../helpers/cli.js';
import { corpora, listCases } from '../helpers/corpus.js';
import { startHttpServer, startRegistry, type TestRegistry } from '../helpers/registry.js';

let registry: TestRegistry;
let host: string;
let dir: string;
/** Environment of the spawned CLI: no docker config of the user's. */
let env: Record<string, string>;
let appDigest: string;

const AMD64_ENV = ['PATH=/usr/bin:/bin', 'FOO=amd64'];
const ARM64_ENV = ['PATH=/usr/bin:/bin', 'FOO=arm64'];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dfllb-lock-'));
  await mkdir(join(dir, 'docker-config'));
  env = { DOCKER_CONFIG: join(dir, 'docker-config') };
  registry = await startRegistry();
  host = registry.host;
  await registry.pushPlatformIndex('test/app', '1', [
    { platform: { os: 'linux', architecture: 'amd64' }, config: { Env: AMD64_ENV, WorkingDir: '/amd64' } },
    { platform: { os: 'linux', architecture: 'arm64' }, config: { Env: ARM64_ENV, WorkingDir: '/arm64' } },
  ]);
  await registry.pushImage('test/tools', '1', { format: 'docker', config: { config: { Env: ['TOOLS=1'] } } });
  appDigest = await registry.headDigest('test/app', '1');
}, 60_000);

afterAll(async () => {
  await registry?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

let fileCount = 0;
/** Writes `text` to a new file in the temporary folder; returns its path. */
async function tempFile(text: string, name = 'Dockerfile'): Promise<string> {
  const sub = join(dir, `f${fileCount++}`);
  await mkdir(sub);
  const path = join(sub, name);
  await writeFile(path, text);
  return path;
}

function ok(r: RunResult, what: string): RunResult {
  // compile sums up the build checks that fired (here InvalidBaseImagePlatform for the amd64-only
  // tools image under --platform linux/arm64); anything else on stderr is a failure.
  expect(withoutCheckSummary(r.stderr), what).toBe('');
  expect(r.code, what).toBe(0);
  return r;
}

describe('dockerfile-llb lock (real binary, real registry)', () => {
  const dockerfile = () =>
    [
      `FROM --platform=$BUILDPLATFORM ${host}/test/app:1 AS build`,
      `COPY --from=${host}/test/tools:1 /tool /tool`,
      'RUN make',
      `FROM ${host}/test/app:1`,
      'COPY --from=build /out /out',
      'RUN run',
      '',
    ].join('\n');

  for (const platform of [undefined, 'linux/arm64']) {
    it(`lock then compile --images gives the registry's bytes${platform ? ` (--platform ${platform})` : ''}`, async () => {
      const df = await tempFile(dockerfile());
      const pf = platform ? ['--platform', platform] : [];
      const lock = ok(await runCli(['lock', '-f', df, ...pf], { env }), 'lock');
      const text = lock.stdout.toString('utf8');
      const images = parseImageMetadata(text);
      // The golden images.json layout: keys sorted at every level, one-space indent.
      expect(text).toBe(serializeImageMetadata(images));
      expect(Object.keys(images)).toEqual([`${host}/test/app:1`, `${host}/test/tools:1`]);
      expect(images[`${host}/test/app:1`].digest).toBe(appDigest);
      if (platform) expect(Object.keys(images[`${host}/test/app:1`].platforms!)).toEqual(['linux/amd64', 'linux/arm64']);
      else expect(images[`${host}/test/app:1`].platforms).toBeUndefined();

      const lockPath = join(dir, `images-${fileCount++}.json`);
      await writeFile(lockPath, text);
      const [online, offline, onlineConfig, offlineConfig] = await Promise.all([
        runCli(['compile', '-f', df, ...pf], { env }),
        runCli(['compile', '-f', df, ...pf, '--images', lockPath], { env }),
        // config runs the same code path; in-process keeps the test fast.
        runInProcess(['config', '-f', df, ...pf], { env }),
        runInProcess(['config', '-f', df, ...pf, '--images', lockPath], { env }),
      ]);
      ok(online, 'compile');
      ok(offline, 'compile --images');
      expect(online.stdout.length).toBeGreaterThan(100);
      expect(offline.stdout.equals(online.stdout)).toBe(true);
      expect(online.stdout.includes(Buffer.from(`docker-image://${host}/test/app:1@${appDigest}`))).toBe(true);
      expect(ok(offlineConfig, 'config --images').stdout.toString()).toBe(ok(onlineConfig, 'config').stdout.toString());
      expect(JSON.parse(onlineConfig.stdout.toString()).config.Env).toEqual(platform ? ARM64_ENV : AMD64_ENV);
    });
  }

  it('writes to -o FILE, reads the Dockerfile from the context PATH, and honours --target and --build-arg', async () => {
    const df = await tempFile(`ARG IMG=app:1\nFROM ${host}/test/\${IMG} AS a\nFROM ${host}/test/tools:1 AS b\n`);
    const out = join(dir, `out-${fileCount++}.json`);
    const r = ok(await runCli(['lock', join(df, '..'), '--target', 'a', '--build-arg', 'IMG=tools:1', '-o', out], { env }), 'lock -o');
    expect(r.stdout.length).toBe(0);
    expect(Object.keys(parseImageMetadata(readFileSync(out, 'utf8')))).toEqual([`${host}/test/tools:1`]);
  });

  it('fails with exit code 1, naming the image, when the registry does not have it; writes nothing', async () => {
    const df = await tempFile(`FROM ${host}/test/app:1\nFROM ${host}/test/nope:1\n`);
    const out = join(dir, `out-${fileCount++}.json`);
    const r = await runCli(['lock', '-f', df, '-o', out], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${host}/test/nope:1`);
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    expect(existsSync(out)).toBe(false);
  });

  it('compile --images fails with exit code 1 and says to run lock when an image is missing', async () => {
    const df = await tempFile(`FROM ${host}/test/app:1 AS first\nRUN x\nFROM ${host}/test/app:2\nCOPY --from=first /x /x\n`);
    const lock = ok(await runCli(['lock', '-f', df, '--target', 'first'], { env }), 'lock --target first');
    const lockPath = await tempFile(lock.stdout.toString(), 'images.json');
    const r = await runCli(['compile', '-f', df, '--images', lockPath], { env });
    expect(r.code).toBe(1);
    expect(r.stdout.length).toBe(0);
    expect(r.stderr).toContain(`image ${host}/test/app:2 is not in the image metadata file ${lockPath}`);
    expect(r.stderr).toContain('run `dockerfile-llb lock`');
  });

  it('compile --images never touches the network', async () => {
    // A registry that counts requests and answers none usefully, and a closed port.
    let requests = 0;
    const server = await startHttpServer((_req, res) => {
      requests++;
      res.writeHead(404).end();
    });
    try {
      const config = {
        architecture: 'amd64',
        os: 'linux',
        config: { Env: ['OFFLINE=1'], WorkingDir: '/offline' },
        rootfs: { type: 'layers', diff_ids: [`sha256:${'3'.repeat(64)}`] },
      };
      const file: ImageMetadataFile = {
        [`${server.host}/test/offline:1`]: { digest: `sha256:${'1'.repeat(64)}`, config },
        '127.0.0.1:1/test/closed:1': { digest: `sha256:${'2'.repeat(64)}`, config },
      };
      const lockPath = await tempFile(serializeImageMetadata(file), 'images.json');
      const df = await tempFile(`FROM 127.0.0.1:1/test/closed:1 AS a\nRUN a\nFROM ${server.host}/test/offline:1\nCOPY --from=a /a /a\nRUN b\n`);

      const [compiled, config2, relock] = await Promise.all([
        runCli(['compile', '-f', df, '--images', lockPath], { env }),
        runInProcess(['config', '-f', df, '--images', lockPath], { env }),
        runInProcess(['lock', '-f', df, '--images', lockPath], { env }),
      ]);
      ok(compiled, 'compile --images');
      expect(compiled.stdout.includes(Buffer.from(`docker-image://${server.host}/test/offline:1@sha256:${'1'.repeat(64)}`))).toBe(true);
      expect(JSON.parse(ok(config2, 'config --images').stdout.toString()).config.WorkingDir).toBe('/offline');
      expect(parseImageMetadata(ok(relock, 'lock --images').stdout.toString())).toEqual(file);
      expect(requests).toBe(0);

      // Without --images the same build does go to the registries, and fails there.
      const online = await runCli(['compile', '-f', await tempFile(`FROM ${server.host}/test/offline:1\n`)], { env });
      expect(online.code).toBe(1);
      expect(requests).toBeGreaterThan(0);
    } finally {
      await server.close();
    }
  });

  it('is listed in the help', async () => {
    const r = ok(await runCli(['--help']), 'help');
    expect(r.stdout.toString()).toMatch(/\n {2}lock {2,}Resolve every image a build uses/);
  });
});

describe.each(corpora().map((c) => [c.id, c] as const))('dockerfile-llb lock over the %s corpus (in-process, offline)', (_id, corpus) => {
  it('keeps exactly the images.json entries each case uses, and compiles to the same bytes from them', async () => {
    const goldenImages = corpus.images;
    const all = parseImageMetadata(readFileSync(goldenImages, 'utf8'), { pins: corpus.pins });
    // The lock file has the corpus file's layout (the golden one lacks only the final newline).
    expect(serializeImageMetadata(all)).toBe(`${readFileSync(goldenImages, 'utf8').trimEnd()}\n`);
    const cases = listCases(corpus, { sets: ['features', 'real', 'e2e'] });
    const used = new Set<string>();
    const results = await pool(cases, 4, async (c) => {
      const flags: string[] = ['-f', join(c.dir, 'Dockerfile')];
      const cfgPath = join(c.dir, 'case.json');
      if (existsSync(cfgPath)) {
        const cfg = JSON.parse(readFileSync(cfgPath, 'utf8')) as { target?: string; platform?: string; buildArgs?: Record<string, string> };
        if (cfg.target) flags.push('--target', cfg.target);
        if (cfg.platform) flags.push('--platform', cfg.platform);
        for (const [k, v] of Object.entries(cfg.buildArgs ?? {})) flags.push('--build-arg', `${k}=${v}`);
      }
      flags.push(c.dir);
      const lockPath = join(dir, `${corpus.id}-${c.name.replace(/\//g, '_')}.json`);
      const lock = await runInProcess(['lock', ...flags, ...corpus.imagesFlags, '-o', lockPath]);
      const full = await runInProcess(['compile', ...flags, ...corpus.imagesFlags]);
      const locked = lock.code === 0 ? await runInProcess(['compile', ...flags, '--images', lockPath]) : undefined;
      return { c, lock, full, locked, lockPath };
    });
    // The keys whose recorded digest is not the one they pin (the golden corpus's test resolver's):
    // lock writes only verified entries, so it refuses the builds that use them.
    const unverified = Object.keys(all).filter((k) => /@sha256:[0-9a-f]{64}$/.test(k) && !k.endsWith(`@${all[k].digest}`));
    expect(unverified.length > 0).toBe(corpus.pins === 'as-recorded');
    let compared = 0;
    let refused = 0;
    for (const { c, lock, full, locked, lockPath } of results) {
      const pin = unverified.find((k) => full.stdout.includes(`docker-image://${withDigest(k, all[k].digest)}`));
      if (full.code === 0 && pin !== undefined) {
        expect(lock.code, c.name).toBe(1);
        expect(lock.stderr, c.name).toContain(`${pin}: resolved to ${all[pin].digest}, not the digest it pins`);
        expect(existsSync(lockPath), c.name).toBe(false);
        refused++;
        continue;
      }
      // lock fails exactly when compile does (the Dockerfile or an image is bad), with the same error.
      expect(lock.code, `${c.name}: ${lock.stderr}`).toBe(full.code);
      if (full.code !== 0) {
        expect(lock.stderr, c.name).toBe(full.stderr);
        continue;
      }
      expect(locked!.code, `${c.name}: ${locked!.stderr}`).toBe(0);
      expect(locked!.stdout.equals(full.stdout), c.name).toBe(true);
      const images = parseImageMetadata(readFileSync(lockPath, 'utf8'));
      for (const [ref, entry] of Object.entries(images)) {
        expect(all[ref], `${c.name}: ${ref}`).toEqual(entry);
        used.add(ref);
      }
      // Every image the Definition names is in the lock.
      const named = [...full.stdout.toString('latin1').matchAll(/docker-image:\/\/([\x21-\x7e]+?@sha256:[0-9a-f]{64})/g)].map((m) => m[1]);
      for (const n of named) {
        expect(
          Object.entries(images).some(([ref, e]) => n === withDigest(ref, e.digest)),
          `${c.name}: ${n}`,
        ).toBe(true);
      }
      compared++;
    }
    expect(refused > 0).toBe(corpus.pins === 'as-recorded');
    expect(compared).toBeGreaterThan(cases.length * 0.9);
    expect(used.size).toBeGreaterThan(corpus.id === 'golden' ? 50 : 8);
  }, 120_000);
});
