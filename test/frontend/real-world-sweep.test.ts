/**
 * Regressions found by compiling real-world Dockerfiles the golden corpus does not cover. Each
 * case asserts what BuildKit v0.32.2's own frontend does, as read from its source (the Go
 * function is named in each test).
 */
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/compile';
import type { ImageConfig, ImageResolver } from '../../src/image/types';

/** Resolves every reference to one config, with the OS and env given. */
function resolverWith(os: string, env: string[]): ImageResolver {
  return {
    async resolve(ref, { platform }) {
      const config: ImageConfig = {
        architecture: platform.architecture,
        os,
        config: { Env: [...env] },
        rootfs: { type: 'layers', diff_ids: [`sha256:${'0'.repeat(64)}`] },
        history: [{ created_by: 'base' }],
      };
      return { ref, digest: `sha256:${'a'.repeat(64)}`, config };
    },
  };
}

describe('image config Env keys', () => {
  // dockerfile2llb's addEnv compares keys with shell.EqualEnvKeys, whose implementation is picked
  // by the OS BuildKit runs on (equal_env_unix.go: `from == to`), not by the target platform.
  it('are compared exactly even for a Windows target', async () => {
    const resolver = resolverWith('windows', ['Path=C:\\Windows']);
    const r = await compile('FROM mcr.microsoft.com/windows/nanoserver:ltsc2022\nENV PATH=C:\\\\bin\nENV path=low\nENV PATH=C:\\\\go\n', {
      resolver,
      platform: 'windows/amd64',
    });
    expect(r.imageConfig.config!.Env).toEqual(['Path=C:\\Windows', 'PATH=C:\\go', 'path=low']);
  });

  it('keep replacing an existing key in place on Linux', async () => {
    const resolver = resolverWith('linux', ['PATH=/bin', 'A=1']);
    const r = await compile('FROM alpine\nENV A=2 B=3\nENV PATH=/x:$PATH\n', { resolver });
    expect(r.imageConfig.config!.Env).toEqual(['PATH=/x:/bin', 'A=2', 'B=3']);
  });
});

describe('STOPSIGNAL', () => {
  const resolver = resolverWith('linux', ['PATH=/bin']);
  const stop = (sig: string) => compile(`FROM alpine\nSTOPSIGNAL ${sig}\n`, { resolver });

  // dispatchStopSignal validates with moby/sys signal.ParseSignal: strconv.Atoi first (a sign is
  // allowed, 0 is not, the int64 range applies), then the Linux SignalMap, whose real-time names
  // are RTMIN, RTMIN+1…RTMIN+15, RTMAX-14…RTMAX-1 and RTMAX, spelled exactly so.
  it.each(['+9', '-1', '015', 'SIGRTMIN+15', 'rtmax-14', 'RTMAX', 'sigwinch'])('accepts %s', async (sig) => {
    const r = await stop(sig);
    expect(r.imageConfig.config!.StopSignal).toBe(sig);
  });

  it.each(['0', '-0', '99999999999999999999', 'SIGRTMIN+16', 'RTMIN+03', 'RTMAX-0', 'RTMIN+0', 'SIGSIGTERM', '9s'])(
    'rejects %s',
    async (sig) => {
      await expect(stop(sig)).rejects.toThrow(`invalid signal: ${sig}`);
    },
  );
});
