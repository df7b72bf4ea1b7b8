/**
 * `run`: builds an exec vertex from a State, the way BuildKit's `llb.State.Run` + `ExecOp.Marshal`
 * do it: the root mount plus extra mounts sorted by target, inputs deduplicated in mount order,
 * an output for every writable mount, secret and ssh mounts after them, and the capabilities the
 * features used require.
 */
import { compareGoStrings } from '../util/gounicode.js';
import { buildMetadata, Caps, type ConstraintsOptions, workerConstraints } from './constraints.js';
import { addWalked, sameOutput } from './identity.js';
import { envAddOrReplace, envGet, envToArray, State } from './state.js';
import { LlbEncodeError } from '../errors.js';
import type { CacheSharing, CDIDevice, ExecVertex, Mount, MountContentCache, NetMode, Output, Platform, ProxyEnv, SecretEnv, SecretOpt, SecurityMode, Ulimit } from './types.js';
import type { Building } from '../util/building.js';
import { fit } from '../util/arrays.js';

/** A filesystem mounted into the container. */
export interface MountSpec {
  readonly target: string;
  /** What is mounted; scratch when undefined. */
  readonly source?: State;
  readonly readonly?: boolean;
  /** Path inside the source to mount. */
  readonly selector?: string;
  /** A persistent cache directory. */
  readonly cache?: { readonly id: string; readonly sharing: CacheSharing };
  /** A tmpfs; `size` in bytes (0 for no limit). */
  readonly tmpfs?: { readonly size: number | bigint };
  /** A writable mount whose result is discarded. */
  readonly noOutput?: boolean;
  readonly contentCache?: MountContentCache;
}

/** A secret, as a file (`target`) and/or an environment variable (`env`). */
export interface SecretSpec {
  readonly id: string;
  readonly target?: string;
  readonly env?: string;
  readonly uid?: number;
  readonly gid?: number;
  /** Defaults to 0o400. */
  readonly mode?: number;
  readonly optional?: boolean;
}

/** An SSH agent socket. */
export interface SSHSpec {
  readonly id?: string;
  /** Defaults to `/run/buildkit/ssh_agent.N`. */
  readonly target?: string;
  readonly uid?: number;
  readonly gid?: number;
  /** Defaults to 0o600. */
  readonly mode?: number;
  readonly optional?: boolean;
}

/** Options of {@link run}. */
export interface RunOptions extends ConstraintsOptions {
  /** The command line; defaults to the state's `args`. */
  readonly args?: readonly string[];
  readonly mounts?: readonly MountSpec[];
  readonly secrets?: readonly SecretSpec[];
  readonly ssh?: readonly SSHSpec[];
  readonly proxyEnv?: ProxyEnv;
  /** Network mode for this exec only (default: the state's). */
  readonly network?: NetMode;
  /** Security mode for this exec only (default: the state's). */
  readonly security?: SecurityMode;
  /** Mount the root filesystem read-only (the exec then has no root output). */
  readonly readonlyRootfs?: boolean;
  readonly validExitCodes?: readonly number[];
  readonly ulimits?: readonly Ulimit[];
  readonly extraHosts?: readonly { host: string; ip: string }[];
  readonly cgroupParent?: string;
  readonly cdiDevices?: readonly CDIDevice[];
  /** Platform used when neither the options nor the state set one (BuildKit's marshal default). */
  readonly defaultPlatform?: Platform;
  /**
   * Whether the worker sets a default PATH itself (BuildKit's `exec.meta.setsdefaultpath`
   * capability). When false, `PATH` is added to the environment instead. Default true.
   */
  readonly workerSetsDefaultPath?: boolean;
}

/** The result of {@link run}: the new root state, and access to the other mounts' outputs. */
export interface ExecState {
  readonly vertex: ExecVertex;
  /** The state after the command: the root mount's output, with the same values. */
  readonly root: State;
  /** The state of a writable mount's output. */
  getMount(target: string): State | undefined;
}

const DEFAULT_PATH_UNIX = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

interface InternalMount extends MountSpec {
  readonly root?: boolean;
}

const CONSTRAINT_KEYS = ['platform', 'customName', 'description', 'ignoreCache', 'progressGroup', 'locations', 'workerConstraints'];
const RUN_KEYS = new Set([
  ...CONSTRAINT_KEYS,
  ...['args', 'mounts', 'secrets', 'ssh', 'proxyEnv', 'network', 'security', 'readonlyRootfs', 'validExitCodes', 'ulimits'],
  ...['extraHosts', 'cgroupParent', 'cdiDevices', 'defaultPlatform', 'workerSetsDefaultPath'],
]);
const MOUNT_SPEC_KEYS = new Set(['target', 'source', 'readonly', 'selector', 'cache', 'tmpfs', 'noOutput', 'contentCache']);
const SECRET_SPEC_KEYS = new Set(['id', 'target', 'env', 'uid', 'gid', 'mode', 'optional']);
const SSH_SPEC_KEYS = new Set(['id', 'target', 'uid', 'gid', 'mode', 'optional']);

/**
 * Rejects an option object with a field `run` does not know (a misspelling such as `Uid` would
 * otherwise be dropped, and the default written in its place).
 */
function checkKeys(o: object, keys: ReadonlySet<string>, path: string): void {
  for (const key in o) {
    if (!keys.has(key)) throw new LlbEncodeError('E_LLB_UNKNOWN_FIELD', `unknown option ${JSON.stringify(key)}`, path);
  }
}

function checkRunOptions(opts: RunOptions): void {
  checkKeys(opts, RUN_KEYS, 'run');
  opts.mounts?.forEach((m, i) => checkKeys(m, MOUNT_SPEC_KEYS, `run.mounts[${i}]`));
  opts.secrets?.forEach((s, i) => checkKeys(s, SECRET_SPEC_KEYS, `run.secrets[${i}]`));
  opts.ssh?.forEach((s, i) => checkKeys(s, SSH_SPEC_KEYS, `run.ssh[${i}]`));
}

/**
 * Runs a command on `base`'s filesystem.
 * @throws {@link LlbEncodeError} for an option `run` does not know or a value it cannot take
 *   (values of the wrong type or range are reported when the graph is encoded).
 */
export function run(base: State, opts: RunOptions): ExecState {
  checkRunOptions(opts);
  const args = opts.args ?? base.values.args;
  if (!args || args.length === 0) throw new LlbEncodeError('E_LLB_VALUE', 'arguments are required', 'run.args');
  const cwd = base.values.dir;
  if (!cwd) throw new LlbEncodeError('E_LLB_VALUE', 'a working directory is required', 'run.cwd');

  const mounts: InternalMount[] = [
    { target: '/', source: base.isScratch ? undefined : base, readonly: opts.readonlyRootfs, root: true },
    ...(opts.mounts ?? []),
  ];
  sortByTarget(mounts);

  const caps = new Set<string>();
  let env = base.values.env;
  const ssh = (opts.ssh ?? []).map((s, i) => ({ ...s, target: s.target || `/run/buildkit/ssh_agent.${i}` }));
  if (ssh.length > 0 && envGet(env, 'SSH_AUTH_SOCK') === undefined) env = envAddOrReplace(env, 'SSH_AUTH_SOCK', ssh[0].target);
  if (opts.workerSetsDefaultPath === false) {
    if (envGet(env, 'PATH') === undefined) env = [...env, ['PATH', DEFAULT_PATH_UNIX]];
  } else {
    caps.add(Caps.execMetaSetsDefaultPath);
  }
  if (opts.validExitCodes) caps.add(Caps.execValidExitCode);
  if (opts.ulimits?.length) caps.add(Caps.execMetaUlimit);
  const network = opts.network ?? base.values.network ?? 'unset';
  const security = opts.security ?? base.values.security ?? 'sandbox';
  if (network !== 'unset') caps.add(Caps.execMetaNetwork);
  if (security !== 'sandbox') caps.add(Caps.execMetaSecurity);
  if (opts.proxyEnv) caps.add(Caps.execMetaProxy);
  caps.add(Caps.execMetaBase);
  for (const m of mounts) {
    if (m.selector) caps.add(Caps.execMountSelector);
    if (m.cache) {
      caps.add(Caps.execMountCache);
      caps.add(Caps.execMountCacheSharing);
    } else if (m.tmpfs) {
      caps.add(Caps.execMountTmpfs);
      if (m.tmpfs.size > 0) caps.add(Caps.execMountTmpfsSize);
    } else if (m.source && !m.source.isScratch) {
      caps.add(Caps.execMountBind);
    }
    if (m.contentCache && m.contentCache !== 'default') caps.add(Caps.execMountContentCache);
  }
  const secrets = opts.secrets ?? [];
  if (secrets.length) {
    caps.add(Caps.execMountSecret);
    if (secrets.some((s) => s.env !== undefined)) caps.add(Caps.execSecretEnv);
  }
  if (ssh.length) caps.add(Caps.execMountSsh);
  // A cgroup parent needs no cap in the op's metadata: BuildKit's client library adds none (the
  // frontend checks the daemon supports it before asking).
  if (opts.cdiDevices?.length) caps.add(Caps.execMetaCdi);

  const platform = opts.platform ?? base.values.platform ?? opts.defaultPlatform;

  // Inputs in sorted-mount order, deduplicated; an output for each writable, persistent mount.
  const inputs: Output[] = [];
  // Every distinct output object the mounts read, for BuildKit's marshal walk (see walkInputs).
  const walk: Output[] = [];
  const pbMounts: Mount[] = [];
  const outputOf = new Map<string, number>();
  let nextOutput = 0;
  for (const m of mounts) {
    let input = -1;
    const src = m.source?.output;
    if (src) {
      if (m.tmpfs) throw new LlbEncodeError('E_LLB_VALUE', 'a tmpfs mount has no source (it must use scratch)', `run.mounts[${JSON.stringify(m.target)}]`);
      input = inputs.findIndex((o) => sameOutput(o, src));
      if (input < 0) input = inputs.push(src) - 1;
      addWalked(walk, src);
    }
    let output = -1;
    if (!m.noOutput && !m.readonly && !m.cache && !m.tmpfs) {
      output = nextOutput++;
      outputOf.set(m.target, output);
    }
    // Object literals rather than spreads of a shared base: one shape per mount type.
    const selector = m.selector ?? '';
    const dest = m.target;
    const readonly = m.readonly ?? false;
    const contentCache = m.contentCache ?? 'default';
    if (m.cache) {
      pbMounts.push({ input, selector, dest, output, readonly, type: 'cache', cache: { id: m.cache.id, sharing: m.cache.sharing }, contentCache });
    } else if (m.tmpfs) {
      pbMounts.push({ input, selector, dest, output, readonly, type: 'tmpfs', tmpfs: { size: tmpfsSize(m.tmpfs.size, m.target) }, contentCache });
    } else {
      pbMounts.push({ input, selector, dest, output, readonly, type: 'bind', contentCache });
    }
  }
  const secretEnv: SecretEnv[] = [];
  // Secret files and SSH sockets are mounted from nothing and produce no output.
  for (const s of secrets) {
    if (s.env !== undefined) secretEnv.push({ id: s.id, name: s.env, optional: s.optional ?? false });
    if (s.target !== undefined) {
      pbMounts.push(socketMount('secret', s.target, { id: s.id, uid: s.uid ?? 0, gid: s.gid ?? 0, mode: s.mode ?? 0o400, optional: s.optional ?? false }));
    }
  }
  for (const s of ssh) {
    pbMounts.push(socketMount('ssh', s.target, { id: s.id ?? '', uid: s.uid ?? 0, gid: s.gid ?? 0, mode: s.mode ?? 0o600, optional: s.optional ?? false }));
  }

  // The constraints are the run's own options: nothing to merge them with.
  const o: ConstraintsOptions = opts;
  // Built field by field in the order of the literal it replaces, without spreads of optional
  // fields (each made a temporary object): this runs for every RUN.
  const meta: Building<ExecVertex['meta']> = { args: [...args], env: envToArray(env), cwd, user: base.values.user };
  if (opts.proxyEnv) meta.proxyEnv = opts.proxyEnv;
  if (opts.extraHosts?.length) meta.extraHosts = opts.extraHosts.map((h) => ({ host: h.host, ip: h.ip }));
  meta.hostname = base.values.hostname;
  if (opts.ulimits?.length) meta.ulimits = opts.ulimits;
  meta.cgroupParent = opts.cgroupParent ?? '';
  meta.removeMountStubsRecursive = true;
  if (opts.validExitCodes) meta.validExitCodes = [...opts.validExitCodes];
  const v: Building<ExecVertex> = { kind: 'exec', inputs: fit(inputs) };
  if (walk.length > inputs.length) v.walkInputs = walk;
  if (platform) v.platform = platform;
  v.constraints = workerConstraints(o);
  v.metadata = buildMetadata(o, caps);
  v.locations = o.locations ?? [];
  v.meta = meta as ExecVertex['meta'];
  v.mounts = fit(pbMounts);
  v.network = network;
  v.security = security;
  v.secretEnv = secretEnv;
  v.cdiDevices = opts.cdiDevices ?? [];
  // Like BuildKit, outputs carry only a platform given to the exec itself.
  if (opts.platform) v.outputPlatform = opts.platform;
  const vertex = v as ExecVertex;

  const rootIndex = outputOf.get('/');
  const root = rootIndex === undefined ? base : base.withOutput({ vertex, index: rootIndex });
  return {
    vertex,
    root,
    getMount(target: string): State | undefined {
      const i = outputOf.get(target);
      if (i === undefined) return undefined;
      const spec = mounts.find((m) => m.target === target)!;
      return (spec.source ?? State.scratch()).withOutput({ vertex, index: i });
    },
  };
}

/**
 * Sorts mounts by target, stably (as Array.prototype.sort). A RUN has a mount or two: an
 * insertion sort then allocates nothing, where the built-in sort makes a work copy.
 */
function sortByTarget(mounts: InternalMount[]): void {
  if (mounts.length > 16) {
    mounts.sort((a, b) => compareGoStrings(a.target, b.target));
    return;
  }
  for (let i = 1; i < mounts.length; i++) {
    const m = mounts[i];
    let j = i - 1;
    while (j >= 0 && compareGoStrings(mounts[j].target, m.target) > 0) {
      mounts[j + 1] = mounts[j];
      j--;
    }
    mounts[j + 1] = m;
  }
}

const SOCKET_BASE = { input: -1, selector: '', output: 0, readonly: false, contentCache: 'default' } as const;

/** A secret file or SSH socket mount. */
function socketMount(type: 'secret' | 'ssh', dest: string, opt: SecretOpt): Mount {
  return type === 'secret' ? { ...SOCKET_BASE, dest, type, secret: opt } : { ...SOCKET_BASE, dest, type, ssh: opt };
}

/** A tmpfs size in bytes: a non-negative safe integer (as a number or a bigint). */
function tmpfsSize(size: number | bigint, target: string): bigint {
  if ((typeof size === 'number' && Number.isSafeInteger(size) && size >= 0) || (typeof size === 'bigint' && size >= 0n)) return BigInt(size);
  throw new LlbEncodeError('E_LLB_VALUE', `expected a size in bytes (a non-negative integer), got ${String(size)}`, `run.mounts[${JSON.stringify(target)}].tmpfs.size`);
}
