/**
 * Target and build platforms, and the ARGs BuildKit predefines from them
 * (TARGETPLATFORM/OS/ARCH/VARIANT, BUILDPLATFORM/…, TARGETSTAGE).
 */
import { formatPlatform, formatPlatformAll, normalizePlatform, parsePlatform } from '../image/platform.js';
import type { Platform } from '../image/types.js';
import type { EnvList } from '../graph/state.js';

/** The platform BuildKit assumes for the build machine when none is given. */
export const DEFAULT_PLATFORM: Platform = { os: 'linux', architecture: 'amd64' };

export interface PlatformOpt {
  readonly targetPlatform: Platform;
  readonly buildPlatforms: readonly Platform[];
  /** True when the caller did not choose a target platform. */
  readonly implicitTarget: boolean;
}

/** Resolves the target and build platforms (BuildKit's `buildPlatformOpt`). */
export function buildPlatformOpt(target: Platform | undefined, buildPlatforms: readonly Platform[] | undefined): PlatformOpt {
  let builds = buildPlatforms && buildPlatforms.length ? buildPlatforms : undefined;
  if (target && !builds) builds = [target];
  if (!builds) builds = [DEFAULT_PLATFORM];
  return { targetPlatform: target ?? builds[0], buildPlatforms: builds, implicitTarget: target === undefined };
}

/** The predefined platform ARGs, overridable by build args. */
export function defaultArgs(po: PlatformOpt, overrides: Readonly<Record<string, string>>, targetStage: string): EnvList {
  const bp = po.buildPlatforms[0];
  const tp = po.targetPlatform;
  const pairs: [string, string][] = [
    ['BUILDPLATFORM', formatPlatform(bp)],
    ['BUILDOS', bp.os],
    ['BUILDOSVERSION', bp.osVersion ?? ''],
    ['BUILDARCH', bp.architecture],
    ['BUILDVARIANT', bp.variant ?? ''],
    ['TARGETPLATFORM', formatPlatform(tp)],
    ['TARGETOS', tp.os],
    ['TARGETOSVERSION', tp.osVersion ?? ''],
    ['TARGETARCH', tp.architecture],
    ['TARGETVARIANT', tp.variant ?? ''],
    ['TARGETSTAGE', targetStage],
  ];
  // The keys are distinct: adding each in turn is building the list in this order.
  return pairs.map(([k, v]) => [k, Object.hasOwn(overrides, k) ? overrides[k] : v] as const);
}

/** BuildKit's `formatTargetPlatform`: `->arch` when cross-compiling, for step names. */
export function formatTargetPlatform(base: Platform, target: Partial<Platform> | undefined): string {
  if (!target) return '';
  const p = normalizePlatform({
    os: target.os || base.os,
    architecture: target.architecture || base.architecture,
    ...(target.variant ? { variant: target.variant } : {}),
  });
  if (p.os === base.os && p.architecture !== base.architecture) {
    return `->${p.architecture}${p.variant ? `/${p.variant}` : ''}`;
  }
  if (p.os !== base.os) return `->${formatPlatformAll(p)}`;
  return '';
}

/** The TARGET* variables of an environment as a platform (BuildKit's `platformFromEnv`). */
export function platformFromEnv(env: { keys(): string[]; get(k: string): string | undefined }): Partial<Platform> | undefined {
  const p: { os?: string; architecture?: string; variant?: string } = {};
  let set = false;
  for (const key of env.keys()) {
    switch (key) {
      case 'TARGETPLATFORM':
        try {
          return parsePlatform(env.get(key) ?? '');
        } catch {
          continue;
        }
      case 'TARGETOS':
        p.os = env.get(key);
        set = true;
        break;
      case 'TARGETARCH':
        p.architecture = env.get(key);
        set = true;
        break;
      case 'TARGETVARIANT':
        p.variant = env.get(key);
        set = true;
        break;
    }
  }
  return set ? p : undefined;
}
