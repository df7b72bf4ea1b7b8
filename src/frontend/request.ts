/**
 * The build request: the options `docker build` (through buildx) sends the Dockerfile frontend
 * besides the Dockerfile, read and validated the way BuildKit's `dockerui` option parser reads
 * them (`dockerui.Client.init`), with its error messages. BuildKit parses these before it reads
 * the Dockerfile, so a bad option fails the build whatever the Dockerfile says.
 *
 * | option here     | frontend option        | docker build flag     |
 * |-----------------|------------------------|-----------------------|
 * | `platforms`     | `platform` (joined)    | `--platform a,b`      |
 * | `labels`        | `label:K`              | `--label K=V`         |
 * | `extraHosts`    | `add-hosts` (joined)   | `--add-host NAME=IP`  |
 * | `hostname`      | `hostname`             | (`BUILDKIT_SANDBOX_HOSTNAME`) |
 * | `network`       | `force-network-mode`   | `--network`           |
 * | `shmSize`       | `shm-size`             | `--shm-size`          |
 * | `ulimits`       | `ulimit` (joined)      | `--ulimit`            |
 * | `cgroupParent`  | `cgroup-parent`        | `--cgroup-parent`     |
 * | `noCache`       | `no-cache`             | `--no-cache`, `--no-cache-filter` |
 */
import { BuildRequestError } from '../errors.js';
import type { HostIP, NetMode, Ulimit } from '../graph/types.js';
import { normalizePlatform, parsePlatform } from '../image/platform.js';
import type { Platform } from '../image/types.js';
import { csvFields } from '../instructions/csv.js';
import { formatGoIP, parseGoIP } from '../util/goip.js';
import { goParseBigInt, goParseBool } from '../util/gostrconv.js';

/** The build request's options as `docker build` takes them (all optional). */
export interface BuildRequestOptions {
  /** Target platforms; more than one makes a multi-platform request. */
  readonly platforms?: readonly (string | Platform)[];
  /** Labels added to the image config, over the Dockerfile's own. */
  readonly labels?: Readonly<Record<string, string>>;
  /** `NAME=IP` entries added to /etc/hosts of every RUN; names are lower-cased. */
  readonly extraHosts?: readonly string[];
  /** The hostname of every RUN (`BUILDKIT_SANDBOX_HOSTNAME`, when set, wins). */
  readonly hostname?: string;
  /** The network of every RUN that does not ask for its own: `default` (the sandbox), `none`, `host`. */
  readonly network?: string;
  /** Size in bytes of a /dev/shm tmpfs on every RUN (a number or a decimal string; no units). */
  readonly shmSize?: number | bigint | string;
  /** `NAME=SOFT[:HARD]` resource limits of every RUN. */
  readonly ulimits?: readonly string[];
  /** The cgroup parent of every RUN. */
  readonly cgroupParent?: string;
  /** Stages whose steps run without the cache (`--no-cache-filter`); `true` for every stage (`--no-cache`). */
  readonly noCache?: true | readonly string[];
}

/** The request after validation: what the conversion uses. */
export interface BuildRequest {
  /** Normalized target platforms; empty when none was asked (BuildKit's implicit default). */
  readonly targetPlatforms: readonly Platform[];
  /** Step names carry the platform (several platforms, or BUILDKIT_MULTI_PLATFORM). */
  readonly multiPlatform: boolean;
  readonly labels: Readonly<Record<string, string>>;
  readonly extraHosts: readonly HostIP[];
  /** The RUN hostname after BUILDKIT_SANDBOX_HOSTNAME. */
  readonly hostname: string;
  readonly network: NetMode;
  readonly shmSize: bigint;
  readonly ulimits: readonly Ulimit[];
  readonly cgroupParent: string;
  /** Stage names that ignore the cache; empty for every stage; undefined for none. */
  readonly noCache: readonly string[] | undefined;
}

/** The request of a plain build: no option set. */
export const DEFAULT_REQUEST: BuildRequest = {
  targetPlatforms: [],
  multiPlatform: false,
  labels: {},
  extraHosts: [],
  hostname: '',
  network: 'unset',
  shmSize: 0n,
  ulimits: [],
  cgroupParent: '',
  noCache: undefined,
};

function fail(message: string, option: string): never {
  throw new BuildRequestError(message, option);
}

/** The `platform` option: comma-separated, each parsed and normalized. */
export function parsePlatformList(value: string): Platform[] {
  return value.split(',').map((v) => {
    try {
      return normalizePlatform(parsePlatform(v));
    } catch (e) {
      return fail(`failed to parse target platform ${v}: ${(e as Error).message}`, 'platform');
    }
  });
}

function toPlatforms(list: readonly (string | Platform)[] | undefined): Platform[] {
  if (!list || list.length === 0) return [];
  // Strings are joined as the frontend option is, so `['a,b']` and `['a', 'b']` mean the same.
  const strings = list.filter((p): p is string => typeof p === 'string');
  if (strings.length === list.length) return strings.join(',') === '' ? [] : parsePlatformList(strings.join(','));
  return list.map((p) => (typeof p === 'string' ? parsePlatformList(p) : [normalizePlatform(p)])).flat();
}

function csv(list: readonly string[] | undefined, prefix: string, option: string): string[] {
  if (!list || list.length === 0) return [];
  const joined = list.join(',');
  if (joined === '') return [];
  const fields = csvFields(joined);
  if (typeof fields === 'string') fail(`${prefix}: ${fields}`, option);
  return fields;
}

/** `add-hosts`: `name=ip` pairs; names lower-cased, addresses as Go prints them. */
function parseExtraHosts(list: readonly string[] | undefined): HostIP[] {
  return csv(list, 'failed to parse additional hosts', 'add-hosts').map((field) => {
    const lower = field.toLowerCase();
    const eq = lower.indexOf('=');
    if (eq < 0) fail(`failed to parse additional hosts: invalid key-value pair ${field}`, 'add-hosts');
    const ipText = lower.slice(eq + 1);
    const ip = parseGoIP(ipText);
    if (!ip) fail(`failed to parse additional hosts: failed to parse IP ${ipText}`, 'add-hosts');
    return { host: lower.slice(0, eq), ip: formatGoIP(ip) };
  });
}

function parseShmSize(v: number | bigint | string | undefined): bigint {
  if (v === undefined) return 0n;
  if (typeof v === 'bigint') return v;
  const text = typeof v === 'number' ? (Number.isInteger(v) ? BigInt(v).toString() : String(v)) : v;
  if (text === '') return 0n;
  const n = goParseBigInt(text, 10, 64);
  if (!n.ok) fail(`failed to parse shm size: ${n.error}`, 'shm-size');
  return n.value;
}

/** The resource names docker's `units.ParseUlimit` knows (`as` is disabled there). */
const ULIMIT_NAMES = new Set(['core', 'cpu', 'data', 'fsize', 'locks', 'memlock', 'msgqueue', 'nice', 'nofile', 'nproc', 'rss', 'rtprio', 'rttime', 'sigpending', 'stack']);

/** docker's `units.ParseUlimit`: `name=soft[:hard]`, hard defaulting to soft. */
function parseUlimit(val: string): Ulimit {
  const bad = (m: string): never => fail(`failed to parse ulimit: ${m}`, 'ulimit');
  const eq = val.indexOf('=');
  if (eq < 0) bad(`invalid ulimit argument: ${val}`);
  const name = val.slice(0, eq);
  const limits = val.slice(eq + 1);
  if (!ULIMIT_NAMES.has(name)) bad(`invalid ulimit type: ${name}`);
  const parts = limits.split(':');
  if (parts.length > 2) bad(`too many limit value arguments - ${limits}, can only have up to two, \`soft[:hard]\``);
  const num = (s: string) => {
    const r = goParseBigInt(s, 10, 64);
    return r.ok ? r.value : bad(r.error);
  };
  // Go parses the hard limit first.
  const hard0 = parts.length === 2 ? num(parts[1]) : undefined;
  const soft = num(parts[0]);
  const hard = hard0 ?? soft;
  if (hard !== -1n) {
    if (soft === -1n) bad(`ulimit soft limit must be less than or equal to hard limit: soft: -1 (unlimited), hard: ${hard}`);
    if (soft > hard) bad(`ulimit soft limit must be less than or equal to hard limit: ${soft} > ${hard}`);
  }
  return { name, soft, hard };
}

function parseNetwork(v: string | undefined): NetMode {
  switch (v) {
    // docker build's default network sends no option at all.
    case undefined:
    case '':
    case 'default':
    case 'sandbox':
      return 'unset';
    case 'none':
      return 'none';
    case 'host':
      return 'host';
    default:
      return fail(`invalid netmode ${v}`, 'force-network-mode');
  }
}

function parseNoCache(v: true | readonly string[] | undefined): readonly string[] | undefined {
  if (v === undefined) return undefined;
  if (v === true) return [];
  // `--no-cache-filter a --no-cache-filter b` is the option `a,b`, which the frontend splits.
  const joined = v.join(',');
  return joined === '' ? undefined : joined.split(',');
}

/**
 * Validates the request options, in the order BuildKit's frontend does, with its messages.
 * `buildArgs` matter for BUILDKIT_MULTI_PLATFORM and BUILDKIT_SANDBOX_HOSTNAME.
 *
 * @throws {@link BuildRequestError} for a value the frontend refuses.
 */
export function parseBuildRequest(options: BuildRequestOptions, buildArgs: Readonly<Record<string, string>> = {}): BuildRequest {
  const targetPlatforms = toPlatforms(options.platforms);
  const extraHosts = parseExtraHosts(options.extraHosts);
  const shmSize = parseShmSize(options.shmSize);
  const ulimits = csv(options.ulimits, 'failed to parse ulimit', 'ulimit').map(parseUlimit);
  const network = parseNetwork(options.network);
  const noCache = parseNoCache(options.noCache);

  let multiPlatform = targetPlatforms.length > 1;
  const mp = Object.hasOwn(buildArgs, 'BUILDKIT_MULTI_PLATFORM') ? buildArgs.BUILDKIT_MULTI_PLATFORM : '';
  if (mp !== '') {
    const b = goParseBool(mp);
    if (!b.ok) fail(`invalid boolean value for multi-platform: ${mp}`, 'multi-platform');
    if (!b.value && multiPlatform) fail('conflicting config: returning multiple target platforms is not allowed', 'multi-platform');
    multiPlatform = b.value;
  }
  const hostnameArg = Object.hasOwn(buildArgs, 'BUILDKIT_SANDBOX_HOSTNAME') ? buildArgs.BUILDKIT_SANDBOX_HOSTNAME : '';
  return {
    targetPlatforms,
    multiPlatform,
    labels: { ...options.labels },
    extraHosts,
    hostname: hostnameArg !== '' ? hostnameArg : (options.hostname ?? ''),
    network,
    shmSize,
    ulimits,
    cgroupParent: options.cgroupParent ?? '',
    noCache,
  };
}

/** BuildKit's `IsNoCache`: whether the stage named `name` ignores the cache. */
export function isNoCache(request: BuildRequest, name: string): boolean {
  const list = request.noCache;
  if (list === undefined) return false;
  if (list.length === 0) return true;
  const lower = name.toLowerCase();
  return list.some((n) => n.toLowerCase() === lower);
}
