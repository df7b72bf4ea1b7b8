/**
 * bin/dockerfile-llb.cjs loads dist/cli.bundle.js with a V8 code cache made by the build
 * (scripts/build-cli.mjs): a small one, and a large one for a large Dockerfile named by -f. V8
 * ignores a cache silently when it does not fit (another source, or other V8 flags when it is
 * read), which would only show as a slower start: these tests make it visible.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LARGE_DOCKERFILE } from '../../src/cli/heap';
import { repoRoot, runCli, runInProcess } from '../helpers/cli';

const dist = join(repoRoot, 'dist');
const work = mkdtempSync(join(tmpdir(), 'dfllb-launcher-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Compiles the bundle with `cache` in a fresh Node, as the launcher does: whether V8 took the cache. */
function cacheAccepted(cache: string): boolean {
  const code = `
    const { readFileSync } = require('node:fs');
    const vm = require('node:vm');
    const [bundle, cache] = process.argv.slice(1);
    const script = new vm.Script(readFileSync(bundle, 'latin1'), { filename: bundle, cachedData: readFileSync(cache) });
    process.stdout.write(String(!script.cachedDataRejected));`;
  const r = spawnSync(process.execPath, ['-e', code, join(dist, 'cli.bundle.js'), cache], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout === 'true';
}

/** A Dockerfile of `n` stages, each copying from the one before (like bench/run.mjs's). */
function stages(n: number): string {
  const lines = ['FROM alpine:3.20 AS s0', 'RUN echo s0 > /out'];
  for (let i = 1; i < n; i++) {
    lines.push(`FROM alpine:3.20 AS s${i}`, `ENV P=/opt/s${i}`, `WORKDIR /src/s${i}`, `COPY --from=s${i - 1} /out ./prev`, `RUN --mount=type=cache,target=/root/.cache echo s${i} > /out`, `LABEL stage=s${i}`);
  }
  return `${lines.join('\n')}\n`;
}

describe('the launcher (bin/dockerfile-llb.cjs)', () => {
  it('finds both code caches for this V8, and V8 takes them', () => {
    for (const kind of ['', '.large']) {
      const cache = join(dist, `cli.bundle.${process.versions.v8}-${process.arch}${kind}.cache`);
      expect(statSync(cache).size, cache).toBeGreaterThan(0);
      expect(cacheAccepted(cache), `V8 rejected ${cache}`).toBe(true);
    }
  });

  it('a large Dockerfile (the large cache, the tuned V8 flags) compiles to the same bytes as in process', async () => {
    const file = join(work, 'Dockerfile');
    writeFileSync(file, stages(600));
    expect(statSync(file).size).toBeGreaterThan(LARGE_DOCKERFILE);
    const images = join(repoRoot, 'examples/images.json');
    const inProcess = await runInProcess([work, '-f', file, '--images', images]);
    expect(inProcess.code).toBe(0);
    for (const flag of [['-f', file], [`--file=${file}`]]) {
      const bin = await runCli([work, ...flag, '--images', images]);
      expect(bin.stderr).toBe('');
      expect(bin.code).toBe(0);
      expect(bin.stdout.equals(inProcess.stdout)).toBe(true);
    }
  });
});
