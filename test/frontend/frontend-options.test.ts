/**
 * Frontend settings BuildKit reads from special build args (dockerui's Config), which the golden
 * corpus does not exercise: SOURCE_DATE_EPOCH, BUILDKIT_CACHE_MOUNT_NS, BUILDKIT_SANDBOX_HOSTNAME
 * and BUILDKIT_MULTI_PLATFORM.
 */
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/compile';
import { BuildRequestError } from '../../src/errors';
import { StaticImageResolver } from '../../src/image/static-resolver';
import { readDefinition } from '../../src/llb/definition';
import { dumpDefinition } from '../../src/llb/dump';
import { FIXTURES, imagesOf } from '../helpers/corpus';

const resolver = new StaticImageResolver(imagesOf(FIXTURES));
const dockerfile = 'FROM alpine:3.20\nWORKDIR /app\nCOPY a b\nRUN --mount=type=cache,target=/c true\n';

async function ops(buildArgs: Record<string, string>) {
  const r = await compile(dockerfile, { resolver, buildArgs });
  return { result: r, ops: dumpDefinition(readDefinition(r.bytes)) as { Op: any; OpMetadata?: any }[] };
}

describe('build-arg driven frontend settings', () => {
  it('SOURCE_DATE_EPOCH stamps the WORKDIR directory and history entries, not copied files', async () => {
    const { result, ops: list } = await ops({ SOURCE_DATE_EPOCH: '1700000000' });
    const times = list.flatMap((o) => o.Op.file?.actions ?? []).map((a: any) => (a.copy ?? a.mkdir).timestamp);
    // mkdir for WORKDIR, then COPY (BuildKit v0.32.2 sets no created time on copies: options/026).
    expect(times).toEqual(['1700000000000000000', '-1']);
    const ours = result.imageConfig.history!.filter((h) => h.comment === 'buildkit.dockerfile.v0');
    expect(ours.map((h) => h.created)).toEqual(['2023-11-14T22:13:20Z', '2023-11-14T22:13:20Z', '2023-11-14T22:13:20Z']);
  });

  it('without SOURCE_DATE_EPOCH files keep their times (-1) and history has no created', async () => {
    const { result, ops: list } = await ops({});
    expect(list.flatMap((o) => o.Op.file?.actions ?? []).map((a: any) => (a.copy ?? a.mkdir).timestamp)).toEqual(['-1', '-1']);
    expect(result.imageConfig.history!.filter((h) => h.comment).every((h) => h.created === undefined)).toBe(true);
  });

  it('rejects a SOURCE_DATE_EPOCH that is not an integer', async () => {
    await expect(compile(dockerfile, { resolver, buildArgs: { SOURCE_DATE_EPOCH: 'soon' } })).rejects.toThrow(/invalid SOURCE_DATE_EPOCH: soon/);
  });

  it('BUILDKIT_CACHE_MOUNT_NS prefixes cache mount ids', async () => {
    const { ops: list } = await ops({ BUILDKIT_CACHE_MOUNT_NS: 'team' });
    const cache = list.flatMap((o) => o.Op.exec?.mounts ?? []).find((m: any) => m.mountType === 'CACHE');
    expect(cache.cacheOpt.ID).toBe('team//c');
  });

  it('BUILDKIT_SANDBOX_HOSTNAME sets the hostname of RUN containers', async () => {
    const { ops: list } = await ops({ BUILDKIT_SANDBOX_HOSTNAME: 'builder' });
    expect(list.find((o) => o.Op.exec)!.Op.exec.meta.hostname).toBe('builder');
  });

  it('BUILDKIT_MULTI_PLATFORM puts the platform in step names', async () => {
    const { ops: list } = await ops({ BUILDKIT_MULTI_PLATFORM: '1' });
    const names = list.map((o) => o.OpMetadata?.description?.['llb.customname']).filter(Boolean);
    expect(names).toContain('[linux/amd64 stage-0 2/4] WORKDIR /app');
    expect(names).toContain('[linux/amd64 stage-0 4/4] RUN --mount=type=cache,target=/c true');
    await expect(compile(dockerfile, { resolver, buildArgs: { BUILDKIT_MULTI_PLATFORM: 'maybe' } })).rejects.toThrow(new BuildRequestError('invalid boolean value for multi-platform: maybe', 'multi-platform'));
  });
});
