import { describe, expect, it } from 'vitest';
import { DockerfileLlbError } from '../../src/errors.js';
import {
  formatPlatform,
  formatPlatformAll,
  normalizePlatform,
  parsePlatform,
  platformMatcher,
  strictPlatformMatcher,
} from '../../src/image/platform.js';
import type { Platform } from '../../src/image/types.js';

function p(os: string, architecture: string, variant?: string): Platform {
  return { os, architecture, ...(variant ? { variant } : {}) };
}

describe('parsePlatform', () => {
  it.each([
    ['linux/amd64', p('linux', 'amd64')],
    ['linux/x86_64', p('linux', 'amd64')],
    ['linux/x86-64', p('linux', 'amd64')],
    ['linux/amd64/v1', p('linux', 'amd64')],
    ['linux/amd64/v3', p('linux', 'amd64', 'v3')],
    ['linux/aarch64', p('linux', 'arm64')],
    ['linux/arm64', p('linux', 'arm64')],
    ['linux/arm64/v8', p('linux', 'arm64', 'v8')],
    ['linux/arm64/8', p('linux', 'arm64', 'v8')],
    ['linux/arm64/v8.2', p('linux', 'arm64', 'v8.2')],
    ['linux/arm', p('linux', 'arm')],
    ['linux/armhf', p('linux', 'arm')],
    ['linux/armel', p('linux', 'arm', 'v6')],
    ['linux/arm/v7', p('linux', 'arm', 'v7')],
    ['linux/arm/7', p('linux', 'arm', 'v7')],
    ['linux/arm/6', p('linux', 'arm', 'v6')],
    ['linux/i386', p('linux', '386')],
    ['LINUX/AMD64', p('linux', 'amd64')],
    ['macos/arm64', p('darwin', 'arm64')],
    ['linux', p('linux', 'amd64')],
    ['windows', p('windows', 'amd64')],
    ['arm64', p('linux', 'arm64')],
    ['armhf', p('linux', 'arm')],
    ['aarch64', p('linux', 'arm64')],
    ['linux/s390x', p('linux', 's390x')],
    ['plan9/whatever', p('plan9', 'whatever')],
    ['windows(10.0.20348)/amd64', { os: 'windows', architecture: 'amd64', osVersion: '10.0.20348' }],
    [
      'windows(10.0.17763+win32k)/amd64',
      { os: 'windows', architecture: 'amd64', osVersion: '10.0.17763', osFeatures: ['win32k'] },
    ],
    ['linux(+a%2Bb+c)/amd64', { os: 'linux', architecture: 'amd64', osFeatures: ['a+b', 'c'] }],
  ])('%s', (input, expected) => {
    expect(parsePlatform(input)).toEqual(expected);
  });

  it('takes the missing half from the defaults', () => {
    expect(parsePlatform('linux', p('linux', 'arm64'))).toEqual(p('linux', 'arm64'));
    expect(parsePlatform('linux', p('linux', 'arm', 'v6'))).toEqual(p('linux', 'arm', 'v6'));
    expect(parsePlatform('linux', p('linux', 'arm', 'v7'))).toEqual(p('linux', 'arm'));
    expect(parsePlatform('amd64', p('freebsd', 'arm64'))).toEqual(p('freebsd', 'amd64'));
  });

  it.each([
    ['linux/arm/v7/x', '"linux/arm/v7/x": cannot parse platform specifier: invalid argument'],
    ['linux/arm/v7/x/y', '"x/y" is an invalid component of "linux/arm/v7/x/y": platform specifier component must match "^[A-Za-z0-9_.-]+$": invalid argument'],
    ['foo', '"foo": unknown operating system or architecture: invalid argument'],
    ['linux/*', '"linux/*": wildcards not yet supported: invalid argument'],
    ['', '"" is an invalid OS component of "": OSAndVersion specifier component must match "^([A-Za-z0-9_-]+)(?:\\\\(([A-Za-z0-9_.%-]*)((?:\\\\+[A-Za-z0-9_.%-]+)*)\\\\))?$": invalid argument'],
    ['linux/', '"" is an invalid component of "linux/": platform specifier component must match "^[A-Za-z0-9_.-]+$": invalid argument'],
    ['linux/am d64', '"am d64" is an invalid component of "linux/am d64": platform specifier component must match "^[A-Za-z0-9_.-]+$": invalid argument'],
    ['windows(1%zz)/amd64', '"windows(1%zz)/amd64" has an invalid OS version "1%zz": invalid URL escape "%zz"'],
  ])('rejects %j with containerd’s message', (input, message) => {
    let err: unknown;
    try {
      parsePlatform(input);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DockerfileLlbError);
    expect((err as DockerfileLlbError).code).toBe('E_INVALID_PLATFORM');
    expect((err as Error).message).toBe(message);
  });

  it('matches the golden BuildKit error text once prefixed by the frontend', () => {
    const spec = 'linux/arm/v7/x';
    let message = '';
    try {
      parsePlatform(spec);
    } catch (e) {
      message = `failed to parse platform ${spec}: ${(e as Error).message}`;
    }
    expect(message).toBe(
      'failed to parse platform linux/arm/v7/x: "linux/arm/v7/x": cannot parse platform specifier: invalid argument',
    );
  });
});

describe('normalize / format', () => {
  it('normalizes aliases and default variants', () => {
    expect(normalizePlatform(p('Linux', 'AArch64', 'V8'))).toEqual(p('linux', 'arm64'));
    expect(normalizePlatform(p('linux', 'arm'))).toEqual(p('linux', 'arm', 'v7'));
    expect(normalizePlatform(p('linux', 'amd64', 'v1'))).toEqual(p('linux', 'amd64'));
    expect(normalizePlatform(p('linux', 'i386', 'x'))).toEqual(p('linux', '386'));
    expect(normalizePlatform({ os: 'windows', architecture: 'amd64', osFeatures: ['b', 'a', 'b'] })).toEqual({
      os: 'windows',
      architecture: 'amd64',
      osFeatures: ['a', 'b'],
    });
  });

  it('formats', () => {
    expect(formatPlatform(p('linux', 'arm', 'v7'))).toBe('linux/arm/v7');
    expect(formatPlatform(p('linux', 'amd64'))).toBe('linux/amd64');
    expect(formatPlatform(p('', 'amd64'))).toBe('unknown');
    expect(formatPlatform({ os: 'windows', architecture: 'amd64', osVersion: '10.0.1' })).toBe('windows/amd64');
    expect(formatPlatformAll({ os: 'windows', architecture: 'amd64', osVersion: '10.0.1', osFeatures: ['z', 'a+b'] })).toBe(
      'windows(10.0.1+a%2Bb+z)/amd64',
    );
    expect(parsePlatform(formatPlatformAll({ os: 'windows', architecture: 'amd64', osVersion: '1(2)' }))).toEqual({
      os: 'windows',
      architecture: 'amd64',
      osVersion: '1(2)',
    });
  });
});

describe('platformMatcher (containerd Only)', () => {
  it('amd64 accepts 386 but prefers amd64', () => {
    const m = platformMatcher(p('linux', 'amd64'));
    expect(m.match(p('linux', 'amd64'))).toBe(true);
    expect(m.match(p('linux', 'x86_64'))).toBe(true);
    expect(m.match(p('linux', '386'))).toBe(true);
    expect(m.match(p('linux', 'arm64'))).toBe(false);
    expect(m.match(p('windows', 'amd64'))).toBe(false);
    expect(m.match(p('linux', 'amd64', 'v2'))).toBe(false);
    expect(m.less(p('linux', 'amd64'), p('linux', '386'))).toBe(true);
    expect(m.less(p('linux', '386'), p('linux', 'amd64'))).toBe(false);
  });

  it('amd64/v3 accepts v2, v1 and 386 in that order', () => {
    const m = platformMatcher(p('linux', 'amd64', 'v3'));
    expect(m.match(p('linux', 'amd64', 'v3'))).toBe(true);
    expect(m.match(p('linux', 'amd64', 'v2'))).toBe(true);
    expect(m.match(p('linux', 'amd64'))).toBe(true);
    expect(m.match(p('linux', 'amd64', 'v4'))).toBe(false);
    expect(m.less(p('linux', 'amd64', 'v2'), p('linux', 'amd64'))).toBe(true);
  });

  it('arm/v7 accepts v6 and v5, not v8', () => {
    const m = platformMatcher(p('linux', 'arm', 'v7'));
    expect(m.match(p('linux', 'arm'))).toBe(true);
    expect(m.match(p('linux', 'arm', 'v6'))).toBe(true);
    expect(m.match(p('linux', 'arm', 'v5'))).toBe(true);
    expect(m.match(p('linux', 'arm', 'v8'))).toBe(false);
    expect(m.match(p('linux', 'arm64'))).toBe(false);
    expect(m.less(p('linux', 'arm', 'v7'), p('linux', 'arm', 'v6'))).toBe(true);
  });

  it('arm64 accepts arm64/v8 and 32-bit arm, preferring arm64', () => {
    const m = platformMatcher(p('linux', 'arm64'));
    expect(m.match(p('linux', 'arm64', 'v8'))).toBe(true);
    expect(m.match(p('linux', 'aarch64'))).toBe(true);
    expect(m.match(p('linux', 'arm', 'v8'))).toBe(true);
    expect(m.match(p('linux', 'arm', 'v7'))).toBe(true);
    expect(m.match(p('linux', 'arm64', 'v8.1'))).toBe(false);
    expect(m.less(p('linux', 'arm64'), p('linux', 'arm', 'v7'))).toBe(true);
    expect(m.less(p('linux', 'arm', 'v7'), p('linux', 'arm', 'v6'))).toBe(true);
  });

  it('arm64 minor versions and v9', () => {
    const v82 = platformMatcher(p('linux', 'arm64', 'v8.2'));
    expect(v82.match(p('linux', 'arm64', 'v8.1'))).toBe(true);
    expect(v82.match(p('linux', 'arm64'))).toBe(true);
    expect(v82.match(p('linux', 'arm64', 'v8.3'))).toBe(false);
    const v91 = platformMatcher(p('linux', 'arm64', 'v9.1'));
    expect(v91.match(p('linux', 'arm64', 'v9'))).toBe(true);
    expect(v91.match(p('linux', 'arm64', 'v8.6'))).toBe(true);
    expect(v91.match(p('linux', 'arm64', 'v8.5'))).toBe(true);
    expect(v91.match(p('linux', 'arm64', 'v8.7'))).toBe(false);
    expect(v91.match(p('linux', 'arm', 'v8'))).toBe(true);
  });

  it('strict matcher has no fallbacks but still normalizes', () => {
    const m = strictPlatformMatcher(p('linux', 'arm64'));
    expect(m.match(p('linux', 'arm64', 'v8'))).toBe(true);
    expect(m.match(p('linux', 'arm', 'v7'))).toBe(false);
    expect(strictPlatformMatcher(p('linux', 'amd64')).match(p('linux', '386'))).toBe(false);
  });

  it('OS features must be a subset of the wanted ones', () => {
    const m = platformMatcher({ os: 'windows', architecture: 'amd64', osFeatures: ['win32k', 'a'] });
    expect(m.match({ os: 'windows', architecture: 'amd64' })).toBe(true);
    expect(m.match({ os: 'windows', architecture: 'amd64', osFeatures: ['win32k'] })).toBe(true);
    expect(m.match({ os: 'windows', architecture: 'amd64', osFeatures: ['other'] })).toBe(false);
    expect(platformMatcher({ os: 'windows', architecture: 'amd64' }).match({ os: 'windows', architecture: 'amd64', osFeatures: ['x'] })).toBe(false);
  });

  it('windows OS versions follow the host/container compatibility rules', () => {
    const ws2022 = platformMatcher({ os: 'windows', architecture: 'amd64', osVersion: '10.0.20348.2113' });
    expect(ws2022.match({ os: 'windows', architecture: 'amd64', osVersion: '10.0.20348.100' })).toBe(true);
    expect(ws2022.match({ os: 'windows', architecture: 'amd64', osVersion: '10.0.17763.1' })).toBe(false);
    expect(ws2022.match({ os: 'windows', architecture: 'amd64' })).toBe(true);
    const newer = platformMatcher({ os: 'windows', architecture: 'amd64', osVersion: '10.0.26100.1' });
    expect(newer.match({ os: 'windows', architecture: 'amd64', osVersion: '10.0.20348.1' })).toBe(true);
    const rs5 = platformMatcher({ os: 'windows', architecture: 'amd64', osVersion: '10.0.17763.1' });
    expect(rs5.match({ os: 'windows', architecture: 'amd64', osVersion: '10.0.17763.5' })).toBe(true);
    expect(rs5.match({ os: 'windows', architecture: 'amd64', osVersion: '10.0.20348.1' })).toBe(false);
    // No version on the wanted side: anything goes.
    expect(platformMatcher({ os: 'windows', architecture: 'amd64' }).match({ os: 'windows', architecture: 'amd64', osVersion: '1.2.3' })).toBe(true);
  });
});
