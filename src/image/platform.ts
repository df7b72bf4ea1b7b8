/**
 * Platforms (`linux/amd64`, `linux/arm/v7`, `windows(10.0.20348)/amd64`) parsed, normalized,
 * formatted and matched with the rules of github.com/containerd/platforms, which BuildKit uses
 * for `FROM --platform` and for picking a manifest out of an image index.
 *
 * Browser-safe: no Node APIs.
 */
import { DockerfileLlbError } from '../errors.js';
import { ImageErrorCode } from './codes.js';
import { goQuote } from '../util/goquote.js';
import type { Platform } from './types.js';

/** The platform assumed where containerd would use the host's: BuildKit's golden runs on linux/amd64. */
const DEFAULT_PLATFORM: Platform = { os: 'linux', architecture: 'amd64' };

const SPECIFIER_SOURCE = '^[A-Za-z0-9_.-]+$';
const OS_SOURCE = '^([A-Za-z0-9_-]+)(?:\\(([A-Za-z0-9_.%-]*)((?:\\+[A-Za-z0-9_.%-]+)*)\\))?$';
const SPECIFIER_RE = new RegExp(SPECIFIER_SOURCE);
const OS_RE = new RegExp(OS_SOURCE);

const KNOWN_OS = new Set([
  'aix', 'android', 'darwin', 'dragonfly', 'freebsd', 'hurd', 'illumos', 'ios', 'js', 'linux',
  'nacl', 'netbsd', 'openbsd', 'plan9', 'solaris', 'windows', 'zos',
]);
const KNOWN_ARCH = new Set([
  '386', 'amd64', 'amd64p32', 'arm', 'armbe', 'arm64', 'arm64be', 'ppc64', 'ppc64le', 'loong64',
  'mips', 'mipsle', 'mips64', 'mips64le', 'mips64p32', 'mips64p32le', 'ppc', 'riscv', 'riscv64',
  's390', 's390x', 'sparc', 'sparc64', 'wasm',
]);

function platformError(message: string): DockerfileLlbError {
  return new DockerfileLlbError(ImageErrorCode.InvalidPlatform, message);
}

function makePlatform(
  os: string,
  architecture: string,
  variant: string,
  osVersion: string,
  osFeatures: readonly string[] | undefined,
): Platform {
  return {
    os,
    architecture,
    ...(variant !== '' ? { variant } : {}),
    ...(osVersion !== '' ? { osVersion } : {}),
    ...(osFeatures !== undefined && osFeatures.length > 0 ? { osFeatures } : {}),
  };
}

function normalizeOS(os: string, fallback: string): string {
  if (os === '') return fallback;
  const lower = os.toLowerCase();
  return lower === 'macos' ? 'darwin' : lower;
}

/** containerd's architecture/variant aliases: aarch64→arm64, x86_64→amd64, armhf→arm/v7… */
function normalizeArch(arch: string, variant: string): [string, string] {
  let a = arch.toLowerCase();
  let v = variant.toLowerCase();
  switch (a) {
    case 'i386':
      a = '386';
      v = '';
      break;
    case 'x86_64':
    case 'x86-64':
    case 'amd64':
      a = 'amd64';
      if (v === 'v1') v = '';
      break;
    case 'aarch64':
    case 'arm64':
      a = 'arm64';
      if (v === '8' || v === 'v8') v = '';
      break;
    case 'armhf':
      a = 'arm';
      v = 'v7';
      break;
    case 'armel':
      a = 'arm';
      v = 'v6';
      break;
    case 'arm':
      if (v === '' || v === '7') v = 'v7';
      else if (v === '5' || v === '6' || v === '8') v = `v${v}`;
      break;
  }
  return [a, v];
}

// Go's url.PathUnescape, enough for OS options: %XX sequences decoded as UTF-8.
function decodeOSOption(v: string, specifier: string, what: string): string {
  if (!v.includes('%')) return v;
  const bad = /%(?![0-9A-Fa-f]{2})/.exec(v);
  if (bad !== null) {
    const escape = v.slice(bad.index, bad.index + 3);
    throw platformError(`${goQuote(specifier)} has an invalid OS ${what} ${goQuote(v)}: invalid URL escape ${goQuote(escape)}`);
  }
  try {
    return decodeURIComponent(v);
  } catch {
    return v;
  }
}

function encodeOSOption(v: string): string {
  return v.replace(/[%+()/]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * Parses a platform specifier: `<os>|<arch>|<os>/<arch>[/<variant>]`, where `<os>` may carry
 * options as in `windows(10.0.17763+win32k)`. A lone OS gets the default architecture, a lone
 * architecture the default OS (containerd uses the host's; here `defaults`, linux/amd64 unless
 * given). The result is normalized (`aarch64` → `arm64`, `armhf` → `arm/v7`, `arm64/v8` keeps
 * its variant as containerd's `Parse` does).
 *
 * @throws DockerfileLlbError with code `E_INVALID_PLATFORM` and containerd's message, e.g.
 *   `"linux/arm/v7/x": cannot parse platform specifier: invalid argument` or
 *   `"foo": unknown operating system or architecture: invalid argument`.
 */
export function parsePlatform(specifier: string, defaults: Platform = DEFAULT_PLATFORM): Platform {
  const q = goQuote(specifier);
  if (specifier.includes('*')) throw platformError(`${q}: wildcards not yet supported: invalid argument`);

  // containerd splits into at most 4 parts, so a fifth element stays glued to the fourth.
  const split = specifier.split('/');
  const parts = split.length > 4 ? [...split.slice(0, 3), split.slice(3).join('/')] : split;

  let os = '';
  let osVersion = '';
  let osFeatures: string[] | undefined;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    if (i === 0) {
      const m = OS_RE.exec(part);
      if (m === null) {
        throw platformError(
          `${goQuote(part)} is an invalid OS component of ${q}: OSAndVersion specifier component must match ${goQuote(OS_SOURCE)}: invalid argument`,
        );
      }
      os = normalizeOS(m[1], defaults.os);
      osVersion = decodeOSOption(m[2] ?? '', specifier, 'version');
      if (m[3] !== undefined && m[3] !== '') {
        osFeatures = m[3].slice(1).split('+').map((f) => decodeOSOption(f, specifier, 'feature'));
      }
    } else if (!SPECIFIER_RE.test(part)) {
      throw platformError(
        `${goQuote(part)} is an invalid component of ${q}: platform specifier component must match ${goQuote(SPECIFIER_SOURCE)}: invalid argument`,
      );
    }
  }

  switch (parts.length) {
    case 1: {
      if (KNOWN_OS.has(os)) {
        let variant = '';
        if (defaults.architecture === 'arm' && (defaults.variant ?? '') !== 'v7') variant = defaults.variant ?? '';
        return makePlatform(os, defaults.architecture, variant, osVersion, osFeatures);
      }
      let [arch, variant] = normalizeArch(parts[0], '');
      if (arch === 'arm' && variant === 'v7') variant = '';
      if (KNOWN_ARCH.has(arch)) return makePlatform(defaults.os, arch, variant, osVersion, osFeatures);
      throw platformError(`${q}: unknown operating system or architecture: invalid argument`);
    }
    case 2: {
      let [arch, variant] = normalizeArch(parts[1], '');
      if (arch === 'arm' && variant === 'v7') variant = '';
      return makePlatform(os, arch, variant, osVersion, osFeatures);
    }
    case 3: {
      let [arch, variant] = normalizeArch(parts[1], parts[2]);
      if (arch === 'arm64' && variant === '') variant = 'v8';
      return makePlatform(os, arch, variant, osVersion, osFeatures);
    }
  }
  throw platformError(`${q}: cannot parse platform specifier: invalid argument`);
}

/**
 * Normalizes a platform the way containerd's `Normalize` does: lowercase OS (`macos` →
 * `darwin`), architecture aliases and default variants (`arm` → `arm/v7`, `arm64/v8` →
 * `arm64`, `amd64/v1` → `amd64`), OS features sorted and deduplicated.
 */
export function normalizePlatform(p: Platform): Platform {
  // A platform this function made is normalized already: a state's platform is normalized again
  // at every step that carries it.
  if (NORMALIZED.has(p)) return p;
  const [architecture, variant] = normalizeArch(p.architecture, p.variant ?? '');
  let features: string[] | undefined;
  if (p.osFeatures !== undefined && p.osFeatures.length > 0) {
    features = [...new Set(p.osFeatures)].sort(compareStrings);
  }
  const out = makePlatform(normalizeOS(p.os, DEFAULT_PLATFORM.os), architecture, variant, p.osVersion ?? '', features);
  NORMALIZED.add(out);
  return out;
}

/** The platforms {@link normalizePlatform} returned (they are read-only). */
const NORMALIZED = new WeakSet<Platform>();

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function joinPath(os: string, architecture: string, variant: string): string {
  let out = os;
  for (const part of [architecture, variant]) if (part !== '') out = out === '' ? part : `${out}/${part}`;
  return out;
}

/** `os/arch[/variant]` (containerd's `Format`), or `unknown` without an OS. OS version is left out. */
export function formatPlatform(p: Platform): string {
  if (p.os === '') return 'unknown';
  return joinPath(p.os, p.architecture, p.variant ?? '');
}

/** Like {@link formatPlatform} but keeps OS version and features: `windows(10.0.20348+win32k)/amd64`. */
export function formatPlatformAll(p: Platform): string {
  if (p.os === '') return 'unknown';
  let options = p.osVersion ? encodeOSOption(p.osVersion) : '';
  if (p.osFeatures?.length) for (const f of [...p.osFeatures].sort(compareStrings)) options += `+${encodeOSOption(f)}`;
  const os = options !== '' ? `${p.os}(${options})` : p.os;
  return joinPath(os, p.architecture, p.variant ?? '');
}

/** Matches image platforms against a wanted one, and orders matches from best to worst. */
export interface PlatformMatcher {
  /** True when an image built for `p` can be used. */
  match(p: Platform): boolean;
  /** True when `a` is strictly preferred over `b` (sort helper; both usually match). */
  less(a: Platform, b: Platform): boolean;
}

// ---- Windows OS version compatibility (containerd's windowsVersionMatcher) ----------------------
interface WindowsVersion {
  major: number;
  minor: number;
  build: number;
}

const WS2022_BUILD = 20348;
const COMPAT_LTSC_BUILDS = [WS2022_BUILD];

function parseWindowsVersion(v: string): WindowsVersion {
  const empty = { major: 0, minor: 0, build: 0 };
  const parts = v.split('.');
  if (parts.length < 3) return empty;
  const nums = parts.slice(0, 3).map((x) => (/^[0-9]+$/.test(x) ? Number(x) : NaN));
  const [major, minor, build] = nums as [number, number, number];
  if (!(major <= 0xff) || !(minor <= 0xff) || !(build <= 0xffff)) return empty;
  return { major, minor, build };
}

function windowsCompatible(host: WindowsVersion, ctr: WindowsVersion): boolean {
  if (host.major !== ctr.major || host.minor !== ctr.minor) return false;
  if (host.build < WS2022_BUILD) return host.build === ctr.build;
  let supported = 0;
  for (let i = COMPAT_LTSC_BUILDS.length - 1; i >= 0; i--) {
    if (host.build >= COMPAT_LTSC_BUILDS[i]) {
      supported = COMPAT_LTSC_BUILDS[i]!;
      break;
    }
  }
  return ctr.build >= supported && ctr.build <= host.build;
}

/** containerd's basic matcher: equality of normalized os/arch/variant, subset of OS features. */
function exactMatcher(wanted: Platform): (p: Platform) => boolean {
  const m = normalizePlatform(wanted);
  const mFeatures = m.osFeatures ?? [];
  let windows: WindowsVersion | undefined;
  if (wanted.os === 'windows') {
    const v = parseWindowsVersion(wanted.osVersion ?? '');
    if (v.major !== 0 || v.minor !== 0 || v.build !== 0) windows = v;
  }
  return (candidate) => {
    const n = normalizePlatform(candidate);
    if (m.os !== n.os || m.architecture !== n.architecture || (m.variant ?? '') !== (n.variant ?? '')) return false;
    if (windows !== undefined && candidate.osVersion) {
      if (!windowsCompatible(windows, parseWindowsVersion(candidate.osVersion))) return false;
    }
    const features = n.osFeatures ?? [];
    if (features.length === 0) return true;
    if (mFeatures.length < features.length) return false;
    // Both lists are sorted: walk them together.
    let j = 0;
    for (const f of features) {
      let found = false;
      for (; j < mFeatures.length; j++) {
        if (f === mFeatures[j]) {
          found = true;
          j++;
          break;
        }
        if (f < mFeatures[j]) return false;
      }
      if (!found) return false;
    }
    return true;
  };
}

function orderedMatcher(platforms: readonly Platform[]): PlatformMatcher {
  const matchers = platforms.map(exactMatcher);
  return {
    match: (p) => matchers.some((m) => m(p)),
    less: (a, b) => {
      for (const m of matchers) {
        const am = m(a);
        const bm = m(b);
        if (am && !bm) return true;
        if (am || bm) return false;
      }
      return false;
    },
  };
}

function vMinus(p: Platform, variant: string, architecture = p.architecture): Platform {
  return {
    os: p.os,
    architecture,
    ...(variant !== '' ? { variant } : {}),
    ...(p.osVersion !== undefined ? { osVersion: p.osVersion } : {}),
    ...(p.osFeatures !== undefined ? { osFeatures: p.osFeatures } : {}),
  };
}

function atoiV(variant: string): number {
  const s = variant.startsWith('v') ? variant.slice(1) : variant;
  return /^[+-]?[0-9]+$/.test(s) ? Number(s) : NaN;
}

/** The platforms a given platform can run, best first (containerd's `platformVector`). */
function platformVector(p: Platform): Platform[] {
  const vector: Platform[] = [p];
  const variant = p.variant ?? '';
  switch (p.architecture) {
    case 'amd64': {
      const version = atoiV(variant);
      if (version > 1) {
        for (let v = version - 1; v >= 1; v--) vector.push(vMinus(p, `v${v}`));
      }
      vector.push(vMinus(p, '', '386'));
      break;
    }
    case 'arm': {
      const version = atoiV(variant);
      if (version > 5) {
        for (let v = version - 1; v >= 5; v--) vector.push(vMinus(p, `v${v}`));
      }
      break;
    }
    case 'arm64': {
      let v = variant === '' ? 'v8' : variant;
      const dot = v.indexOf('.');
      const majorPart = dot >= 0 ? v.slice(0, dot) : v;
      const minorPart = dot >= 0 ? v.slice(dot + 1) : '';
      let major = atoiV(majorPart);
      if (major >= 8) {
        let minor = 0;
        if (v.length === 4 && dot >= 0 && /^[+-]?[0-9]+$/.test(minorPart)) minor = Number(minorPart);
        if (major === 9) {
          for (let m = minor - 1; m >= 0; m--) vector.push(vMinus(p, m === 0 ? `v${major}` : `v${major}.${m}`));
          // v9.x is compatible with v8.(x+5).
          minor += 5;
          major = 8;
          vector.push(vMinus(p, `v8.${minor}`));
        }
        for (let m = minor - 1; m >= 0; m--) vector.push(vMinus(p, m === 0 ? `v${major}` : `v${major}.${m}`));
      }
      if (v.startsWith('v8.') || v.startsWith('v9.')) v = 'v8';
      vector.push(...platformVector(vMinus(p, v, 'arm')));
      break;
    }
  }
  return vector;
}

/**
 * The matcher BuildKit uses to pick a manifest for a platform (containerd's `Only`): it also
 * accepts platforms the wanted one can run — `amd64` accepts `386`, `arm/v7` accepts `arm/v6`
 * and `arm/v5`, `arm64` accepts `arm/v8`…`arm/v5`, `arm64/v8.2` accepts `arm64/v8.1` — and
 * prefers them in that order.
 */
export function platformMatcher(p: Platform): PlatformMatcher {
  return orderedMatcher(platformVector(normalizePlatform(p)));
}

/** Like {@link platformMatcher} but without compatible sub-platforms (containerd's `OnlyStrict`). */
export function strictPlatformMatcher(p: Platform): PlatformMatcher {
  return orderedMatcher([normalizePlatform(p)]);
}
